//! The Messages chapter: chats.aspx, send_message.aspx and send_message_file.aspx (by URL or
//! inline base64), the English envelope they share with the Groups chapter, and the log of
//! what was sent, which tests read back through `/_sim/instances/{key}/sent` (nothing is
//! delivered anywhere: the simulator has no recipients, message events or acks to invent).

use std::collections::VecDeque;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::book::{self, ChatJson};
use crate::state::Instance;
use crate::wire;

/// Sent messages kept per instance (the oldest go first).
pub(crate) const MAX_SENT: usize = 1_000;
/// Text kept in the log per instance (message, caption, url...), oldest entries dropped first.
const MAX_SENT_TEXT: usize = 8 * 1024 * 1024;

/// A minimal JPEG, the `jpegThumbnail` of every image sent: a fixed placeholder, not a
/// thumbnail of the image.
const THUMBNAIL: &str = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";

/// One message the instance sent, as `GET /_sim/instances/{key}/sent` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentMessage {
    /// 1 for the instance's first sent message, counting those dropped from the log.
    pub seq: u64,
    /// `send_message` or `send_message_file`.
    pub command: String,
    /// The id answered: `Id` (text) or `MessageID` (file).
    pub id: String,
    /// The recipient JID.
    pub number: String,
    /// Text of send_message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The `type` of a file sent by URL (a MIME type or `file`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mimetype: Option<String>,
    /// Length of the inline file's bytes (after base64 decoding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// SHA-256 of the inline file's bytes, lower-case hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// When the command ran, Unix milliseconds.
    pub at_ms: u64,
}

impl SentMessage {
    fn text_len(&self) -> usize {
        [
            &self.message,
            &self.caption,
            &self.url,
            &self.kind,
            &self.filename,
            &self.mimetype,
        ]
        .iter()
        .map(|f| f.as_ref().map_or(0, String::len))
        .sum::<usize>()
            + self.number.len()
    }
}

/// The bounded log of sent messages.
#[derive(Default)]
pub(crate) struct SentLog {
    list: VecDeque<SentMessage>,
    text: usize,
    next_seq: u64,
}

impl SentLog {
    fn push(&mut self, mut m: SentMessage) {
        self.next_seq += 1;
        m.seq = self.next_seq;
        self.text += m.text_len();
        self.list.push_back(m);
        while self.list.len() > MAX_SENT || (self.text > MAX_SENT_TEXT && self.list.len() > 1) {
            if let Some(old) = self.list.pop_front() {
                self.text -= old.text_len();
            }
        }
    }

    pub(crate) fn list(&self) -> Vec<SentMessage> {
        self.list.iter().cloned().collect()
    }

    /// Empties the log; `seq` goes on counting.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.text = 0;
    }
}

#[derive(Serialize)]
struct English<'a, T> {
    success: bool,
    message: Option<&'a T>,
}

#[derive(Serialize)]
struct Portuguese<'a, T> {
    sucesso: bool,
    mensagem: Option<&'a T>,
}

/// `{"success": true, "message": <value>}`, or the failure envelope for `None`.
pub(crate) fn english<T: Serialize>(value: Option<&T>) -> Vec<u8> {
    wire::to_json(&English {
        success: value.is_some(),
        message: value,
    })
}

/// `{"success": false, "message": null}`.
pub(crate) fn english_failure() -> Vec<u8> {
    english::<()>(None)
}

/// `{"sucesso": true, "mensagem": <value>}`, or `{"sucesso": false, "mensagem": null}`.
pub(crate) fn portuguese<T: Serialize>(value: Option<&T>) -> Vec<u8> {
    wire::to_json(&Portuguese {
        sucesso: value.is_some(),
        mensagem: value,
    })
}

/// `<digits>@s.whatsapp.net`.
pub(crate) fn is_user_jid(s: &str) -> bool {
    s.strip_suffix("@s.whatsapp.net")
        .is_some_and(|d| !d.is_empty() && d.len() <= 20 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `<digits>@g.us` or `<digits>-<digits>@g.us`.
pub(crate) fn is_group_jid(s: &str) -> bool {
    let digits = |d: &str| !d.is_empty() && d.len() <= 20 && d.bytes().all(|b| b.is_ascii_digit());
    s.strip_suffix("@g.us")
        .is_some_and(|id| match id.split_once('-') {
            Some((a, b)) => digits(a) && digits(b),
            None => digits(id),
        })
}

/// A send_message_file.aspx body, parsed (and its inline data hashed) outside the state lock.
pub(crate) struct FileRequest {
    number: Option<String>,
    caption: Option<String>,
    url: Option<String>,
    kind: Option<String>,
    filename: Option<String>,
    mimetype: Option<String>,
    /// `None` without `base64`; `Some(None)` when it is not valid base64 (or empty).
    inline: Option<Option<(u64, String)>>,
}

impl FileRequest {
    pub(crate) fn parse(body: &[u8]) -> Result<FileRequest, String> {
        let map = wire::parse_object(body)?;
        let field = |name| wire::str_field(&map, name);
        let inline = field("base64")?.map(|b64| {
            let engine = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            );
            engine
                .decode(b64.trim())
                .ok()
                .filter(|d| !d.is_empty())
                .map(|data| {
                    let hash = Sha256::digest(&data);
                    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
                    (data.len() as u64, hex)
                })
        });
        Ok(FileRequest {
            number: field("number")?,
            caption: field("caption")?,
            url: field("url")?,
            kind: field("type")?,
            filename: field("filename")?,
            mimetype: field("mimetype")?,
            inline,
        })
    }
}

#[derive(Serialize)]
struct TextSent<'a> {
    #[serde(rename = "Id")]
    id: &'a str,
}

#[derive(Serialize)]
struct FileSent<'a> {
    #[serde(rename = "MessageID")]
    id: &'a str,
    #[serde(rename = "Url")]
    url: String,
    #[serde(rename = "jpegThumbnail")]
    thumbnail: &'static str,
}

fn is_recipient(number: &str) -> bool {
    is_user_jid(number) || is_group_jid(number)
}

impl Instance {
    /// chats.aspx: private chats, base groups, then created groups; `[]` unless authenticated.
    pub(crate) fn chats_answer(&self, base: &str) -> Vec<u8> {
        if !self.authenticated() {
            return b"[]".to_vec();
        }
        let mut chats: Vec<ChatJson> = self
            .book
            .people()
            .iter()
            .take(book::PRIVATE_CHATS)
            .map(|p| ChatJson {
                jid: p.jid(),
                name: p.name.clone(),
                spam: false,
                count: p.unread,
                mute: p.muted_until.map(|t| t.to_string()).unwrap_or_default(),
                t: p.last_message,
                archive: p.archived,
                modify_tag: p.modify_tag.to_string(),
                picture: book::list_picture(base, &self.web_id, &p.jid()),
                lastupdate: p.chat_update.clone(),
            })
            .collect();
        let groups = self.book.all_groups(self.own_jid());
        chats.extend(groups.iter().map(|g| g.chat(base, &self.web_id)));
        wire::to_json(&chats)
    }

    pub(crate) fn send_message(&mut self, body: &[u8]) -> Result<Vec<u8>, String> {
        let map = wire::parse_object(body)?;
        let number = wire::str_field(&map, "number")?;
        let message = wire::str_field(&map, "message")?;
        if !self.authenticated() {
            return Ok(english_failure());
        }
        let (Some(number), Some(message)) = (number.filter(|n| is_recipient(n)), message) else {
            return Ok(english_failure());
        };
        let id = book::message_id();
        let answer = english(Some(&TextSent { id: &id }));
        self.book.sent.push(SentMessage {
            seq: 0,
            command: "send_message".to_owned(),
            id,
            number,
            message: Some(message),
            caption: None,
            url: None,
            kind: None,
            filename: None,
            mimetype: None,
            bytes: None,
            sha256: None,
            at_ms: book::unix_now_ms(),
        });
        Ok(answer)
    }

    /// send_message_file.aspx: exactly one of `url` (with `type`) or `base64` (with
    /// `mimetype`); the failure envelope otherwise.
    pub(crate) fn send_file(&mut self, req: FileRequest, base: &str) -> Vec<u8> {
        if !self.authenticated() {
            return english_failure();
        }
        let Some(number) = req.number.filter(|n| is_recipient(n)) else {
            return english_failure();
        };
        let by_url = req.url.as_deref().is_some_and(|u| {
            (u.starts_with("http://") || u.starts_with("https://")) && req.kind.is_some()
        });
        let (inline, mime) = match (&req.url, req.inline) {
            (Some(_), None) if by_url => (None, req.kind.clone().unwrap_or_default()),
            (None, Some(Some(data))) if req.mimetype.is_some() => {
                (Some(data), req.mimetype.clone().unwrap_or_default())
            }
            _ => return english_failure(),
        };
        let id = book::message_id();
        let image = mime.to_ascii_lowercase().starts_with("image/");
        let answer = english(Some(&FileSent {
            id: &id,
            url: format!("{base}static/{}/media/{id}", self.web_id),
            thumbnail: if image { THUMBNAIL } else { "" },
        }));
        let (bytes, sha256) = inline.map_or((None, None), |(n, h)| (Some(n), Some(h)));
        self.book.sent.push(SentMessage {
            seq: 0,
            command: "send_message_file".to_owned(),
            id,
            number,
            message: None,
            caption: req.caption,
            url: req.url,
            kind: req.kind,
            filename: req.filename,
            mimetype: req.mimetype,
            bytes,
            sha256,
            at_ms: book::unix_now_ms(),
        });
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jids() {
        assert!(is_user_jid("5511987654321@s.whatsapp.net"));
        assert!(!is_user_jid("5511987654321"));
        assert!(!is_user_jid("+55@s.whatsapp.net"));
        assert!(is_group_jid("5511987654321-1617293822@g.us"));
        assert!(is_group_jid("120363042@g.us"));
        assert!(!is_group_jid("-1@g.us"));
    }

    #[test]
    fn log_is_bounded() {
        let mut log = SentLog::default();
        for i in 0..(MAX_SENT + 5) {
            log.push(SentMessage {
                seq: 0,
                command: "send_message".into(),
                id: i.to_string(),
                number: "1@s.whatsapp.net".into(),
                message: Some("x".into()),
                caption: None,
                url: None,
                kind: None,
                filename: None,
                mimetype: None,
                bytes: None,
                sha256: None,
                at_ms: 0,
            });
        }
        let list = log.list();
        assert_eq!(list.len(), MAX_SENT);
        assert_eq!(list[0].seq, 6);
        assert_eq!(list.last().map(|m| m.seq), Some(MAX_SENT as u64 + 5));
    }
}

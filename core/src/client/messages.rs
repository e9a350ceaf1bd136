//! The Messages, Contacts and Groups chapters on [`Client`], and [`Client::call`], the generic
//! call for every command without a typed method.
//!
//! Which commands change state decides what may be retried (`transport.rs`): every send and
//! group call is `Command::change`, so once a request may have reached the server it is never
//! sent again (a message sent twice after a timeout is the bug users of other WhatsApp SDKs
//! report most). Recipients are checked and turned into JIDs before any request
//! (`recipient.rs`).

use super::Client;
use crate::error::{Error, Result};
use crate::model::{Chat, Contact, Group, SentMessage};
use crate::parse::messages as parse;
use crate::recipient;
use crate::transport::Command;
use base64::Engine;
use serde_json::{Value, json};
use std::path::PathBuf;

const CHATS: Command = Command::read("chats.aspx").list();
const SEND_MESSAGE: Command = Command::change("send_message.aspx").post();
const SEND_FILE: Command = Command::change("send_message_file.aspx").post();
const CONTACTS: Command = Command::read("contacts.aspx").list();
const GET_PROFILE: Command = Command::read("get_profile.aspx").post();
const QUERY_PROFILE: Command = Command::read("query_profile.aspx").post();
const GROUP_CREATE: Command = Command::change("group_create.aspx").post();
const GROUP_ADD: Command = Command::change("group_add.aspx").post();

/// The deepest nesting of arrays and objects in a [`Client::call`] body. Why: the body is
/// serialized (and, from a binding, converted) recursively, so a body nested a million deep
/// overflowed the stack and killed the host process (a JVM segfault from Kotlin). The API's
/// bodies are flat; serde_json reads back at most 127 levels, so 100 leaves every binding's
/// own parser room.
pub const MAX_BODY_DEPTH: usize = 100;

/// Whether `value` nests at most [`MAX_BODY_DEPTH`] arrays and objects (without recursion).
fn depth_ok(value: &Value) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match value {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        if depth + 1 > MAX_BODY_DEPTH {
            return false;
        }
        stack.extend(children.map(|child| (child, depth + 1)));
    }
    true
}

/// The largest file [`Client::send_file`] sends inline (by bytes or by path): 64 MiB, which
/// the base64 body makes ~85 MiB. Larger files go by URL. The documentation gives no limit.
pub const MAX_INLINE_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Where a file to send comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum FileSource {
    /// A URL the gateway downloads (`url` on the wire).
    Url(String),
    /// The file's bytes, sent inline as base64 (`base64` on the wire).
    Bytes(Vec<u8>),
    /// A local file, read when the call is made and sent inline.
    Path(PathBuf),
}

/// A file to send with [`Client::send_file`].
#[derive(Debug, Clone, PartialEq)]
pub struct FileMessage {
    pub source: FileSource,
    /// A MIME type (`image/jpeg`, `application/pdf`), or the word `file` for a document.
    pub mime_type: String,
    /// The text shown under the file (sent as `""` when `None`).
    pub caption: Option<String>,
    /// The name the recipient sees; sent only with a URL (the inline form has no such field).
    pub filename: Option<String>,
}

impl FileMessage {
    /// A file the gateway downloads from `url`.
    pub fn url(url: impl Into<String>, mime_type: impl Into<String>) -> Self {
        Self::new(FileSource::Url(url.into()), mime_type)
    }

    /// A file sent inline from its bytes.
    pub fn bytes(data: impl Into<Vec<u8>>, mime_type: impl Into<String>) -> Self {
        Self::new(FileSource::Bytes(data.into()), mime_type)
    }

    /// A local file, read when it is sent.
    pub fn path(path: impl Into<PathBuf>, mime_type: impl Into<String>) -> Self {
        Self::new(FileSource::Path(path.into()), mime_type)
    }

    fn new(source: FileSource, mime_type: impl Into<String>) -> Self {
        FileMessage {
            source,
            mime_type: mime_type.into(),
            caption: None,
            filename: None,
        }
    }

    /// The same file with a caption.
    pub fn caption(self, caption: impl Into<String>) -> Self {
        FileMessage {
            caption: Some(caption.into()),
            ..self
        }
    }

    /// The same file with the name the recipient sees (URL files only).
    pub fn filename(self, filename: impl Into<String>) -> Self {
        FileMessage {
            filename: Some(filename.into()),
            ..self
        }
    }

    /// The file from the bindings' flat form: exactly one of `url`, `data` and `path`.
    pub fn from_parts(
        url: Option<String>,
        data: Option<Vec<u8>>,
        path: Option<String>,
        mime_type: String,
        caption: Option<String>,
        filename: Option<String>,
    ) -> Result<Self> {
        let source = match (url, data, path) {
            (Some(url), None, None) => FileSource::Url(url),
            (None, Some(data), None) => FileSource::Bytes(data),
            (None, None, Some(path)) => FileSource::Path(path.into()),
            _ => {
                return Err(Error::invalid(
                    "send_file takes exactly one of a URL, the file's bytes or a path",
                ));
            }
        };
        Ok(FileMessage {
            source,
            mime_type,
            caption,
            filename,
        })
    }

    /// The JSON body of `send_message_file.aspx` for `to` (already a JID).
    async fn body(&self, to: String) -> Result<Value> {
        let mime_type = self.mime_type.trim();
        if mime_type.is_empty() || (mime_type != "file" && !mime_type.contains('/')) {
            return Err(Error::invalid(
                "mime_type must be a MIME type such as image/jpeg, or the word file",
            ));
        }
        let caption = self.caption.clone().unwrap_or_default();
        let inline = |data: &[u8]| -> Result<Value> {
            if data.is_empty() {
                return Err(Error::invalid("the file is empty"));
            }
            if data.len() > MAX_INLINE_FILE_BYTES {
                return Err(too_large());
            }
            if self.filename.is_some() {
                return Err(Error::invalid(
                    "a filename is sent only with a URL (the inline form has no such field)",
                ));
            }
            Ok(json!({
                "number": to,
                "caption": caption,
                "mimetype": mime_type,
                "base64": base64::engine::general_purpose::STANDARD.encode(data),
            }))
        };
        match &self.source {
            FileSource::Url(url) => {
                let parsed = reqwest::Url::parse(url.trim())
                    .map_err(|_| Error::invalid("the file URL is not an absolute URL"))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(Error::invalid("the file URL must be http(s)"));
                }
                let mut body = json!({
                    "number": to,
                    "caption": caption,
                    "url": url.trim(),
                    "type": mime_type,
                });
                if let Some(filename) = &self.filename {
                    body["filename"] = Value::from(filename.as_str());
                }
                Ok(body)
            }
            FileSource::Bytes(data) => inline(data),
            FileSource::Path(path) => inline(&read_file(path).await?),
        }
    }
}

/// A local file's bytes, at most [`MAX_INLINE_FILE_BYTES`]. Only a regular file: a FIFO
/// would block the call for ever, and `/dev/zero` or `/dev/urandom` (size 0, endless) filled
/// memory until the process died. The read itself is bounded too, since a size can lie (a
/// file under `/proc` says 0, a file can grow while it is read).
async fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| read_error(&e))?;
    let meta = file.metadata().await.map_err(|e| read_error(&e))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            "the path is not a regular file (a directory, a device or a pipe)",
        ));
    }
    if meta.len() > MAX_INLINE_FILE_BYTES as u64 {
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_INLINE_FILE_BYTES as u64 + 1)
        .read_to_end(&mut data)
        .await
        .map_err(|e| read_error(&e))?;
    if data.len() > MAX_INLINE_FILE_BYTES {
        return Err(too_large());
    }
    Ok(data)
}

fn too_large() -> Error {
    Error::invalid(format!(
        "the file is larger than {MAX_INLINE_FILE_BYTES} bytes: send it by URL"
    ))
}

/// The path is the user's, so the error gives only why it could not be read.
fn read_error(e: &std::io::Error) -> Error {
    Error::invalid(format!("the file could not be read: {}", e.kind()))
}

impl Client {
    /// `chats.aspx`: the phone's chats (people and groups). An empty answer is an empty list.
    pub async fn chats(&self) -> Result<Vec<Chat>> {
        self.call_with(&CHATS, None, parse::chats_response).await
    }

    /// `contacts.aspx`: the phone's contacts. An empty answer is an empty list.
    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        self.call_with(&CONTACTS, None, parse::contacts_response)
            .await
    }

    /// `send_message.aspx`: sends `text` to `to` (a JID, or an international number such as
    /// `+55 11 98765-4321`). WhatsApp formatting works: `*bold*`, `_italic_`, `~strike~`,
    /// triple backticks, `\n`. Never retried once it may have been sent; a refusal
    /// (`success: false`, e.g. the phone is not paired) is an `api` error.
    pub async fn send_message(&self, to: &str, text: &str) -> Result<SentMessage> {
        let to = recipient::to_jid(to)?;
        if text.trim().is_empty() {
            return Err(Error::invalid("the message text is empty"));
        }
        let body = json!({ "number": to, "message": text });
        self.call_with(&SEND_MESSAGE, Some(&body), parse::sent_response)
            .await
    }

    /// `send_message_file.aspx`: sends a file by URL or inline (bytes or a local path, at most
    /// [`MAX_INLINE_FILE_BYTES`]). Never retried once it may have been sent.
    pub async fn send_file(&self, to: &str, file: &FileMessage) -> Result<SentMessage> {
        let body = file.body(recipient::to_jid(to)?).await?;
        self.call_with(&SEND_FILE, Some(&body), parse::sent_response)
            .await
    }

    /// `get_profile.aspx`: the profile of a number in the phone's contacts; `None` when the
    /// server says no (not a contact, or the phone not paired: the API does not tell which).
    pub async fn get_profile(&self, number: &str) -> Result<Option<Contact>> {
        let body = json!({ "number": recipient::to_jid(number)? });
        self.call_with(&GET_PROFILE, Some(&body), parse::profile_response)
            .await
    }

    /// `query_profile.aspx`: the WhatsApp profile of any number; `None` when the server says
    /// no (not on WhatsApp, or the phone not paired: the API does not tell which).
    pub async fn query_profile(&self, number: &str) -> Result<Option<Contact>> {
        let body = json!({ "number": recipient::to_jid(number)? });
        self.call_with(&QUERY_PROFILE, Some(&body), parse::profile_response)
            .await
    }

    /// Whether `number` is on WhatsApp: [`Client::query_profile`] found a profile.
    pub async fn is_on_whatsapp(&self, number: &str) -> Result<bool> {
        Ok(self.query_profile(number).await?.is_some())
    }

    /// `group_create.aspx`: a new group named `name` with `participants` (JIDs or numbers,
    /// at least one; the wire's comma-separated string is built here).
    pub async fn group_create<S: AsRef<str>>(
        &self,
        name: &str,
        participants: &[S],
    ) -> Result<Group> {
        if name.trim().is_empty() {
            return Err(Error::invalid("the group name is empty"));
        }
        let participants = recipient::to_participants(participants)?.join(",");
        let body = json!({ "name": name, "participants": participants });
        self.call_with(&GROUP_CREATE, Some(&body), parse::group_response)
            .await
    }

    /// `group_add.aspx`: adds `participants` to `group` (its JID, `…@g.us`).
    pub async fn group_add<S: AsRef<str>>(&self, group: &str, participants: &[S]) -> Result<Group> {
        let jid = recipient::to_group_jid(group)?;
        let participants = recipient::to_participants(participants)?.join(",");
        let body = json!({ "jid": jid, "participants": participants });
        self.call_with(&GROUP_ADD, Some(&body), parse::group_response)
            .await
    }

    /// Any command, for those without a typed method (`send_contact.aspx`, `mark_read.aspx`,
    /// `group_remove.aspx`, …) and any the API adds later: a GET without `body`, a POST with
    /// it; the answer's JSON (`Value::Null` for an empty answer). Same transport, timeouts,
    /// redaction and errors as the typed calls; `success: false` is an `api` error.
    ///
    /// `command` is one path segment (`mark_read.aspx`; `mark_read` gets `.aspx` added);
    /// anything else is `invalid_argument`. `changes_state: false` (a command that only
    /// reads) lets timeouts, 429 and 5xx be retried; `true` (what to pass when unsure) never
    /// retries once the request may have been sent.
    pub async fn call(
        &self,
        command: &str,
        body: Option<&Value>,
        changes_state: bool,
    ) -> Result<Value> {
        // The command is printed whole in errors and logs (it is not redacted there), and
        // interned for the process's life: one that holds the key (a key pasted in the wrong
        // argument) is refused, without quoting it.
        if self.transport.holds_key(command) {
            return Err(Error::invalid(
                "the command holds the API key: pass the key to the client, not to call",
            ));
        }
        if body.is_some_and(|body| !depth_ok(body)) {
            return Err(Error::invalid(format!(
                "the body is nested deeper than {MAX_BODY_DEPTH} levels"
            )));
        }
        let name = super::command_name::intern(command)?;
        let command = Command {
            name,
            post: body.is_some(),
            changes_state,
            max_response_bytes: crate::transport::MAX_RESPONSE_BYTES,
        };
        self.call_with(&command, body, parse::any_response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn body_for(path: &str) -> Result<Value> {
        let file = FileMessage::path(path, "application/octet-stream");
        tokio::time::timeout(
            Duration::from_secs(10),
            file.body("1@s.whatsapp.net".into()),
        )
        .await
        .expect("the file is refused at once, not read for ever")
    }

    /// A FIFO blocked the call for ever (open and read wait for a writer); `/dev/zero` was
    /// read without end into memory. Both are refused before any byte is read.
    #[tokio::test]
    async fn a_path_that_is_not_a_regular_file_is_refused_at_once() {
        let dir = std::env::temp_dir().join(format!("witi-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // A writer that never writes, so that opening the FIFO for reading does not block.
        let _writer = std::thread::spawn({
            let fifo = fifo.clone();
            move || {
                let _f = std::fs::OpenOptions::new().write(true).open(&fifo);
                std::thread::sleep(Duration::from_secs(15));
            }
        });
        for path in [fifo.to_str().unwrap(), "/dev/zero", "/dev/urandom", "/tmp"] {
            let e = body_for(path).await.unwrap_err();
            assert_eq!(e.code().as_str(), "invalid_argument", "{path}: {e}");
            assert!(!e.to_string().contains(path), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn body_depth_is_counted_without_recursion() {
        let nested = |levels: usize| {
            let mut v = Value::Null;
            for i in 0..levels {
                v = if i % 2 == 0 {
                    Value::Array(vec![v])
                } else {
                    // Not `json!`: it serializes an interpolated value, recursively.
                    Value::Object(std::iter::once(("k".to_owned(), v)).collect())
                };
            }
            v
        };
        assert!(depth_ok(&json!(1)));
        assert!(depth_ok(&json!({"a": [1, {"b": 2}]})));
        assert!(depth_ok(&nested(MAX_BODY_DEPTH)));
        assert!(!depth_ok(&nested(MAX_BODY_DEPTH + 1)));
        // 100 000 levels: counted on the heap (the stack overflowed serializing it).
        let deep = nested(100_000);
        assert!(!depth_ok(&deep));
        // serde_json's Value drops recursively: leak it rather than overflow here.
        std::mem::forget(deep);
    }

    #[tokio::test]
    async fn a_regular_file_is_sent_inline() {
        let path = std::env::temp_dir().join(format!("witi-file-{}.txt", std::process::id()));
        std::fs::write(&path, b"hello").unwrap();
        let body = body_for(path.to_str().unwrap()).await.unwrap();
        assert_eq!(body["base64"], "aGVsbG8=");
        let _ = std::fs::remove_file(&path);
        let e = body_for(path.to_str().unwrap()).await.unwrap_err();
        assert!(e.to_string().contains("could not be read"), "{e}");
    }
}

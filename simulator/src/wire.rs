//! The JSON shapes of the witi.me connection API, spelled exactly as the seed document shows
//! them (typos included: `ReceveidBytes`, `webSocketOpenining`, `sucesso`, `isResponse` as a
//! string), plus the request-side helpers (body and query parsing). Command names are in command.rs.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The seed's table of status codes. Unknown codes get `"Unknown"` unless a forced status gives
/// its own string.
pub(crate) fn status_string(code: i64) -> &'static str {
    match code {
        0 => "noConnection",
        1 => "webSocketOpenining",
        2 => "webSocketOpen",
        3 => "waitForQRAuthentication",
        4 => "Starting",
        10 => "WhatsAppAuthenticated",
        11 => "WhatsAppAuthenticatedConnectionClosed",
        13 => "WhatsAppNotAuthenticated",
        _ => "Unknown",
    }
}

/// The connection information object (status.aspx, PostBacks, close/restore's `Status`).
/// Borrowed fields so the hot path serializes straight from the instance without copies.
#[derive(Serialize)]
pub(crate) struct ConnInfo<'a> {
    pub status: i64,
    #[serde(rename = "statusString")]
    pub status_string: &'a str,
    pub connected: bool,
    #[serde(rename = "ConnectionInfo", skip_serializing_if = "Option::is_none")]
    pub connection_info: Option<PhoneSession<'a>>,
    #[serde(rename = "WebID")]
    pub web_id: &'a str,
    #[serde(rename = "Webhook")]
    pub webhook: &'a str,
    #[serde(rename = "UserAgent")]
    pub user_agent: &'a str,
    #[serde(rename = "CanRestoreConnection")]
    pub can_restore: bool,
    pub stats: Stats,
    pub storage: &'a StorageNode,
}

/// `ConnectionInfo`: the paired phone, with the seed's values except the phone's JID.
#[derive(Serialize)]
pub(crate) struct PhoneSession<'a> {
    pub lg: &'static str,
    pub lc: &'static str,
    pub phone: Phone,
    pub battery: u8,
    pub tos: u8,
    pub pushname: &'static str,
    #[serde(rename = "protoVersion")]
    pub proto_version: [u8; 2],
    pub plugged: bool,
    pub platform: &'static str,
    pub wid: &'a str,
    pub connected: bool,
    #[serde(rename = "isResponse")]
    pub is_response: &'static str,
    #[serde(rename = "binVersion")]
    pub bin_version: u8,
    pub locales: &'static str,
}

#[derive(Serialize)]
pub(crate) struct Phone {
    pub device_model: &'static str,
    pub wa_version: &'static str,
    pub mcc: &'static str,
    pub os_version: &'static str,
    pub os_build_number: &'static str,
    pub device_manufacturer: &'static str,
    pub mnc: &'static str,
}

impl<'a> PhoneSession<'a> {
    pub(crate) fn seed(wid: &'a str, connected: bool) -> Self {
        PhoneSession {
            lg: "en",
            lc: "US",
            phone: Phone {
                device_model: "iPhone 4S",
                wa_version: "2.21.10.25",
                mcc: "724",
                os_version: "9.3.5",
                os_build_number: "undefined",
                device_manufacturer: "Apple",
                mnc: "031",
            },
            battery: 83,
            tos: 0,
            pushname: "Atendimento Maria",
            proto_version: [0, 17],
            plugged: false,
            platform: "iphone",
            wid,
            connected,
            is_response: "false",
            bin_version: 10,
            locales: "en-US,pt-BR",
        }
    }
}

#[derive(Serialize, Clone, Copy, Default)]
pub(crate) struct Stats {
    #[serde(rename = "Contacts")]
    pub contacts: u64,
    #[serde(rename = "Chats")]
    pub chats: u64,
    #[serde(rename = "SentBytes")]
    pub sent_bytes: u64,
    #[serde(rename = "ReceveidBytes")]
    pub received_bytes: u64,
}

impl Stats {
    /// The seed's numbers, shown once a phone has been authenticated.
    pub(crate) fn seed() -> Self {
        Stats {
            contacts: 72,
            chats: 32,
            sent_bytes: 0,
            received_bytes: 0,
        }
    }
}

#[derive(Serialize, Clone)]
pub(crate) struct StorageNode {
    #[serde(rename = "Name")]
    pub name: Cow<'static, str>,
    #[serde(rename = "Bytes")]
    pub bytes: u64,
    #[serde(rename = "Files")]
    pub files: u64,
    #[serde(rename = "Subs")]
    pub subs: Option<Vec<StorageNode>>,
}

impl StorageNode {
    fn leaf(name: &'static str, bytes: u64, files: u64) -> Self {
        StorageNode {
            name: Cow::Borrowed(name),
            bytes,
            files,
            subs: None,
        }
    }

    /// The seed's tree: the instance folder with media, profile and thumb.
    pub(crate) fn seed(web_id: &str) -> Self {
        StorageNode {
            name: Cow::Owned(web_id.to_owned()),
            bytes: 15_544_238,
            files: 107,
            subs: Some(vec![
                Self::leaf("media", 11_817_360, 27),
                Self::leaf("profile", 1_843_594, 52),
                Self::leaf("thumb", 224_238, 27),
            ]),
        }
    }

    /// The same tree with nothing stored: a new instance, or one after clear.aspx.
    pub(crate) fn empty(web_id: &str) -> Self {
        StorageNode {
            name: Cow::Owned(web_id.to_owned()),
            bytes: 0,
            files: 0,
            subs: Some(vec![
                Self::leaf("media", 0, 0),
                Self::leaf("profile", 0, 0),
                Self::leaf("thumb", 0, 0),
            ]),
        }
    }
}

/// generate_qrcode.aspx success.
#[derive(Serialize)]
pub(crate) struct QrAnswer<'a> {
    pub qr: &'a str,
    pub status: u8,
    pub error: &'a str,
    pub ttl: u64,
}

/// generate_qrcode.aspx error (and the 401 answer, without ttl).
#[derive(Serialize)]
pub(crate) struct ErrorAnswer<'a> {
    pub status: u8,
    pub error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

/// close/save/restore_session.aspx.
#[derive(Serialize)]
pub(crate) struct SessionAnswer<'a> {
    pub sucesso: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a str>,
}

/// clear.aspx.
#[derive(Serialize)]
pub(crate) struct ClearAnswer {
    pub status: bool,
    pub message: &'static str,
}

/// Serializes a wire value. Our own types serialize infallibly (no maps with non-string keys,
/// no failing Serialize impls), so an error here is a bug worth a loud message.
pub(crate) fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(1536); // a paired connection information is ~1.1 KB
    serde_json::to_writer(&mut out, value).expect("wire types always serialize");
    out
}

/// The body of set_config.aspx, every field optional.
#[derive(Default, Debug)]
pub(crate) struct SetConfigBody {
    pub webhook: Option<String>,
    pub user_agent: Option<String>,
    pub bulk: Option<bool>,
    pub api_version: Option<String>,
}

/// Parses set_config.aspx's body. Lenient where a client could plausibly differ (APIVersion as
/// a number, APIVersionCanBulk as "true"), strict on shapes that are plainly wrong.
pub(crate) fn parse_set_config(body: &[u8]) -> Result<SetConfigBody, String> {
    let map = parse_object(body)?;
    let mut out = SetConfigBody::default();
    for (name, value) in map {
        match (name.as_str(), value) {
            (_, serde_json::Value::Null) => {}
            ("webhook", serde_json::Value::String(s)) => out.webhook = Some(s),
            ("user_agent", serde_json::Value::String(s)) => out.user_agent = Some(s),
            ("APIVersionCanBulk", serde_json::Value::Bool(b)) => out.bulk = Some(b),
            ("APIVersionCanBulk", serde_json::Value::String(s)) if s == "true" || s == "false" => {
                out.bulk = Some(s == "true")
            }
            ("APIVersion", serde_json::Value::String(s)) => out.api_version = Some(s),
            ("APIVersion", serde_json::Value::Number(n)) => out.api_version = Some(n.to_string()),
            ("webhook" | "user_agent" | "APIVersionCanBulk" | "APIVersion", _) => {
                return Err(format!("field {name} has the wrong type"));
            }
            _ => {} // unknown fields are ignored, as a lenient server would
        }
    }
    Ok(out)
}

/// Parses generate_qrcode.aspx's body: `{"user_agent": "..."}`, empty body allowed.
pub(crate) fn parse_user_agent(body: &[u8]) -> Result<Option<String>, String> {
    let map = parse_object(body)?;
    match map.get("user_agent") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err("field user_agent has the wrong type".to_owned()),
    }
}

pub(crate) fn parse_object(
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(e) => Err(format!("invalid JSON body: {e}")),
    }
}

/// A string field of a parsed body: `None` when absent or `null`; a field of another type is a
/// malformed body (HTTP 400, as for the connection chapter's bodies).
pub(crate) fn str_field(
    map: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Option<String>, String> {
    match map.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("field {name} has the wrong type")),
    }
}

/// The value of `wid` in a query string, percent-decoded only when needed (the hot path's keys
/// are plain). `None` when absent, empty or not valid UTF-8 after decoding.
pub(crate) fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<Cow<'a, str>> {
    let query = query?;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name {
            let v = percent_decode(v, true)?;
            return if v.is_empty() { None } else { Some(v) };
        }
    }
    None
}

/// Decodes `%XX` (and `+` as a space in queries). `None` on invalid UTF-8.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Option<Cow<'_, str>> {
    if !s.bytes().any(|b| b == b'%' || (plus_is_space && b == b'+')) {
        return Some(Cow::Borrowed(s));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' && i + 2 < bytes.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// What a control-API client sends to /_sim/instances/{key}/postback.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PostbackBody {
    /// Any JSON value, delivered as one event through the instance's framing.
    Event(serde_json::Value),
    /// A body sent as is, without framing.
    Raw(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b", false).as_deref(), Some("a b"));
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        assert_eq!(percent_decode("%", true).as_deref(), Some("%"));
        assert_eq!(percent_decode("%4", true).as_deref(), Some("%4"));
        assert_eq!(percent_decode("%41", true).as_deref(), Some("A"));
        assert_eq!(percent_decode("%ff", true), None);
        assert_eq!(
            query_param(Some("x=1&wid=k%2F1"), "wid").as_deref(),
            Some("k/1")
        );
        assert_eq!(query_param(Some("wid="), "wid"), None);
        assert_eq!(query_param(None, "wid"), None);
    }
}

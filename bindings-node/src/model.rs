//! The results as plain JS objects, with the spec's fields in camelCase.
//!
//! `#[napi(object)]` structs become plain objects (no class, no getters) and give the
//! generated `index.d.ts` its interfaces. The conversion is field for field: the core has
//! already undone every quirk of the wire. An absent value is `undefined`. The results of the
//! Messages, Contacts and Groups calls are in `model/messages.rs`.

use napi_derive::napi;
use serde::Serialize;

mod messages;
pub use messages::{Chat, Contact, Group, SentMessage};

/// The API's connection status codes. A code this SDK does not know comes back as its number
/// (numeric enums accept any number in TypeScript).
/// The names are the spec's constants (`StatusCode.AUTHENTICATED`), as every language has them.
#[napi]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum StatusCode {
    NO_CONNECTION = 0,
    WEB_SOCKET_OPENING = 1,
    WEB_SOCKET_OPEN = 2,
    WAIT_FOR_QR_AUTHENTICATION = 3,
    STARTING = 4,
    AUTHENTICATED = 10,
    AUTHENTICATED_CONNECTION_CLOSED = 11,
    NOT_AUTHENTICATED = 13,
}

/// Connection information (`status`, `disconnect`, `setConfig`, status PostBacks).
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// A `StatusCode`, or the number of a code this SDK does not know.
    #[napi(ts_type = "StatusCode")]
    pub code: i64,
    pub status_string: String,
    pub connected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_info: Option<ConnectionInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    pub can_restore_connection: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageNode>,
    /// The response text as received.
    // Empty only on its way out of `decodePostback`, where index.js restores it (postback.rs).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub raw_json: String,
}

/// The paired phone's session.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub battery: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pushname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tos: Option<i64>,
    pub proto_version: Vec<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_response: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin_version: Option<i64>,
    pub locales: Vec<String>,
}

/// The paired phone's hardware and software.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Phone {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wa_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mnc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    /// Absent when the server says `"undefined"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_build_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_manufacturer: Option<String>,
}

/// Usage counters.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chats: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_bytes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_bytes: Option<i64>,
}

/// One folder of the instance's storage.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageNode {
    pub name: String,
    pub bytes: i64,
    pub files: i64,
    pub subs: Vec<StorageNode>,
}

/// A QR code to scan with the phone.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    /// The SVG document (text).
    pub svg: String,
    /// The `qr` value as received (`data:image/svg+xml;base64,...`).
    pub data_url: String,
    pub ttl_seconds: u32,
}

/// What `closeSession`, `saveSession` and `restoreSession` answer.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionResult {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    pub raw_json: String,
}

/// What `clear` answers.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClearResult {
    pub success: bool,
    pub message: String,
}

/// One PostBack event.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `'status'` for connection information, else `'unknown'`.
    #[napi(ts_type = "'status' | 'unknown'")]
    pub kind: String,
    /// The event's own JSON text.
    pub json: String,
    /// The parsed connection information, for kind `'status'`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The instance (its WebID) the request named with `wid=`, percent-decoded; absent when it
    /// named none. It is the instance's key: keep it out of logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wid: Option<String>,
    /// A stable id (32 hex digits) from the instance and the event's text: a redelivered body
    /// gives the same ids, two identical events in one body distinct ones.
    pub id: String,
}

impl From<witi::Status> for Status {
    fn from(s: witi::Status) -> Self {
        Status {
            code: s.code.code(),
            status_string: s.status_string,
            connected: s.connected,
            connection_info: s.connection_info.map(Into::into),
            web_id: s.web_id,
            webhook: s.webhook,
            user_agent: s.user_agent,
            can_restore_connection: s.can_restore_connection,
            stats: s.stats.map(|st| Stats {
                contacts: st.contacts,
                chats: st.chats,
                sent_bytes: st.sent_bytes,
                received_bytes: st.received_bytes,
            }),
            storage: s.storage.map(Into::into),
            raw_json: s.raw_json,
        }
    }
}

impl From<witi::ConnectionInfo> for ConnectionInfo {
    fn from(c: witi::ConnectionInfo) -> Self {
        ConnectionInfo {
            lg: c.lg,
            lc: c.lc,
            phone: c.phone.map(|p| Phone {
                device_model: p.device_model,
                wa_version: p.wa_version,
                mcc: p.mcc,
                mnc: p.mnc,
                os_version: p.os_version,
                os_build_number: p.os_build_number,
                device_manufacturer: p.device_manufacturer,
            }),
            battery: c.battery,
            plugged: c.plugged,
            platform: c.platform,
            wid: c.wid,
            pushname: c.pushname,
            tos: c.tos,
            proto_version: c.proto_version,
            connected: c.connected,
            is_response: c.is_response,
            bin_version: c.bin_version,
            locales: c.locales,
        }
    }
}

impl From<witi::StorageNode> for StorageNode {
    fn from(n: witi::StorageNode) -> Self {
        StorageNode {
            name: n.name,
            bytes: n.bytes,
            files: n.files,
            subs: n.subs.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<witi::QrCode> for QrCode {
    fn from(q: witi::QrCode) -> Self {
        QrCode {
            svg: q.svg,
            data_url: q.data_url,
            // A ttl past u32 seconds (136 years) is not a real QR code; saturate rather than wrap.
            ttl_seconds: u32::try_from(q.ttl_seconds).unwrap_or(u32::MAX),
        }
    }
}

impl From<witi::SessionResult> for SessionResult {
    fn from(r: witi::SessionResult) -> Self {
        SessionResult {
            success: r.success,
            status: r.status.map(Into::into),
            raw_json: r.raw_json,
        }
    }
}

impl From<witi::ClearResult> for ClearResult {
    fn from(r: witi::ClearResult) -> Self {
        ClearResult {
            success: r.success,
            message: r.message,
        }
    }
}

impl From<witi::Event> for Event {
    fn from(e: witi::Event) -> Self {
        Event {
            kind: e.kind.as_str().to_owned(),
            json: e.json,
            status: e.status.map(Into::into),
            wid: e.wid,
            id: e.id,
        }
    }
}

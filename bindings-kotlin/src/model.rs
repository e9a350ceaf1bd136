//! The results, as uniffi records (Kotlin data classes, Swift structs), with the names of
//! `sdk-surface.md` in each language's casing. Each is a field-by-field copy of the core's
//! type: no parsing or defaulting happens here.
//!
//! Integers are signed (`i64`, `i32`) because Kotlin's unsigned types are awkward to use;
//! every value fits.

use std::fmt;

/// A connection status code. A code this SDK does not know is `Unknown(value)`, never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum StatusCode {
    /// 0 `noConnection`
    NoConnection,
    /// 1 `webSocketOpenining` (sic)
    WebSocketOpening,
    /// 2 `webSocketOpen`
    WebSocketOpen,
    /// 3 `waitForQRAuthentication`
    WaitForQrAuthentication,
    /// 4 `Starting`
    Starting,
    /// 10 `WhatsAppAuthenticated`
    Authenticated,
    /// 11 `WhatsAppAuthenticatedConnectionClosed`
    AuthenticatedConnectionClosed,
    /// 13 `WhatsAppNotAuthenticated`
    NotAuthenticated,
    /// A code this SDK does not know yet, kept as its number.
    Unknown { value: i64 },
}

impl From<witi::StatusCode> for StatusCode {
    fn from(code: witi::StatusCode) -> Self {
        use witi::StatusCode as C;
        match code {
            C::NoConnection => StatusCode::NoConnection,
            C::WebSocketOpening => StatusCode::WebSocketOpening,
            C::WebSocketOpen => StatusCode::WebSocketOpen,
            C::WaitForQrAuthentication => StatusCode::WaitForQrAuthentication,
            C::Starting => StatusCode::Starting,
            C::Authenticated => StatusCode::Authenticated,
            C::AuthenticatedConnectionClosed => StatusCode::AuthenticatedConnectionClosed,
            C::NotAuthenticated => StatusCode::NotAuthenticated,
            C::Unknown(value) => StatusCode::Unknown { value },
        }
    }
}

impl StatusCode {
    /// The core's code for this one (variant to variant: the numbers live in the core only).
    pub(crate) fn to_core(self) -> witi::StatusCode {
        use witi::StatusCode as C;
        match self {
            StatusCode::NoConnection => C::NoConnection,
            StatusCode::WebSocketOpening => C::WebSocketOpening,
            StatusCode::WebSocketOpen => C::WebSocketOpen,
            StatusCode::WaitForQrAuthentication => C::WaitForQrAuthentication,
            StatusCode::Starting => C::Starting,
            StatusCode::Authenticated => C::Authenticated,
            StatusCode::AuthenticatedConnectionClosed => C::AuthenticatedConnectionClosed,
            StatusCode::NotAuthenticated => C::NotAuthenticated,
            // `from_code` keeps it unknown, or makes it the known code it really is.
            StatusCode::Unknown { value } => C::from_code(value),
        }
    }
}

#[uniffi::export]
impl StatusCode {
    /// The number on the wire (10 for `Authenticated`).
    pub fn code(&self) -> i64 {
        self.to_core().code()
    }

    /// The shared constant name (`"AUTHENTICATED"`), null for an unknown code.
    pub fn constant_name(&self) -> Option<String> {
        self.to_core().name().map(str::to_owned)
    }
}

/// The status code for a number; unknown numbers are kept as `Unknown`.
#[uniffi::export]
pub fn status_code_of(code: i64) -> StatusCode {
    witi::StatusCode::from_code(code).into()
}

/// Connection information: what `status`, `disconnect` and `setConfig` return and what status
/// PostBacks carry.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Status {
    pub code: StatusCode,
    pub status_string: String,
    pub connected: bool,
    pub connection_info: Option<ConnectionInfo>,
    pub web_id: Option<String>,
    pub webhook: Option<String>,
    pub user_agent: Option<String>,
    pub can_restore_connection: bool,
    pub stats: Option<Stats>,
    pub storage: Option<StorageNode>,
    /// The response text as received, so fields this SDK does not know stay reachable.
    pub raw_json: String,
}

/// The paired phone's session.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConnectionInfo {
    pub lg: Option<String>,
    pub lc: Option<String>,
    pub phone: Option<Phone>,
    pub battery: Option<i64>,
    pub plugged: Option<bool>,
    pub platform: Option<String>,
    pub wid: Option<String>,
    pub pushname: Option<String>,
    pub tos: Option<i64>,
    pub proto_version: Vec<i64>,
    pub connected: Option<bool>,
    pub is_response: Option<bool>,
    pub bin_version: Option<i64>,
    pub locales: Vec<String>,
}

/// The phone's hardware and software.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Phone {
    pub device_model: Option<String>,
    pub wa_version: Option<String>,
    pub mcc: Option<String>,
    pub mnc: Option<String>,
    pub os_version: Option<String>,
    /// Null when the server says `"undefined"`.
    pub os_build_number: Option<String>,
    pub device_manufacturer: Option<String>,
}

/// Usage counters.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Stats {
    pub contacts: Option<i64>,
    pub chats: Option<i64>,
    pub sent_bytes: Option<i64>,
    pub received_bytes: Option<i64>,
}

/// One folder of the instance's storage.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StorageNode {
    pub name: String,
    pub bytes: i64,
    pub files: i64,
    pub subs: Vec<StorageNode>,
}

/// A QR code to scan with the phone.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QrCode {
    /// The SVG document (text).
    pub svg: String,
    /// The value as received (`data:image/svg+xml;base64,...`).
    pub data_url: String,
    pub ttl_seconds: i64,
}

/// What `closeSession`, `saveSession` and `restoreSession` return.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct SessionResult {
    pub success: bool,
    pub status: Option<Status>,
    pub raw_json: String,
}

/// What `clear` returns.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClearResult {
    pub success: bool,
    pub message: String,
}

/// What kind of PostBack event this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EventKind {
    /// Connection information; `Event.status` holds it.
    Status,
    /// Any other JSON, handed over as text.
    Unknown,
}

/// One PostBack event.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Event {
    pub kind: EventKind,
    /// The event's own JSON text.
    pub json: String,
    pub status: Option<Status>,
    /// The instance (its WebID) the request named with `wid=`, percent-decoded; null when it
    /// named none. It is the instance's key: keep it out of logs.
    #[uniffi(default = None)]
    pub wid: Option<String>,
    /// A stable id (32 hex digits) from the instance and the event's text: a redelivered body
    /// gives the same ids, two identical events in one body distinct ones.
    pub id: String,
}

impl From<witi::Status> for Status {
    fn from(s: witi::Status) -> Self {
        Status {
            code: s.code.into(),
            status_string: s.status_string,
            connected: s.connected,
            connection_info: s.connection_info.map(Into::into),
            web_id: s.web_id,
            webhook: s.webhook,
            user_agent: s.user_agent,
            can_restore_connection: s.can_restore_connection,
            stats: s.stats.map(Into::into),
            storage: s.storage.map(Into::into),
            raw_json: s.raw_json,
        }
    }
}

impl From<witi::ConnectionInfo> for ConnectionInfo {
    fn from(i: witi::ConnectionInfo) -> Self {
        ConnectionInfo {
            lg: i.lg,
            lc: i.lc,
            phone: i.phone.map(Into::into),
            battery: i.battery,
            plugged: i.plugged,
            platform: i.platform,
            wid: i.wid,
            pushname: i.pushname,
            tos: i.tos,
            proto_version: i.proto_version,
            connected: i.connected,
            is_response: i.is_response,
            bin_version: i.bin_version,
            locales: i.locales,
        }
    }
}

impl From<witi::Phone> for Phone {
    fn from(p: witi::Phone) -> Self {
        Phone {
            device_model: p.device_model,
            wa_version: p.wa_version,
            mcc: p.mcc,
            mnc: p.mnc,
            os_version: p.os_version,
            os_build_number: p.os_build_number,
            device_manufacturer: p.device_manufacturer,
        }
    }
}

impl From<witi::Stats> for Stats {
    fn from(s: witi::Stats) -> Self {
        Stats {
            contacts: s.contacts,
            chats: s.chats,
            sent_bytes: s.sent_bytes,
            received_bytes: s.received_bytes,
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
            // A ttl past i64::MAX seconds is not a real answer; saturate rather than wrap.
            ttl_seconds: i64::try_from(q.ttl_seconds).unwrap_or(i64::MAX),
            svg: q.svg,
            data_url: q.data_url,
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
            kind: match e.kind {
                witi::EventKind::Status => EventKind::Status,
                witi::EventKind::Unknown => EventKind::Unknown,
            },
            json: e.json,
            status: e.status.map(Into::into),
            wid: e.wid,
            id: e.id,
        }
    }
}

/// Kotlin's way of showing a value (`null` when absent), for the hand-written `toString()`s.
fn show<T: fmt::Debug>(value: &Option<T>) -> String {
    value.as_ref().map_or("null".into(), |v| format!("{v:?}"))
}

/// `null`, or `<redacted>` for a value that is set.
fn hidden<T>(value: &Option<T>) -> &'static str {
    value.as_ref().map_or("null", |_| "<redacted>")
}

/// Hand-written (the Kotlin `toString()` / Swift `description`): `webId` is the WebID the
/// gateway appends to PostBack URLs as `&wid=`, which may be the instance's key, and `webhook`
/// and `rawJson` hold it again, and the storage tree's root is named after it; they show only
/// whether they are set, the storage its totals, and the raw JSON its size.
impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Status(code={:?}, statusString={:?}, connected={}, connectionInfo={}, webId={}, \
             webhook={}, userAgent={}, canRestoreConnection={}, stats={}, storage={}, \
             rawJson=<{} chars>)",
            self.code,
            self.status_string,
            self.connected,
            show(&self.connection_info),
            hidden(&self.web_id),
            hidden(&self.webhook),
            show(&self.user_agent),
            self.can_restore_connection,
            show(&self.stats),
            // The root's name is the WebID again: its totals only.
            self.storage.as_ref().map_or("null".into(), |n| format!(
                "StorageNode(name=<redacted>, bytes={}, files={}, subs=<{}>)",
                n.bytes,
                n.files,
                n.subs.len()
            )),
            self.raw_json.chars().count(),
        )
    }
}

/// Hand-written (the Kotlin `toString()` / Swift `description`): the `wid` may be the
/// instance's key, and a status event's JSON holds it again (its `WebID`).
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self
            .status
            .as_ref()
            .map_or("null".into(), ToString::to_string);
        write!(
            f,
            "Event(kind={}, json=<{} chars>, status={status}, wid={}, id={})",
            // Kotlin's names of the enum's entries.
            match self.kind {
                EventKind::Status => "STATUS",
                EventKind::Unknown => "UNKNOWN",
            },
            self.json.chars().count(),
            hidden(&self.wid),
            self.id,
        )
    }
}

/// Hand-written (the Kotlin `toString()` / Swift `description`): the raw text holds the
/// status's WebID (see `Status`); its size only.
impl fmt::Display for SessionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self
            .status
            .as_ref()
            .map_or("null".into(), ToString::to_string);
        write!(
            f,
            "SessionResult(success={}, status={status}, rawJson=<{} chars>)",
            self.success,
            self.raw_json.chars().count(),
        )
    }
}

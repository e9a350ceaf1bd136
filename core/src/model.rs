//! The results every command returns, with the names of `sdk-surface.md`.
//!
//! These are the SDK's words, not the wire's: the server's typos (`ReceveidBytes`), its string
//! booleans (`isResponse: "false"`) and its JSON-in-a-string (`Status`) are undone in
//! `parse.rs`, once, so no binding ever sees them. Every result that comes from connection
//! information keeps `raw_json`, so a field this SDK does not know yet stays reachable.

use serde::Serialize;
use std::fmt;
use std::time::Duration;

pub mod hidden;
mod messages;

pub use messages::{Chat, Contact, Group, GroupInformation, GroupParticipant, SentMessage};

/// The connection status codes of the API. A code this SDK does not know is kept as
/// [`StatusCode::Unknown`], never an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// A code this SDK does not know yet.
    Unknown(i64),
}

impl StatusCode {
    /// Every code the SDK knows, in numeric order.
    pub const KNOWN: [StatusCode; 8] = [
        StatusCode::NoConnection,
        StatusCode::WebSocketOpening,
        StatusCode::WebSocketOpen,
        StatusCode::WaitForQrAuthentication,
        StatusCode::Starting,
        StatusCode::Authenticated,
        StatusCode::AuthenticatedConnectionClosed,
        StatusCode::NotAuthenticated,
    ];

    /// The code for a number; unknown numbers are kept.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => StatusCode::NoConnection,
            1 => StatusCode::WebSocketOpening,
            2 => StatusCode::WebSocketOpen,
            3 => StatusCode::WaitForQrAuthentication,
            4 => StatusCode::Starting,
            10 => StatusCode::Authenticated,
            11 => StatusCode::AuthenticatedConnectionClosed,
            13 => StatusCode::NotAuthenticated,
            other => StatusCode::Unknown(other),
        }
    }

    /// The number on the wire.
    pub fn code(self) -> i64 {
        match self {
            StatusCode::NoConnection => 0,
            StatusCode::WebSocketOpening => 1,
            StatusCode::WebSocketOpen => 2,
            StatusCode::WaitForQrAuthentication => 3,
            StatusCode::Starting => 4,
            StatusCode::Authenticated => 10,
            StatusCode::AuthenticatedConnectionClosed => 11,
            StatusCode::NotAuthenticated => 13,
            StatusCode::Unknown(code) => code,
        }
    }

    /// The shared constant name (`"AUTHENTICATED"`), `None` for an unknown code.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            StatusCode::NoConnection => "NO_CONNECTION",
            StatusCode::WebSocketOpening => "WEB_SOCKET_OPENING",
            StatusCode::WebSocketOpen => "WEB_SOCKET_OPEN",
            StatusCode::WaitForQrAuthentication => "WAIT_FOR_QR_AUTHENTICATION",
            StatusCode::Starting => "STARTING",
            StatusCode::Authenticated => "AUTHENTICATED",
            StatusCode::AuthenticatedConnectionClosed => "AUTHENTICATED_CONNECTION_CLOSED",
            StatusCode::NotAuthenticated => "NOT_AUTHENTICATED",
            StatusCode::Unknown(_) => return None,
        })
    }

    /// The server's `statusString` for a known code (with its typos).
    pub fn wire_string(self) -> Option<&'static str> {
        Some(match self {
            StatusCode::NoConnection => "noConnection",
            StatusCode::WebSocketOpening => "webSocketOpenining",
            StatusCode::WebSocketOpen => "webSocketOpen",
            StatusCode::WaitForQrAuthentication => "waitForQRAuthentication",
            StatusCode::Starting => "Starting",
            StatusCode::Authenticated => "WhatsAppAuthenticated",
            StatusCode::AuthenticatedConnectionClosed => "WhatsAppAuthenticatedConnectionClosed",
            StatusCode::NotAuthenticated => "WhatsAppNotAuthenticated",
            StatusCode::Unknown(_) => return None,
        })
    }

    /// True for 10 `WhatsAppAuthenticated`: the phone is paired and the session is up.
    pub fn is_authenticated(self) -> bool {
        self == StatusCode::Authenticated
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}({})", self.code()),
            None => write!(f, "UNKNOWN({})", self.code()),
        }
    }
}

impl Serialize for StatusCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

/// Connection information: what `status.aspx`, `disconnect.aspx` and `set_config.aspx`
/// answer, and what status PostBacks carry.
#[derive(Clone, PartialEq, Serialize)]
pub struct Status {
    pub code: StatusCode,
    /// The server's `statusString`; when it sent none, the known string for the code.
    pub status_string: String,
    pub connected: bool,
    pub connection_info: Option<ConnectionInfo>,
    pub web_id: Option<String>,
    /// The PostBack URL as the server reports it (it appends `&wid=<WebID>`).
    pub webhook: Option<String>,
    pub user_agent: Option<String>,
    pub can_restore_connection: bool,
    pub stats: Option<Stats>,
    pub storage: Option<StorageNode>,
    /// The JSON text as received, so fields this SDK does not know stay reachable.
    pub raw_json: String,
}

/// Hand-written: `web_id` is the WebID the gateway appends to PostBacks as `&wid=`, which may
/// be the instance's key (as [`crate::Event`]'s `wid` is), and `webhook` carries it again (and
/// the receiver's own token); `raw_json` holds both. `Debug` output ends up in logs, so these
/// show only whether they are set, and `raw_json` as its size.
/// What `Status`'s `Debug` shows of the storage tree.
struct StorageTotals(i64, i64);

impl fmt::Debug for StorageTotals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes in {} files", self.0, self.1)
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("Status")
            .field("code", &self.code)
            .field("status_string", &self.status_string)
            .field("connected", &self.connected)
            .field("connection_info", &self.connection_info)
            .field("web_id", &hidden(&self.web_id))
            .field("webhook", &hidden(&self.webhook))
            .field("user_agent", &self.user_agent)
            .field("can_restore_connection", &self.can_restore_connection)
            .field("stats", &self.stats)
            // The root's name is the WebID again (`storage.Name` in the seed): totals only.
            .field(
                "storage",
                &self
                    .storage
                    .as_ref()
                    .map(|n| StorageTotals(n.bytes, n.files)),
            )
            .field("raw_json_len", &self.raw_json.len())
            .finish()
    }
}

/// The paired phone's session, `ConnectionInfo` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConnectionInfo {
    pub lg: Option<String>,
    pub lc: Option<String>,
    pub phone: Option<Phone>,
    pub battery: Option<i64>,
    pub plugged: Option<bool>,
    pub platform: Option<String>,
    /// The phone's JID, e.g. `5511987654321@s.whatsapp.net`.
    pub wid: Option<String>,
    pub pushname: Option<String>,
    pub tos: Option<i64>,
    pub proto_version: Vec<i64>,
    pub connected: Option<bool>,
    /// A real boolean (the wire sends the string `"false"`).
    pub is_response: Option<bool>,
    pub bin_version: Option<i64>,
    /// `locales` split on commas.
    pub locales: Vec<String>,
}

/// The phone's hardware and software, `ConnectionInfo.phone` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Phone {
    pub device_model: Option<String>,
    pub wa_version: Option<String>,
    pub mcc: Option<String>,
    pub mnc: Option<String>,
    pub os_version: Option<String>,
    /// Absent when the server says `"undefined"`.
    pub os_build_number: Option<String>,
    pub device_manufacturer: Option<String>,
}

/// Usage counters, `stats` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub contacts: Option<i64>,
    pub chats: Option<i64>,
    pub sent_bytes: Option<i64>,
    /// `ReceveidBytes` (sic) on the wire.
    pub received_bytes: Option<i64>,
}

/// One folder of the instance's storage, `storage` on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StorageNode {
    pub name: String,
    pub bytes: i64,
    pub files: i64,
    /// `Subs` on the wire; `null` there is an empty list here.
    pub subs: Vec<StorageNode>,
}

/// A QR code to scan with the phone, from `generate_qrcode.aspx`.
#[derive(Clone, PartialEq, Serialize)]
pub struct QrCode {
    /// The SVG document, decoded from the data URL.
    pub svg: String,
    /// The `qr` value as received (`data:image/svg+xml;base64,...`).
    pub data_url: String,
    /// How long the code can be scanned, from when it was generated.
    pub ttl_seconds: u64,
}

impl QrCode {
    /// The code's lifetime as a `Duration`.
    pub fn ttl(&self) -> Duration {
        Duration::from_secs(self.ttl_seconds)
    }
}

impl fmt::Debug for QrCode {
    // The SVG is kilobytes of markup: show its size, not its text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QrCode")
            .field("svg_len", &self.svg.len())
            .field("ttl_seconds", &self.ttl_seconds)
            .finish()
    }
}

/// What `close_session`, `save_session` and `restore_session` answer.
#[derive(Clone, PartialEq, Serialize)]
pub struct SessionResult {
    /// `sucesso` on the wire; an `Ok` result always has it true (false is an `api` error).
    pub success: bool,
    /// The connection information the server sent as a JSON string in `Status`, when it sent
    /// one that parses (`save_session` sends none).
    pub status: Option<Status>,
    /// The whole response text as received.
    pub raw_json: String,
}

/// Hand-written: the raw text holds the status's WebID (see [`Status`]'s `Debug`); its size only.
impl fmt::Debug for SessionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionResult")
            .field("success", &self.success)
            .field("status", &self.status)
            .field("raw_json_len", &self.raw_json.len())
            .finish()
    }
}

/// What `clear.aspx` answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClearResult {
    pub success: bool,
    pub message: String,
}

/// The settings of `set_config.aspx`; a `None` field is not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The PostBack URL (`webhook`).
    pub webhook: Option<String>,
    /// The browser name the instance presents (`user_agent`).
    pub user_agent: Option<String>,
    /// `APIVersion`, `"1.0"` or `"1.1"` (1.1 compresses bulk PostBacks).
    pub api_version: Option<String>,
    /// `APIVersionCanBulk`: batch PostBacks.
    pub api_version_can_bulk: Option<bool>,
}

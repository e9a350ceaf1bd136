//! Connection information (`Status`) from JSON, read through one typed projection so that a
//! `status.aspx` answer, a session answer's `Status` and a PostBack event give the same
//! [`Status`] for the same JSON, and so that none of them builds the JSON's whole tree.
//!
//! The lenient accessors below are README "Tolerance": a field of the wrong type is absent,
//! booleans may be `"true"`/`1`, numbers may be quoted.

use super::shape::{self, Node, Scalar, Shape};
use crate::model::{ConnectionInfo, Phone, Stats, Status, StatusCode, StorageNode};

/// One `storage` node; `Subs` nests it (cut at [`shape::MAX_ARRAY_DEPTH`]).
static STORAGE: Shape = Shape::Object(&[
    ("Name", Shape::Scalar),
    ("Bytes", Shape::Scalar),
    ("Files", Shape::Scalar),
    ("Subs", Shape::Array(&STORAGE)),
]);

static INT: Shape = Shape::Scalar;

/// The fields of connection information (`connection-api.md`, status.aspx), and `error`.
pub(crate) static STATUS: Shape = Shape::Object(&[
    ("status", Shape::Scalar),
    ("statusString", Shape::Scalar),
    ("connected", Shape::Scalar),
    (
        "ConnectionInfo",
        Shape::Object(&[
            ("lg", Shape::Scalar),
            ("lc", Shape::Scalar),
            (
                "phone",
                Shape::Object(&[
                    ("device_model", Shape::Scalar),
                    ("wa_version", Shape::Scalar),
                    ("mcc", Shape::Scalar),
                    ("mnc", Shape::Scalar),
                    ("os_version", Shape::Scalar),
                    ("os_build_number", Shape::Scalar),
                    ("device_manufacturer", Shape::Scalar),
                ]),
            ),
            ("battery", Shape::Scalar),
            ("plugged", Shape::Scalar),
            ("platform", Shape::Scalar),
            ("wid", Shape::Scalar),
            ("pushname", Shape::Scalar),
            ("tos", Shape::Scalar),
            ("protoVersion", Shape::Array(&INT)),
            ("connected", Shape::Scalar),
            ("isResponse", Shape::Scalar),
            ("binVersion", Shape::Scalar),
            ("locales", Shape::Scalar),
        ]),
    ),
    ("WebID", Shape::Scalar),
    ("Webhook", Shape::Scalar),
    ("UserAgent", Shape::Scalar),
    ("CanRestoreConnection", Shape::Scalar),
    (
        "stats",
        Shape::Object(&[
            ("Contacts", Shape::Scalar),
            ("Chats", Shape::Scalar),
            ("SentBytes", Shape::Scalar),
            ("ReceveidBytes", Shape::Scalar),
            ("ReceivedBytes", Shape::Scalar),
        ]),
    ),
    ("storage", STORAGE_FIELD),
    ("error", Shape::Scalar),
]);

/// `storage` at the top: the same node shape as [`STORAGE`].
const STORAGE_FIELD: Shape = Shape::Object(&[
    ("Name", Shape::Scalar),
    ("Bytes", Shape::Scalar),
    ("Files", Shape::Scalar),
    ("Subs", Shape::Array(&STORAGE)),
]);

/// Keys only connection information has (an integer `status` alone is not enough in a
/// PostBack: a message or an acknowledgement may carry one).
const STATUS_ONLY_KEYS: [&str; 4] = [
    "statusString",
    "ConnectionInfo",
    "WebID",
    "CanRestoreConnection",
];

/// Connection information from what [`STATUS`] kept; `None` when it has no integer `status`
/// code, the one field without which it is not connection information.
pub(crate) fn status_from_node(node: &Node<'_>, raw_json: String) -> Option<Status> {
    let code = StatusCode::from_code(int(node.get("status"))?);
    let status_string = string(node.get("statusString"))
        .or_else(|| code.wire_string().map(str::to_owned))
        .unwrap_or_default();
    Some(Status {
        code,
        status_string,
        connected: boolean(node.get("connected")).unwrap_or(false),
        connection_info: object(node.get("ConnectionInfo")).map(connection_info),
        web_id: string(node.get("WebID")),
        webhook: string(node.get("Webhook")),
        user_agent: string(node.get("UserAgent")),
        can_restore_connection: boolean(node.get("CanRestoreConnection")).unwrap_or(false),
        stats: object(node.get("stats")).map(|s| Stats {
            contacts: int(s.get("Contacts")),
            chats: int(s.get("Chats")),
            sent_bytes: int(s.get("SentBytes")),
            received_bytes: int(s.get("ReceveidBytes")).or_else(|| int(s.get("ReceivedBytes"))),
        }),
        storage: object(node.get("storage")).map(storage),
        raw_json,
    })
}

/// Connection information from a PostBack event read with [`STATUS`]: it needs one of
/// [`STATUS_ONLY_KEYS`] besides the code.
pub(crate) fn status_event_from_node(node: &Node<'_>, text: &str) -> Option<Status> {
    is_status_event(node)
        .then(|| status_from_node(node, text.to_owned()))
        .flatten()
}

/// Whether [`status_event_from_node`] finds connection information in `node`, without
/// building it: one of [`STATUS_ONLY_KEYS`] and an integer code (all `status_from_node` needs).
pub(crate) fn is_status_event(node: &Node<'_>) -> bool {
    STATUS_ONLY_KEYS.iter().any(|k| node.get(k).is_some()) && int(node.get("status")).is_some()
}

/// Connection information from JSON text (a session answer's `Status` string).
pub(crate) fn status_from_text(text: &str) -> Option<Status> {
    let node = shape::read_str(&STATUS, text.trim_start_matches('\u{feff}')).ok()?;
    status_from_node(&node, text.to_owned())
}

/// A non-empty `error` text: the API's way of saying no with HTTP 200.
pub(crate) fn api_error_text(node: &Node<'_>) -> Option<String> {
    match node.get("error") {
        Some(Node::Scalar(Scalar::Str(s))) if !s.trim().is_empty() => Some(s.to_string()),
        _ => None,
    }
}

fn connection_info(map: &Node<'_>) -> ConnectionInfo {
    ConnectionInfo {
        lg: string(map.get("lg")),
        lc: string(map.get("lc")),
        phone: object(map.get("phone")).map(|p| Phone {
            device_model: string(p.get("device_model")),
            wa_version: string(p.get("wa_version")),
            mcc: string(p.get("mcc")),
            mnc: string(p.get("mnc")),
            os_version: string(p.get("os_version")),
            os_build_number: string(p.get("os_build_number")).filter(|s| s != "undefined"),
            device_manufacturer: string(p.get("device_manufacturer")),
        }),
        battery: int(map.get("battery")),
        plugged: boolean(map.get("plugged")),
        platform: string(map.get("platform")),
        wid: string(map.get("wid")),
        pushname: string(map.get("pushname")),
        tos: int(map.get("tos")),
        proto_version: match map.get("protoVersion") {
            Some(Node::Array(items)) => items.iter().filter_map(|v| int(Some(v))).collect(),
            _ => Vec::new(),
        },
        connected: boolean(map.get("connected")),
        is_response: boolean(map.get("isResponse")),
        bin_version: int(map.get("binVersion")),
        locales: string(map.get("locales"))
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A node and its `Subs` (the reader already cut the tree at its depth and item bounds).
fn storage(map: &Node<'_>) -> StorageNode {
    let subs = match map.get("Subs") {
        Some(Node::Array(items)) => items
            .iter()
            .filter(|v| v.is_object())
            .map(storage)
            .collect(),
        _ => Vec::new(),
    };
    StorageNode {
        name: string(map.get("Name")).unwrap_or_default(),
        bytes: int(map.get("Bytes")).unwrap_or(0),
        files: int(map.get("Files")).unwrap_or(0),
        subs,
    }
}

fn object<'n, 'a>(v: Option<&'n Node<'a>>) -> Option<&'n Node<'a>> {
    v.filter(|n| n.is_object())
}

fn scalar<'n, 'a>(v: Option<&'n Node<'a>>) -> Option<&'n Scalar<'a>> {
    match v? {
        Node::Scalar(s) => Some(s),
        _ => None,
    }
}

/// A string; numbers and booleans are turned into their JSON text, `null` is absent.
fn string(v: Option<&Node<'_>>) -> Option<String> {
    match scalar(v)? {
        Scalar::Str(s) => Some(s.to_string()),
        Scalar::Int(i) => Some(i.to_string()),
        Scalar::UInt(u) => Some(u.to_string()),
        Scalar::Float(f) => serde_json::Number::from_f64(*f).map(|n| n.to_string()),
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Null => None,
    }
}

/// An integer; a quoted number or a float with no fraction is taken too (a float past the
/// `i64` range saturates, an integer past it too).
fn int(v: Option<&Node<'_>>) -> Option<i64> {
    match scalar(v)? {
        Scalar::Int(i) => Some(*i),
        Scalar::UInt(u) => Some(i64::try_from(*u).unwrap_or(i64::MAX)),
        Scalar::Float(f) => (f.fract() == 0.0).then_some(*f as i64),
        Scalar::Str(s) => s.trim().parse().ok(),
        Scalar::Bool(_) | Scalar::Null => None,
    }
}

/// A boolean; the strings `"true"`/`"false"` (any case) and the integers 1/0 are taken too.
fn boolean(v: Option<&Node<'_>>) -> Option<bool> {
    match scalar(v)? {
        Scalar::Bool(b) => Some(*b),
        Scalar::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Scalar::Int(1) | Scalar::UInt(1) => Some(true),
        Scalar::Int(0) | Scalar::UInt(0) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Node<'_> {
        shape::read_str(&STATUS, text).expect("valid JSON")
    }

    #[test]
    fn lenient_scalars() {
        let n = read(r#"{"status":"42","connected":"False","WebID":null,"UserAgent":1.5}"#);
        assert_eq!(int(n.get("status")), Some(42));
        assert_eq!(boolean(n.get("connected")), Some(false));
        assert_eq!(string(n.get("WebID")), None);
        assert_eq!(string(n.get("UserAgent")).as_deref(), Some("1.5"));
        let n = read(r#"{"status":3.0,"connected":"yes"}"#);
        assert_eq!(int(n.get("status")), Some(3));
        assert_eq!(boolean(n.get("connected")), None);
        assert_eq!(int(read(r#"{"status":3.5}"#).get("status")), None);
    }

    #[test]
    fn same_status_as_the_map_reading_for_the_seed_example() {
        let text = include_str!("../../../tests/fixtures/postback/status_event.json");
        let node = read(text);
        let status = status_event_from_node(&node, text).expect("connection information");
        assert_eq!(status.code, StatusCode::from_code(10));
        let info = status.connection_info.expect("ConnectionInfo");
        assert!(!info.proto_version.is_empty());
    }
}

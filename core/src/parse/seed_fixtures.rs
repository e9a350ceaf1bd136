//! The seed's JSON examples, verbatim (`tests/fixtures/seed/*.seed.txt`), through the parsers.
//!
//! The seed annotates its examples with `//` comments and elides with `...`; a server sends
//! neither, so [`normalise`] removes exactly those two things and nothing else. What is left
//! must parse into the documented values.

use super::*;
use crate::model::StatusCode;

fn seed(name: &str) -> String {
    let path = format!(
        "{}/../tests/fixtures/seed/{name}.seed.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the seed fixtures are checked in");
    normalise(&text)
}

/// Drops `//` comments outside strings, lines that are only `...`, and the commas those
/// leave dangling before a `}`.
fn normalise(text: &str) -> String {
    let mut lines = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut cut = line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                _ if escaped => escaped = false,
                b'\\' if in_string => escaped = true,
                b'"' => in_string = !in_string,
                b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => {
                    cut = i;
                    break;
                }
                _ => {}
            }
        }
        let kept = line[..cut].trim_end();
        if kept.trim() != "..." {
            lines.push(kept.to_owned());
        }
    }
    let joined = lines.join("\n");
    let mut out = String::with_capacity(joined.len());
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ',' && chars[i + 1..].iter().find(|c| !c.is_whitespace()) == Some(&'}') {
            continue;
        }
        out.push(c);
    }
    out
}

static REDACTOR: std::sync::LazyLock<crate::redact::Redactor> =
    std::sync::LazyLock::new(|| crate::redact::Redactor::new("seed-fixture-key"));

fn body<'a>(command: &'static str, text: &'a str) -> Body<'a> {
    Body {
        command,
        text,
        content_type: Some("application/json"),
        redactor: &REDACTOR,
    }
}

#[test]
fn status_example_parses_into_every_field() {
    let text = seed("status");
    let s = status_response(&body("status.aspx", &text)).expect("the seed's status example");
    assert_eq!(s.code, StatusCode::Authenticated);
    assert_eq!(s.status_string, "WhatsAppAuthenticated");
    assert!(s.connected);
    assert_eq!(
        s.web_id.as_deref(),
        Some("6D6307C3-2973-4468-85FA-D047CB8E1F2E")
    );
    assert_eq!(
        s.webhook.as_deref(),
        Some("http://my-erp.com.br&wid=6D6307C3-2973-4468-85FA-D047CB8E1F2E")
    );
    assert_eq!(s.user_agent.as_deref(), Some("Chrome"));
    assert!(s.can_restore_connection);
    let info = s.connection_info.as_ref().expect("ConnectionInfo");
    assert_eq!(info.lg.as_deref(), Some("en"));
    assert_eq!(info.lc.as_deref(), Some("US"));
    assert_eq!(info.battery, Some(83));
    assert_eq!(info.tos, Some(0));
    assert_eq!(info.pushname.as_deref(), Some("Atendimento Maria"));
    assert_eq!(info.proto_version, [0, 17]);
    assert_eq!(info.plugged, Some(false));
    assert_eq!(info.platform.as_deref(), Some("iphone"));
    assert_eq!(info.wid.as_deref(), Some("5511987654321@s.whatsapp.net"));
    assert_eq!(info.connected, Some(true));
    assert_eq!(
        info.is_response,
        Some(false),
        "isResponse is the string \"false\""
    );
    assert_eq!(info.bin_version, Some(10));
    assert_eq!(info.locales, ["en-US", "pt-BR"]);
    let phone = info.phone.as_ref().expect("phone");
    assert_eq!(phone.device_model.as_deref(), Some("iPhone 4S"));
    assert_eq!(phone.wa_version.as_deref(), Some("2.21.10.25"));
    assert_eq!(phone.mcc.as_deref(), Some("724"));
    assert_eq!(phone.mnc.as_deref(), Some("031"));
    assert_eq!(phone.os_version.as_deref(), Some("9.3.5"));
    assert_eq!(phone.os_build_number, None, "\"undefined\" is absent");
    assert_eq!(phone.device_manufacturer.as_deref(), Some("Apple"));
    let stats = s.stats.as_ref().expect("stats");
    assert_eq!(
        (
            stats.contacts,
            stats.chats,
            stats.sent_bytes,
            stats.received_bytes
        ),
        (Some(72), Some(32), Some(0), Some(0))
    );
    let storage = s.storage.as_ref().expect("storage");
    assert_eq!(
        (storage.name.as_str(), storage.bytes, storage.files),
        ("6D6307C3-2973-4468-85FA-D047CB8E1F2E", 15544238, 107)
    );
    let subs: Vec<(&str, i64, i64, usize)> = storage
        .subs
        .iter()
        .map(|n| (n.name.as_str(), n.bytes, n.files, n.subs.len()))
        .collect();
    assert_eq!(
        subs,
        [
            ("media", 11817360, 27, 0),
            ("profile", 1843594, 52, 0),
            ("thumb", 224238, 27, 0)
        ]
    );
    assert_eq!(s.raw_json, text, "raw_json is the text as received");
}

#[test]
fn disconnect_and_set_config_examples() {
    let d =
        status_response(&body("disconnect.aspx", &seed("disconnect"))).expect("disconnect example");
    assert_eq!(
        (d.code, d.status_string.as_str(), d.connected),
        (StatusCode::NoConnection, "noConnection", false)
    );
    assert!(d.connection_info.is_none());
    let c =
        status_response(&body("set_config.aspx", &seed("set_config"))).expect("set_config example");
    assert_eq!(c.code, StatusCode::Authenticated);
    assert_eq!(
        c.webhook.as_deref(),
        Some("https://my-system.com/newWebHook")
    );
    assert_eq!(c.user_agent.as_deref(), Some("Opera"));
}

#[test]
fn qrcode_examples() {
    // The seed elides the image as "...": that is no data URL, and the parser says so.
    let e =
        qrcode_response(&body("generate_qrcode.aspx", &seed("generate_qrcode_ok"))).unwrap_err();
    assert_eq!(e.code().as_str(), "decode");
    // The same answer with a real image.
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>";
    let data_url = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    let filled = seed("generate_qrcode_ok").replace("\"...\"", &format!("\"{data_url}\""));
    let qr = qrcode_response(&body("generate_qrcode.aspx", &filled)).expect("filled example");
    assert_eq!(
        (qr.svg.as_str(), qr.data_url.as_str(), qr.ttl_seconds),
        (svg, data_url.as_str(), 20)
    );

    let e = qrcode_response(&body(
        "generate_qrcode.aspx",
        &seed("generate_qrcode_error"),
    ))
    .unwrap_err();
    assert_eq!(e.code().as_str(), "api");
    assert_eq!(e.server_message(), Some("Connection already established"));
}

#[test]
fn session_examples() {
    // `Status` is a JSON string; the seed elides its end, so it does not parse and is left
    // empty, while the call itself succeeded.
    for name in ["close_session", "restore_session"] {
        let r = session_response(&body("close_session.aspx", &seed(name))).expect(name);
        assert!(r.success);
        assert_eq!(r.status, None, "{name}");
    }
    let save = session_response(&body("save_session.aspx", &seed("save_session"))).expect("save");
    assert!(save.success && save.status.is_none());
    // The same shape with a whole `Status` string.
    let full = r#"{"sucesso": true, "Status": "{\"status\":10,\"statusString\":\"WhatsAppAuthenticated\",\"connected\":true}"}"#;
    let r = session_response(&body("restore_session.aspx", full)).expect("full");
    let status = r.status.expect("inner status");
    assert_eq!(
        (status.code, status.connected),
        (StatusCode::Authenticated, true)
    );
    assert_eq!(
        status.raw_json,
        r#"{"status":10,"statusString":"WhatsAppAuthenticated","connected":true}"#
    );
    let refused = r#"{"sucesso": false, "error": "No saved session"}"#;
    let e = session_response(&body("restore_session.aspx", refused)).unwrap_err();
    assert_eq!(
        (e.code().as_str(), e.server_message()),
        ("api", Some("No saved session"))
    );
}

#[test]
fn clear_example() {
    let c = clear_response(&body("clear.aspx", &seed("clear"))).expect("clear example");
    assert_eq!((c.success, c.message.as_str()), (true, "clear ok"));
}

#[test]
fn request_examples_are_what_the_client_sends() {
    // The seed's set_config body, normalised, is exactly the JSON `config_body` builds.
    let seed_body: serde_json::Value =
        serde_json::from_str(&seed("set_config_request")).expect("json");
    assert_eq!(seed_body["APIVersion"], "1.0");
    assert_eq!(seed_body["APIVersionCanBulk"], false);
    let qr_body: serde_json::Value =
        serde_json::from_str(&seed("generate_qrcode_request")).expect("json");
    assert!(
        qr_body["user_agent"]
            .as_str()
            .is_some_and(|ua| ua.starts_with("Mozilla/5.0"))
    );
}

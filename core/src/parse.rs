//! From the server's JSON to the SDK's results, tolerant the way the real API needs.
//!
//! Why hand-written extraction over `#[derive(Deserialize)]`: the API's fields may be missing,
//! may change type (`isResponse` is a string boolean, a number may come quoted), and new ones
//! appear. A derive would turn each such surprise into a failed call; here a field of the wrong
//! shape becomes `None` and the response text stays in `raw_json`. Only a body that is not JSON,
//! or not the object the command answers with, is a `decode` error.

use crate::error::{Error, Result};
use crate::model::{ClearResult, QrCode, SessionResult, Status};
use crate::redact::Redactor;
use base64::Engine;
use serde_json::{Map, Value};

pub(crate) mod messages;
pub(crate) mod shape;
pub(crate) mod status;

/// A response body, with what a `decode` error must say about it and the client's redactor
/// (a body may echo the key, and its snippet is redacted before it is cut).
pub(crate) struct Body<'a> {
    pub command: &'static str,
    pub text: &'a str,
    pub content_type: Option<&'a str>,
    pub redactor: &'a Redactor,
}

impl Body<'_> {
    pub(crate) fn decode_error(&self, message: impl Into<String>) -> Error {
        Error::Decode {
            command: self.command,
            message: message.into(),
            content_type: self.content_type.map(str::to_owned),
            snippet: self.redactor.snippet(self.text),
        }
    }

    /// The body as a JSON object, or a `decode` error that says what came instead.
    pub(crate) fn object(&self) -> Result<Map<String, Value>> {
        if self.text.trim().is_empty() {
            return Err(self.decode_error("empty body where JSON was expected"));
        }
        match serde_json::from_str::<Value>(self.text.trim_start_matches('\u{feff}')) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(self.decode_error("JSON that is not an object")),
            Err(e) if e.is_eof() => Err(self.decode_error("truncated JSON")),
            Err(_) => Err(self.decode_error("a body that is not JSON")),
        }
    }
}

/// A non-empty `error` text in an answer: the API's way of saying no with HTTP 200.
fn api_error_text(map: &Map<String, Value>) -> Option<String> {
    match map.get("error") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// `status.aspx`, `disconnect.aspx`, `set_config.aspx`: read through [`status::STATUS`], the
/// same projection a PostBack event gets, so both give the same [`Status`].
pub(crate) fn status_response(body: &Body<'_>) -> Result<Status> {
    if body.text.trim().is_empty() {
        return Err(body.decode_error("empty body where JSON was expected"));
    }
    let node = match shape::read_str(&status::STATUS, body.text.trim_start_matches('\u{feff}')) {
        Ok(node) if node.is_object() => node,
        Ok(_) => return Err(body.decode_error("JSON that is not an object")),
        Err(e) if e.is_eof() => return Err(body.decode_error("truncated JSON")),
        Err(_) => return Err(body.decode_error("a body that is not JSON")),
    };
    if let Some(message) = status::api_error_text(&node) {
        return Err(Error::Api {
            command: body.command,
            message,
        });
    }
    status::status_from_node(&node, body.text.to_owned())
        .ok_or_else(|| body.decode_error("connection information without a `status` code"))
}

/// `generate_qrcode.aspx`: `{"qr": "data:image/svg+xml;base64,...", "status": 1, "error": "",
/// "ttl": 20}`, or `{"status": 0, "error": "Connection already established", "ttl": 0}`.
pub(crate) fn qrcode_response(body: &Body<'_>) -> Result<QrCode> {
    let map = body.object()?;
    if let Some(message) = api_error_text(&map) {
        return Err(Error::Api {
            command: body.command,
            message,
        });
    }
    let data_url = match string(map.get("qr")) {
        Some(qr) if !qr.trim().is_empty() => qr,
        _ => {
            return Err(match int(map.get("status")) {
                Some(0) => Error::Api {
                    command: body.command,
                    message: "the server generated no QR code".to_owned(),
                },
                _ => body.decode_error("an answer without a `qr` field"),
            });
        }
    };
    let svg = svg_from_data_url(&data_url)
        .ok_or_else(|| body.decode_error("a `qr` value that is not an SVG data URL"))?;
    let ttl_seconds = int(map.get("ttl"))
        .filter(|t| *t > 0)
        .map_or(DEFAULT_QR_TTL_SECONDS, |t| t as u64);
    Ok(QrCode {
        svg,
        data_url,
        ttl_seconds,
    })
}

/// The QR's lifetime when the server sends none: the value of the seed's example.
pub(crate) const DEFAULT_QR_TTL_SECONDS: u64 = 20;

/// The SVG text of a `data:image/svg+xml;base64,...` URL. Also takes a non-base64 data URL
/// (percent-encoded), bare base64, or bare SVG, since servers drift.
pub(crate) fn svg_from_data_url(value: &str) -> Option<String> {
    let value = value.trim();
    let (is_base64, payload) = match value.strip_prefix("data:") {
        Some(rest) => {
            let (meta, payload) = rest.split_once(',')?;
            (meta.ends_with(";base64"), payload)
        }
        // Bare markup is taken only when it is SVG, as the decoded forms below are.
        None if value.starts_with('<') => return value.contains("<svg").then(|| value.to_owned()),
        None => (true, value),
    };
    let bytes = if is_base64 {
        let compact: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .ok()?
    } else {
        percent_decode(payload)?
    };
    let text = String::from_utf8(bytes).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    text.contains("<svg").then(|| text.to_owned())
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Two hex digits exactly: `from_str_radix` alone would take a sign (`%+1`).
            let hex = s
                .get(i + 1..i + 3)
                .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `close_session`, `save_session`, `restore_session`: `{"sucesso": true, "Status": "<JSON>"}`.
pub(crate) fn session_response(body: &Body<'_>) -> Result<SessionResult> {
    let map = body.object()?;
    let success = match boolean(map.get("sucesso")).or_else(|| boolean(map.get("success"))) {
        Some(s) => s,
        None => return Err(body.decode_error("an answer without `sucesso`")),
    };
    if !success {
        let message = api_error_text(&map)
            .or_else(|| string(map.get("message")))
            .unwrap_or_else(|| "the server answered sucesso=false".to_owned());
        return Err(Error::Api {
            command: body.command,
            message,
        });
    }
    // The connection information comes as a JSON *string*; an object is taken too. A string
    // that does not parse leaves `status` empty rather than failing a call that succeeded.
    let status = match map.get("Status") {
        Some(Value::String(inner)) => status::status_from_text(inner),
        Some(inner @ Value::Object(_)) => shape::read(&status::STATUS, inner)
            .ok()
            .and_then(|node| status::status_from_node(&node, inner.to_string())),
        _ => None,
    };
    Ok(SessionResult {
        success,
        status,
        raw_json: body.text.to_owned(),
    })
}

/// `clear.aspx`: `{"status": true, "message": "clear ok"}`.
pub(crate) fn clear_response(body: &Body<'_>) -> Result<ClearResult> {
    let map = body.object()?;
    let message = string(map.get("message")).unwrap_or_default();
    match boolean(map.get("status")) {
        Some(true) => Ok(ClearResult {
            success: true,
            message,
        }),
        Some(false) => Err(Error::Api {
            command: body.command,
            message: api_error_text(&map)
                .or(Some(message).filter(|m| !m.is_empty()))
                .unwrap_or_else(|| "the server answered status=false".to_owned()),
        }),
        None => Err(body.decode_error("an answer without a boolean `status`")),
    }
}

/// A string; numbers and booleans are turned into their text, `null` is absent.
fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer; a quoted number or a float with no fraction is taken too.
fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A boolean; the strings `"true"`/`"false"` (any case) and the numbers 1/0 are taken too.
fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StatusCode;

    static REDACTOR: std::sync::LazyLock<Redactor> =
        std::sync::LazyLock::new(|| Redactor::new("K3y+/=%41-witi-SECRET"));

    fn body(text: &str) -> Body<'_> {
        Body {
            command: "status.aspx",
            text,
            content_type: Some("application/json"),
            redactor: &REDACTOR,
        }
    }

    #[test]
    fn lenient_scalars() {
        assert_eq!(int(Some(&Value::from("42"))), Some(42));
        assert_eq!(int(Some(&serde_json::json!(3.0))), Some(3));
        assert_eq!(int(Some(&serde_json::json!(3.5))), None);
        assert_eq!(boolean(Some(&Value::from("False"))), Some(false));
        assert_eq!(boolean(Some(&Value::from("yes"))), None);
        assert_eq!(string(Some(&Value::Null)), None);
    }

    #[test]
    fn unknown_code_is_kept_with_its_string() {
        let s = status_response(&body(r#"{"status": 99, "statusString": "Brand new"}"#)).unwrap();
        assert_eq!(s.code, StatusCode::Unknown(99));
        assert_eq!(s.status_string, "Brand new");
        assert!(!s.connected);
    }

    #[test]
    fn missing_status_string_falls_back_to_the_known_one() {
        let s = status_response(&body(r#"{"status": 3}"#)).unwrap();
        assert_eq!(s.status_string, "waitForQRAuthentication");
    }

    #[test]
    fn decode_errors_say_what_came() {
        let e = status_response(&body("<html>502 Bad Gateway</html>")).unwrap_err();
        assert_eq!(e.code().as_str(), "decode");
        assert!(e.to_string().contains("not JSON"), "{e}");
        assert!(e.to_string().contains("<html>502"), "{e}");
        let e = status_response(&body(r#"{"status": 10, "conn"#)).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = status_response(&body("")).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let e = status_response(&body("[1,2]")).unwrap_err();
        assert!(e.to_string().contains("not an object"), "{e}");
        let e = status_response(&body(r#"{"foo": 1}"#)).unwrap_err();
        assert!(e.to_string().contains("without a `status`"), "{e}");
    }

    #[test]
    fn a_status_answer_and_a_status_postback_give_the_same_status() {
        let seed = include_str!("../../tests/fixtures/postback/status_event.json");
        let variants = [
            seed,
            r#"{"status":"4","statusString":"Starting","connected":"TRUE","WebID":12,"x":[[1]]}"#,
            r#"{"status":10,"WebID":"a","status":3.0,"stats":{"ReceveidBytes":"7"},"storage":{"Name":"r","Subs":[{"Name":"c","Bytes":2}]}}"#,
        ];
        for text in variants {
            let mut answer = status_response(&body(text)).expect("connection information");
            let mut event = crate::decode_postback(text.as_bytes())
                .expect("valid")
                .remove(0)
                .status
                .expect("a status event");
            // The answer keeps its body as sent, the event its own text without the trailing
            // newline: the same JSON.
            assert_eq!(answer.raw_json.trim(), event.raw_json);
            (answer.raw_json, event.raw_json) = (String::new(), String::new());
            assert_eq!(answer, event, "{text}");
        }
        let dup = status_response(&body(variants[2])).expect("valid");
        assert_eq!(
            dup.code,
            StatusCode::from_code(3),
            "the last duplicate wins"
        );
        assert_eq!(dup.stats.and_then(|s| s.received_bytes), Some(7));
        assert_eq!(dup.storage.expect("storage").subs[0].bytes, 2);
    }

    #[test]
    fn snippet_cuts_on_a_char_boundary() {
        let long = "é".repeat(100);
        let s = REDACTOR.snippet(&long);
        assert!(s.ends_with('…'));
        assert!(s.len() <= 123);
    }

    #[test]
    fn a_decode_snippet_is_redacted_before_it_is_cut() {
        // The key straddles the cut at 120 bytes: cut first, 20 of its 21 characters would
        // survive; redacted first, none does, in any of its echoed forms.
        for echoed in ["K3y+/=%41-witi-SECRET", "K3y%2b%2f%3d%2541-witi-SECRET"] {
            for pad in [90, 94, 99, 100, 110, 117] {
                let text = format!("<html>{}{echoed} and more</html>", "x".repeat(pad));
                let e = status_response(&body(&text)).unwrap_err();
                let shown = e.to_string();
                for piece in ["witi-SECRET", "K3y+/", "K3y%2b", "-witi", "%2541"] {
                    assert!(!shown.contains(piece), "{piece} in {shown}");
                }
            }
        }
    }

    #[test]
    fn deep_storage_is_cut_not_recursed_forever() {
        // 60 levels of `{"Subs":[...]}` is 120 JSON levels: under serde_json's own limit of
        // 128, so this reaches our cut at MAX_STORAGE_DEPTH.
        let mut text = String::from(r#"{"Name":"leaf","Bytes":1,"Files":1,"Subs":null}"#);
        for i in 0..60 {
            text = format!(r#"{{"Name":"n{i}","Bytes":1,"Files":1,"Subs":[{text}]}}"#);
        }
        let full = format!(r#"{{"status":0,"storage":{text}}}"#);
        let status = status_response(&body(&full)).expect("deep but valid JSON");
        let mut depth = 0;
        let mut node = status.storage.as_ref().expect("storage");
        while let Some(child) = node.subs.first() {
            node = child;
            depth += 1;
        }
        assert_eq!(
            depth,
            shape::MAX_ARRAY_DEPTH,
            "the tree is cut at the limit"
        );
        // Deep nesting in a field that is not read is skipped without recursion (serde_json's
        // `IgnoredAny` walks it with a counter), so it is valid JSON like any other.
        let deeper = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let s = status_response(&body(&format!(r#"{{"status":0,"x":{deeper}}}"#)))
            .expect("deep but valid, and skipped");
        assert_eq!(s.code, StatusCode::NoConnection);
        let e = status_response(&body(&format!(r#"{{"status":0,"x":{deeper}]}}"#))).unwrap_err();
        assert_eq!(e.code().as_str(), "decode");
    }

    #[test]
    fn svg_data_url_variants() {
        let svg = "<svg xmlns='http://www.w3.org/2000/svg'></svg>";
        let b64 = base64::engine::general_purpose::STANDARD.encode(svg);
        assert_eq!(
            svg_from_data_url(&format!("data:image/svg+xml;base64,{b64}")).as_deref(),
            Some(svg)
        );
        assert_eq!(svg_from_data_url(&b64).as_deref(), Some(svg));
        assert_eq!(
            svg_from_data_url("data:image/svg+xml,%3Csvg%3E%3C/svg%3E").as_deref(),
            Some("<svg></svg>")
        );
        assert_eq!(svg_from_data_url("data:image/png;base64,AAAA"), None);
        // Markup that is not SVG is not a QR code (found by the `parse_response` fuzz target).
        assert_eq!(svg_from_data_url("<html>502 Bad Gateway</html>"), None);
        assert_eq!(svg_from_data_url("<10,\n\"statsvgr\0"), None);
        let e = qrcode_response(&body(r#"{"qr":"<html></html>","status":1}"#)).unwrap_err();
        assert_eq!(e.code().as_str(), "decode");
        // An escape is two hex digits, no sign.
        assert_eq!(svg_from_data_url("data:image/svg+xml,%3Csvg%3E%+1"), None);
        assert_eq!(svg_from_data_url("data:image/svg+xml,%3Csvg%3E%-1"), None);
        assert_eq!(svg_from_data_url("data:image/svg+xml;base64,!!!"), None);
    }
}

#[cfg(test)]
mod fuzz_regressions;
#[cfg(test)]
mod seed_fixtures;

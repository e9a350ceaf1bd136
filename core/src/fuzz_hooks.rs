//! The crate-private response parsers, reachable from the fuzz targets in `fuzz/` (and from
//! nowhere else: this module exists only with the `fuzzing` feature, which no SDK enables).
//!
//! Why a module of its own: the parsers are `pub(crate)` on purpose (their input type,
//! `parse::Body`, is an internal detail), yet libFuzzer needs to call each one on raw text.
//! One thin function per parser, each taking the answer's text and returning the parser's own
//! result, keeps the parsers' signatures free to change: only this file follows them.

#![cfg(feature = "fuzzing")]
#![doc(hidden)]

use crate::error::Result;
use crate::model::{ClearResult, QrCode, SessionResult, Status};
use crate::parse::{self, Body};
use crate::redact::Redactor;
use std::sync::LazyLock;

/// A redactor for a key with every character class the encoders treat specially, so the
/// fuzzed texts also exercise the redaction of snippets.
static REDACTOR: LazyLock<Redactor> =
    LazyLock::new(|| Redactor::with_secrets("K3y+/=%41 fuzz-SECRET", []));

fn body<'a>(command: &'static str, text: &'a str) -> Body<'a> {
    Body {
        command,
        text,
        content_type: Some("application/json"),
        redactor: &REDACTOR,
    }
}

/// `status.aspx` (and `disconnect.aspx`, `set_config.aspx`, which answer the same object).
pub fn status_response(text: &str) -> Result<Status> {
    parse::status_response(&body("status.aspx", text))
}

/// `generate_qrcode.aspx`.
pub fn qrcode_response(text: &str) -> Result<QrCode> {
    parse::qrcode_response(&body("generate_qrcode.aspx", text))
}

/// `close_session.aspx`, `save_session.aspx`, `restore_session.aspx`.
pub fn session_response(text: &str) -> Result<SessionResult> {
    parse::session_response(&body("restore_session.aspx", text))
}

/// `clear.aspx`.
pub fn clear_response(text: &str) -> Result<ClearResult> {
    parse::clear_response(&body("clear.aspx", text))
}

/// The connection information in a session answer's `Status` string.
pub fn status_from_text(text: &str) -> Option<Status> {
    parse::status::status_from_text(text)
}

/// The SVG of a QR code's `qr` value (a data URL, bare base64 or bare SVG).
pub fn svg_from_data_url(value: &str) -> Option<String> {
    parse::svg_from_data_url(value)
}

/// The snippet of an answer that `decode` errors quote: redacted whole, then cut on a
/// character boundary.
pub fn snippet(text: &str) -> String {
    REDACTOR.snippet(text)
}

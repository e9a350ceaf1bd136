//! Every input the `parse_response` fuzz target once failed on (`fuzz/regressions/
//! parse_response/`), replayed through every parser with the target's own checks, so that a
//! finding stays fixed without nightly or libFuzzer. A new finding is added by dropping its
//! file into that folder.

use super::status::status_from_text;
use super::*;

static REDACTOR: std::sync::LazyLock<Redactor> =
    std::sync::LazyLock::new(|| Redactor::new("K3y+/=%41 fuzz-SECRET"));

fn body<'a>(command: &'static str, text: &'a str) -> Body<'a> {
    Body {
        command,
        text,
        content_type: Some("application/json"),
        redactor: &REDACTOR,
    }
}

fn typed(e: &Error) {
    let code = e.code().as_str();
    assert!(code == "api" || code == "decode", "error code {code}: {e}");
}

/// The checks of `fuzz/fuzz_targets/parse_response.rs`, on one input.
fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    match status_response(&body("status.aspx", text)) {
        Ok(status) => assert_eq!(status.raw_json, text),
        Err(e) => typed(&e),
    }
    match qrcode_response(&body("generate_qrcode.aspx", text)) {
        Ok(qr) => {
            assert!(
                qr.svg.contains("<svg"),
                "a QR code without SVG: {:?}",
                qr.svg
            );
            assert!(qr.ttl_seconds > 0);
        }
        Err(e) => typed(&e),
    }
    match session_response(&body("restore_session.aspx", text)) {
        Ok(session) => assert!(session.success),
        Err(e) => typed(&e),
    }
    match clear_response(&body("clear.aspx", text)) {
        Ok(clear) => assert!(clear.success),
        Err(e) => typed(&e),
    }
    if let Some(status) = status_from_text(text) {
        assert_eq!(status.raw_json, text);
    }
    if let Some(svg) = svg_from_data_url(text) {
        assert!(svg.contains("<svg"), "not SVG: {svg:?}");
    }
    assert!(REDACTOR.snippet(text).len() <= crate::redact::SNIPPET_MAX + "…".len());
}

#[test]
fn every_past_finding_of_the_parse_response_target() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/regressions/parse_response"
    );
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).expect("the regressions folder is checked in") {
        let path = entry.expect("a readable folder").path();
        let data = std::fs::read(&path).expect("a readable file");
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails again", path.display());
        replayed += 1;
    }
    assert!(replayed > 0, "no input in {dir}");
}

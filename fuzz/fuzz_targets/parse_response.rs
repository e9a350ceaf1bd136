//! Every response parser of the client (`status`, `disconnect` and `set_config` share the
//! status parser; `generate_qrcode`; the three session calls; `clear`), plus the helpers they
//! lean on (a `Status` JSON string, a QR data URL, the error snippet), on the same text: an
//! answer from a broken or hostile server must become a result or a typed error, never a
//! panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use witi::fuzz_hooks as hooks;

/// The error codes a parser may give: `api` (the server said no) or `decode` (not the
/// expected answer).
fn typed(e: &witi::Error) {
    let code = e.code().as_str();
    assert!(
        code == "api" || code == "decode",
        "unexpected error code {code}: {e}"
    );
}

fuzz_target!(|data: &[u8]| {
    // Bodies reach the parsers as text: the transport decodes bytes lossily first.
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    match hooks::status_response(text) {
        Ok(status) => assert_eq!(status.raw_json, text),
        Err(e) => typed(&e),
    }
    match hooks::qrcode_response(text) {
        Ok(qr) => {
            assert!(qr.svg.contains("<svg"), "a QR code without SVG");
            assert!(qr.ttl_seconds > 0, "a QR code without a lifetime");
        }
        Err(e) => typed(&e),
    }
    match hooks::session_response(text) {
        Ok(session) => assert!(session.success, "a success with success=false"),
        Err(e) => typed(&e),
    }
    match hooks::clear_response(text) {
        Ok(clear) => assert!(clear.success, "a success with success=false"),
        Err(e) => typed(&e),
    }
    if let Some(status) = hooks::status_from_text(text) {
        assert_eq!(status.raw_json, text);
    }
    if let Some(svg) = hooks::svg_from_data_url(text) {
        assert!(svg.contains("<svg"));
    }
    let snippet = hooks::snippet(text);
    assert!(
        snippet.chars().count() <= 121,
        "a snippet longer than its cut"
    );
});

//! Real QR codes for generate_qrcode.aspx: a random WhatsApp-like pairing payload encoded with
//! the `qrcode` crate and drawn as a small, regular SVG that consumers can decode back to
//! modules (the exact shape is documented in README.md, "The QR SVG").

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qrcode::{Color, QrCode};

/// Modules of light border around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;
/// Pixels per module in the SVG's width/height attributes (the viewBox is in modules).
pub const PIXELS_PER_MODULE: usize = 8;

/// One generated QR code: the payload a scanner would read and the data URL the API returns.
pub(crate) struct GeneratedQr {
    pub payload: String,
    pub data_url: String,
}

/// A fresh payload and its `data:image/svg+xml;base64,...` URL.
pub(crate) fn generate() -> GeneratedQr {
    let payload = random_payload();
    let svg = svg_for(&payload);
    let data_url = format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg));
    GeneratedQr { payload, data_url }
}

/// WhatsApp's pairing payload looks like `2@<ref>,<noise public key>,<identity key>,<adv secret>`,
/// each part base64. Ours has the same shape with random bytes: about 170 characters.
pub(crate) fn random_payload() -> String {
    let part = |len: usize| {
        let bytes: Vec<u8> = std::iter::repeat_with(|| fastrand::u8(..))
            .take(len)
            .collect();
        STANDARD.encode(bytes)
    };
    format!("2@{},{},{},{}", part(36), part(32), part(32), part(16))
}

/// Draws `payload` as an SVG: a white `<rect>` background and one black `<path>` made only of
/// `M{x} {y}h{n}v1h-{n}z` runs, one per horizontal run of dark modules, in module units with a
/// quiet zone of [`QUIET_ZONE`] modules.
pub(crate) fn svg_for(payload: &str) -> String {
    // The payload is ~170 ASCII bytes: far below the 2953-byte capacity of a version 40 code, so
    // encoding cannot fail.
    let code = QrCode::new(payload.as_bytes()).expect("payload fits in a QR code");
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let px = side * PIXELS_PER_MODULE;
    let mut svg = String::with_capacity(16 * 1024);
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        r##"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px}" height="{px}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect x="0" y="0" width="{side}" height="{side}" fill="#ffffff"/><path fill="#000000" d=""##
    );
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let start = x;
                while x < width && row[x] == Color::Dark {
                    x += 1;
                }
                let n = x - start;
                let _ = write!(
                    svg,
                    "M{} {}h{n}v1h-{n}z",
                    start + QUIET_ZONE,
                    y + QUIET_ZONE
                );
            } else {
                x += 1;
            }
        }
    }
    svg.push_str(r#""/></svg>"#);
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_shape() {
        let p = random_payload();
        assert!(p.starts_with("2@"));
        assert_eq!(p.split(',').count(), 4);
        assert!((100..=200).contains(&p.len()), "{}", p.len());
        assert_ne!(p, random_payload());
    }

    #[test]
    fn svg_is_regular() {
        let svg = svg_for("hello");
        assert!(svg.contains(r#"viewBox="0 0 29 29""#), "{svg}"); // version 1: 21 + 8
        assert!(svg.contains("M4 4h7v1h-7z"), "{svg}"); // top-left finder pattern row
        assert!(svg.ends_with("\"/></svg>"));
    }
}

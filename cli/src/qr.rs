//! From the API's QR image to a QR a phone can scan off a terminal: the SVG is rasterized and
//! decoded back into its payload (`rqrr`), then the payload is encoded afresh (`qrcode`) and
//! drawn with half-block characters, two modules per character cell, so each module comes out
//! square. Redrawing from the payload rather than from the image keeps the terminal drawing
//! exact whatever size or style the server's SVG has.

mod svg;

/// The payload of the QR code in `svg`, or `None` when the image cannot be decoded.
pub fn payload_from_svg(svg: &str) -> Option<String> {
    let bitmap = svg::rasterize(svg)?;
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(bitmap.width, bitmap.height, |x, y| {
            bitmap.pixels[y * bitmap.width + x]
        });
    prepared
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, content)| content))
}

/// Light modules drawn around the code. The standard asks for 4; 2 scan reliably on a
/// screen and keep the drawing small.
pub const QUIET_ZONE: usize = 2;

/// Draws `payload` as a QR code in half blocks. Dark modules are the characters' ink: with
/// `color`, lines carry ANSI codes for black ink on white paper (right on any terminal theme);
/// without, the terminal's own colours are used, right on a light theme. `None` when the
/// payload is too long for a QR code.
pub fn draw(payload: &str, color: bool) -> Option<String> {
    let code = qrcode::QrCode::new(payload.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| {
        let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + width).contains(&v);
        inside(x)
            && inside(y)
            && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == qrcode::Color::Dark
    };
    let mut out = String::with_capacity(side * side);
    for y in (0..side).step_by(2) {
        if color {
            out.push_str("\x1b[30;47m");
        }
        for x in 0..side {
            out.push(match (dark(x, y), y + 1 < side && dark(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if color {
            out.push_str("\x1b[0m");
        }
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a drawing back into modules, the way a test of the binary does.
    fn modules(drawing: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in drawing.lines() {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                let (t, b) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                top.push(t);
                bottom.push(b);
            }
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    #[test]
    fn a_drawing_decodes_back_to_its_payload() {
        let payload = "2@abc,def,ghi,jkl";
        let drawing = draw(payload, false).expect("draws");
        let grid = modules(&drawing);
        let scale = 6;
        let side = grid[0].len();
        let px = side * scale;
        let image = |x: usize, y: usize| {
            let row = &grid[(y / scale).min(grid.len() - 1)];
            if row[x / scale] { 0 } else { 255 }
        };
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(px, px, image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().expect("decodes").1, payload);
    }

    #[test]
    fn colour_codes_wrap_each_line() {
        let drawing = draw("x", true).expect("draws");
        assert!(
            drawing
                .lines()
                .all(|l| l.starts_with("\x1b[30;47m") && l.ends_with("\x1b[0m"))
        );
    }

    #[test]
    fn an_svg_of_module_runs_decodes_to_its_payload() {
        // Build the image the way the API does (one path of runs) from a known payload.
        let payload = "2@hello,world";
        let code = qrcode::QrCode::new(payload).expect("encodes");
        let w = code.width();
        let colors = code.to_colors();
        let mut d = String::new();
        for y in 0..w {
            let mut x = 0;
            while x < w {
                if colors[y * w + x] == qrcode::Color::Dark {
                    let start = x;
                    while x < w && colors[y * w + x] == qrcode::Color::Dark {
                        x += 1;
                    }
                    let n = x - start;
                    d.push_str(&format!("M{} {}h{n}v1h-{n}z", start + 4, y + 4));
                } else {
                    x += 1;
                }
            }
        }
        let s = w + 8;
        let svg = format!(
            r##"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}"><rect x="0" y="0" width="{s}" height="{s}" fill="#ffffff"/><path fill="#000000" d="{d}"/></svg>"##
        );
        assert_eq!(payload_from_svg(&svg).as_deref(), Some(payload));
        assert_eq!(payload_from_svg("<svg viewBox=\"0 0 9 9\"></svg>"), None);
    }
}

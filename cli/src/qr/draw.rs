//! A payload drawn as a QR code in half blocks (`▀▄█`): one character per module across, two
//! modules per line, so modules come out square in a terminal cell twice as tall as wide.

use std::fmt;

/// Light modules drawn around the code on every side: the 4 the QR standard (ISO/IEC 18004)
/// asks for. Phones often read less, but not always, and 4 costs only 2 lines.
pub const QUIET_ZONE: usize = 4;

/// How the terminal shows the characters' ink, which decides which modules get the ink.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ink {
    /// ANSI colours: black ink on white paper, whatever the terminal's theme.
    Colors,
    /// No escape codes: the ink is the terminal's text colour. `invert: false` inks the dark
    /// modules (right on a light background); `invert: true` inks the light ones, quiet zone
    /// included (right on a dark background, where the text colour is light).
    Plain { invert: bool },
}

/// Black text on a white background, then back to the terminal's own colours.
const BLACK_ON_WHITE: &str = "\x1b[30;47m";
const RESET: &str = "\x1b[0m";

/// A drawing and the room it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawing {
    /// The lines, each ending in `\n`.
    pub text: String,
    /// Characters per line.
    pub columns: usize,
    /// Lines.
    pub lines: usize,
}

impl fmt::Display for Drawing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Draws `payload` as a QR code. It is encoded afresh at error-correction level L: a screen
/// has no smudges to recover from, and L gives the smallest code, which fits more terminals.
/// `None` when the payload is too long for any QR code (over 2,953 bytes).
pub fn draw(payload: &str, ink: Ink) -> Option<Drawing> {
    let code =
        qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE;
    let dark = |x: usize, y: usize| {
        let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + width).contains(&v);
        inside(x)
            && inside(y)
            && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == qrcode::Color::Dark
    };
    let inked = |x: usize, y: usize| {
        // Past the last row (an odd side) is paper, as the quiet zone is.
        let is_dark = y < side && dark(x, y);
        match ink {
            Ink::Colors | Ink::Plain { invert: false } => is_dark,
            Ink::Plain { invert: true } => y < side && !is_dark,
        }
    };
    let lines = side.div_ceil(2);
    let mut text = String::with_capacity(lines * (side * 3 + 16));
    for y in (0..side).step_by(2) {
        if ink == Ink::Colors {
            text.push_str(BLACK_ON_WHITE);
        }
        for x in 0..side {
            text.push(match (inked(x, y), inked(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if ink == Ink::Colors {
            text.push_str(RESET);
        }
        text.push('\n');
    }
    Some(Drawing {
        text,
        columns: side,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a drawing back into dark modules, given what the ink means.
    fn modules(drawing: &str, ink_is_dark: bool) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in drawing.lines() {
            let line = line.replace(BLACK_ON_WHITE, "").replace(RESET, "");
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                let (t, b) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                top.push(t == ink_is_dark);
                bottom.push(b == ink_is_dark);
            }
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    fn decode(grid: &[Vec<bool>]) -> Option<String> {
        let scale = 6;
        let side = grid[0].len();
        let px = side * scale;
        let image = |x: usize, y: usize| {
            let row = &grid[(y / scale).min(grid.len() - 1)];
            if row[x / scale] { 0 } else { 255 }
        };
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(px, px, image);
        let grids = prepared.detect_grids();
        grids.first()?.decode().ok().map(|(_, content)| content)
    }

    #[test]
    fn each_ink_decodes_back_to_its_payload_when_read_as_meant() {
        let payload = "2@abc,def,ghi,jkl";
        for (ink, ink_is_dark) in [
            (Ink::Colors, true),
            (Ink::Plain { invert: false }, true),
            (Ink::Plain { invert: true }, false),
        ] {
            let drawing = draw(payload, ink).expect("draws");
            let grid = modules(&drawing.text, ink_is_dark);
            assert_eq!(decode(&grid).as_deref(), Some(payload), "{ink:?}");
            assert_eq!(drawing.lines, drawing.text.lines().count());
            assert_eq!(grid[0].len(), drawing.columns);
        }
    }

    #[test]
    fn the_quiet_zone_is_four_light_modules() {
        let drawing = draw("x", Ink::Plain { invert: false }).expect("draws");
        let grid = modules(&drawing.text, true);
        let side = drawing.columns;
        // Version 1 (21 modules) and 4 light modules on each side.
        assert_eq!(side, 21 + 2 * 4);
        let light = |x: usize, y: usize| !grid[y][x];
        for band in [0..4, side - 4..side] {
            for a in band {
                assert!((0..side).all(|b| light(a, b) && light(b, a)), "{a}");
            }
        }
        // The finder patterns' corners come right after it.
        for (x, y) in [(4, 4), (side - 5, 4), (4, side - 5)] {
            assert!(!light(x, y), "({x}, {y})");
        }
    }

    #[test]
    fn only_colours_bring_escape_codes() {
        let coloured = draw("x", Ink::Colors).expect("draws");
        assert!(
            coloured
                .text
                .lines()
                .all(|l| l.starts_with(BLACK_ON_WHITE) && l.ends_with(RESET))
        );
        for invert in [false, true] {
            let plain = draw("x", Ink::Plain { invert }).expect("draws");
            assert!(!plain.text.contains('\x1b'));
        }
    }

    #[test]
    fn a_payload_too_long_for_a_qr_code_is_not_drawn() {
        assert!(draw(&"x".repeat(3000), Ink::Colors).is_none());
    }
}

//! From the API's QR image to a QR a phone can scan off a terminal, or a clear way out.
//!
//! The SVG is drawn by a real renderer on white with a quiet zone and decoded back into its
//! payload ([`render`]); the payload is encoded afresh and drawn in half blocks ([`draw`]).
//! Redrawing from the payload keeps the drawing exact whatever size or style the server's
//! image has. A drawing is shown only when it can be seen whole and the right way round:
//! when the image does not decode, the window is too small, or the terminal's colours are
//! unknown, the SVG and a PNG are saved ([`save`]) and their paths printed instead.

pub mod draw;
pub mod render;
pub mod save;

use std::fmt;
use std::path::{Path, PathBuf};

pub use draw::{Drawing, Ink, QUIET_ZONE};
pub use save::Saved;

/// The payload of the QR code in `svg`, or `None` when the image cannot be decoded.
pub fn payload_from_svg(svg: &str) -> Option<String> {
    render::read(svg).1
}

/// What the terminal offers the drawing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screen {
    /// How to ink the drawing, or why it cannot be chosen (no colours and no `--invert` /
    /// `--no-invert`): the text the user reads.
    pub ink: Result<Ink, &'static str>,
    /// The window's `(columns, rows)` when stdout is a terminal; `None` for a pipe or a file,
    /// where nothing scrolls out of sight.
    pub size: Option<(usize, usize)>,
}

/// Why a QR was saved instead of drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// The image did not render or no QR code decodes from it.
    Undecodable,
    /// The drawing and the lines under it need `needs` (columns, rows); the window has `has`.
    TooSmall {
        needs: (usize, usize),
        has: (usize, usize),
    },
    /// No ink could be chosen (the text says why).
    NoInk(&'static str),
}

/// What became of one QR image.
#[derive(Debug)]
pub enum Shown {
    /// The drawing, to print as it is.
    Drawn(Drawing),
    /// Not drawn: why, and the files the user opens.
    Saved { why: Why, files: Saved },
}

/// Draws `svg` for `screen`, or saves it. `after` is the text the caller prints under the
/// drawing, one entry per line, the last being the line the cursor then stands on (the
/// spinner's, or `""`): the drawing is drawn only if it fits the window together with them,
/// long lines counted as wrapped. `save_svg` is where the user asked the SVG to go
/// (`--save-svg`); otherwise a private folder of this run in the temporary folder.
///
/// Errors: writing the files failed.
pub fn show(
    svg: &str,
    screen: &Screen,
    after: &[&str],
    save_svg: Option<&Path>,
) -> std::io::Result<Shown> {
    let (image, payload) = render::read(svg);
    let why = match (payload, screen.ink) {
        (None, _) => Why::Undecodable,
        (Some(_), Err(reason)) => Why::NoInk(reason),
        (Some(payload), Ok(ink)) => match draw::draw(&payload, ink) {
            None => Why::Undecodable,
            Some(drawing) => match screen.size {
                Some((columns, rows)) => {
                    let needs = (drawing.columns, drawing.lines + wrapped(after, columns));
                    if needs.0 <= columns && needs.1 <= rows {
                        return Ok(Shown::Drawn(drawing));
                    }
                    Why::TooSmall {
                        needs,
                        has: (columns, rows),
                    }
                }
                None => return Ok(Shown::Drawn(drawing)),
            },
        },
    };
    let png = image.as_ref().and_then(render::Image::png);
    let files = save::save(svg, png.as_deref(), save_svg)?;
    Ok(Shown::Saved { why, files })
}

/// The lines `text` takes in a window `columns` wide (every character here is one column).
fn wrapped(text: &[&str], columns: usize) -> usize {
    text.iter()
        .map(|line| line.chars().count().div_ceil(columns.max(1)).max(1))
        .sum()
}

impl fmt::Display for Shown {
    /// The drawing, or two lines: why it is not drawn, and the files to open.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (why, files) = match self {
            Shown::Drawn(drawing) => return write!(f, "{drawing}"),
            Shown::Saved { why, files } => (why, files),
        };
        match why {
            Why::Undecodable => writeln!(f, "This QR image cannot be drawn here.")?,
            Why::TooSmall { needs, has } => writeln!(
                f,
                "The QR code needs a terminal of {}×{} (columns×lines); this one is {}×{}.",
                needs.0, needs.1, has.0, has.1
            )?,
            Why::NoInk(reason) => writeln!(
                f,
                "{reason}: the QR code is not drawn (--invert draws it for a dark background, \
                 --no-invert for a light one)."
            )?,
        }
        let shown = |p: &PathBuf| p.display().to_string();
        match &files.png {
            Some(png) => writeln!(
                f,
                "Open {} (or {}) and scan it.",
                shown(png),
                shown(&files.svg)
            ),
            None => writeln!(f, "Open {} and scan it.", shown(&files.svg)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simulator's kind of payload (165 characters): 57×29 at level L with the quiet zone.
    fn svg() -> String {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr-svg");
        std::fs::read_to_string(format!("{folder}/segno_default.svg")).expect("svg")
    }

    const HINT: &str = "Scan it with WhatsApp: Settings › Linked devices › Link a device.";

    fn shown(screen: &Screen) -> (Shown, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("qr.svg");
        let shown = show(&svg(), screen, &[HINT, ""], Some(&path)).expect("shown");
        (shown, dir)
    }

    #[test]
    fn the_drawing_is_shown_only_where_it_fits_with_the_lines_under_it() {
        let screen = |size| Screen {
            ink: Ok(Ink::Colors),
            size,
        };
        for (size, drawn) in [
            (Some((65, 31)), true),
            (Some((65, 30)), false),
            // The 65-character hint wraps: one line more.
            (Some((64, 31)), false),
            (Some((57, 32)), true),
            (Some((56, 99)), false),
            // A pipe: nothing scrolls out of sight.
            (None, true),
        ] {
            let (shown, _dir) = shown(&screen(size));
            match shown {
                Shown::Drawn(d) => {
                    assert!(drawn, "{size:?}");
                    assert_eq!((d.columns, d.lines), (57, 29));
                }
                Shown::Saved { why, files } => {
                    assert!(!drawn, "{size:?}");
                    let has = size.expect("a window");
                    let needs = (57, if has.0 >= 65 { 31 } else { 32 });
                    assert_eq!(why, Why::TooSmall { needs, has });
                    assert!(files.png.is_some_and(|p| p.is_file()) && files.svg.is_file());
                }
            }
        }
    }

    #[test]
    fn each_reason_is_said_in_one_line_and_the_files_in_the_next() {
        let (no_ink, _a) = shown(&Screen {
            ink: Err("NO_COLOR is set"),
            size: Some((200, 100)),
        });
        let (small, _b) = shown(&Screen {
            ink: Ok(Ink::Colors),
            size: Some((80, 24)),
        });
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("qr.svg");
        let bad = show(
            "<svg",
            &Screen {
                ink: Ok(Ink::Colors),
                size: None,
            },
            &[],
            Some(&path),
        )
        .expect("saved");
        for (shown, first) in [
            (
                no_ink,
                "NO_COLOR is set: the QR code is not drawn (--invert draws it for a dark \
                 background, --no-invert for a light one).",
            ),
            (
                small,
                "The QR code needs a terminal of 57×31 (columns×lines); this one is 80×24.",
            ),
            (bad, "This QR image cannot be drawn here."),
        ] {
            let text = shown.to_string();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 2, "{text}");
            assert_eq!(lines[0], first);
            assert!(lines[1].starts_with("Open ") && lines[1].ends_with(" and scan it."));
        }
    }
}

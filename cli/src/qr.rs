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

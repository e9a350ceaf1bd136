//! What the terminal can do: colours on stdout, its window's size, a spinner on stderr. Each
//! only when a person is watching (a TTY) and the environment allows it, so pipes, scripts
//! and `TERM=dumb` get plain text with no escape codes at all.
//!
//! The conventions are the common ones, read by `anstyle-query` (clap's own): `NO_COLOR`
//! (no-color.org), `CLICOLOR=0` / `CLICOLOR_FORCE` (bixense.com/clicolors), and `TERM` unset
//! or `dumb` for a terminal that takes no escape codes.

use std::io::IsTerminal as _;

use crate::qr;

/// Why stdout gets no ANSI colours, or `None` when it does.
fn no_colors_because() -> Option<&'static str> {
    if !anstyle_query::term_supports_color() {
        return Some(match std::env::var_os("TERM") {
            None => "TERM is not set",
            Some(_) => "TERM is dumb",
        });
    }
    if anstyle_query::no_color() {
        return Some("NO_COLOR is set");
    }
    if anstyle_query::clicolor_force() {
        return None;
    }
    if !std::io::stdout().is_terminal() {
        return Some("The output is not a terminal");
    }
    if anstyle_query::clicolor() == Some(false) {
        return Some("CLICOLOR is 0");
    }
    None
}

/// What stdout offers a QR drawing. `invert` is the user's explicit choice (`--invert`,
/// `--no-invert`), which draws plain characters and wins over colours.
pub fn qr_screen(invert: Option<bool>) -> qr::Screen {
    let ink = match (invert, no_colors_because()) {
        (Some(invert), _) => Ok(qr::Ink::Plain { invert }),
        (None, None) => Ok(qr::Ink::Colors),
        (None, Some(reason)) => Err(reason),
    };
    let size = terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, h)| (usize::from(w.0), usize::from(h.0)));
    qr::Screen { ink, size }
}

/// Whether stderr is a terminal that can show a spinner redrawn in place.
pub fn stderr_live() -> bool {
    std::io::stderr().is_terminal() && anstyle_query::term_supports_color()
}

/// Clears the current stderr line (where the spinner is).
pub const CLEAR_LINE: &str = "\r\x1b[2K";

//! What the terminal can do: colours on stdout, a spinner on stderr. Both only when a person
//! is watching (a TTY) and `NO_COLOR` is not set, so pipes and scripts get plain text.

use std::io::IsTerminal as _;

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether stdout takes ANSI colours (the QR is then black on white on any theme).
pub fn stdout_colors() -> bool {
    std::io::stdout().is_terminal() && !no_color()
}

/// Whether stderr is a terminal that can show a spinner redrawn in place.
pub fn stderr_live() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Clears the current stderr line (where the spinner is).
pub const CLEAR_LINE: &str = "\r\x1b[2K";

//! The command names [`super::Client::call`] accepts, and a `'static` name for each.
//!
//! Why strict: the command is joined onto the base URL whose query carries the key, so a
//! "command" such as `../x`, `https://elsewhere/` or `a?b` could send the key to another
//! path or host. One path segment of `[A-Za-z0-9_.-]` cannot. Why interned: errors and logs
//! name the command as `&'static str` (as for the typed calls); the names a program uses are
//! few, and the table is capped so that hostile input cannot grow it without bound.

use crate::error::{Error, Result};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// The longest command name accepted.
const MAX_NAME_LEN: usize = 64;
/// Distinct names kept; a new name past this is refused (`invalid_argument`).
const MAX_INTERNED: usize = 1024;

static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);

/// The checked, `'static` name of `command`: one path segment of ASCII letters, digits, `_`,
/// `-` and `.`; a name without a `.` gets `.aspx` (every documented command has it).
pub(crate) fn intern(command: &str) -> Result<&'static str> {
    let command = command.trim();
    let ok = !command.is_empty()
        && command.len() <= MAX_NAME_LEN
        && !command.starts_with('.')
        && !command.contains("..")
        && command
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return Err(Error::invalid(
            "the command must be one API command name, such as mark_read.aspx",
        ));
    }
    let name = if command.contains('.') {
        command.to_owned()
    } else {
        format!("{command}.aspx")
    };
    let mut names = NAMES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = names.get(name.as_str()) {
        return Ok(known);
    }
    if names.len() >= MAX_INTERNED {
        return Err(Error::invalid(format!(
            "more than {MAX_INTERNED} distinct command names in one process"
        )));
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    Ok(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_segment_and_get_aspx() {
        assert_eq!(intern("mark_read").unwrap(), "mark_read.aspx");
        assert_eq!(intern(" send_contact.aspx ").unwrap(), "send_contact.aspx");
        assert!(std::ptr::eq(
            intern("subscribe").unwrap(),
            intern("subscribe.aspx").unwrap()
        ));
        for bad in [
            "",
            "../status.aspx",
            "a/b.aspx",
            "https://evil.example/x",
            "status.aspx?wid=x",
            "status.aspx#x",
            ".hidden",
            "a b",
            "é.aspx",
            &"x".repeat(65),
        ] {
            assert_eq!(
                intern(bad).unwrap_err().code().as_str(),
                "invalid_argument",
                "{bad}"
            );
        }
    }
}

//! Readable forms of the Messages, Contacts and Groups results: tables for `chats` and
//! `contacts`, `label  value` summaries for the rest.
//!
//! Names come from other people (a push name is whatever its owner typed), so every text from
//! the server goes through [`clean`] before it reaches the terminal: control characters and
//! bidirectional overrides would otherwise move the cursor, recolour the screen or reorder
//! what is shown. URLs are left out (picture and media URLs carry the instance's WebID, which
//! may be its key); `--json` prints everything, escaped.

use std::fmt::Write as _;

use witi::{Chat, Contact, Group, SentMessage};

use super::{line, yes_no};
use crate::messages::Check;

/// The widest a name column gets; longer names end in `…`.
const NAME_WIDTH: usize = 32;

/// `text` safe to print: control characters and bidi/format controls become `�`, and at
/// most `max` characters are kept (the last one `…` when cut).
pub fn clean(text: &str, max: usize) -> String {
    let is_format = |c: char| matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}');
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_control() || is_format(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if out.chars().count() > max {
        out = out.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
    }
    out
}

/// An optional text, cleaned, or `-`.
fn text(value: Option<&str>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .map_or_else(|| "-".to_owned(), |v| clean(v, NAME_WIDTH))
}

fn flag(value: Option<bool>) -> &'static str {
    value.map_or("-", yes_no)
}

fn number(value: Option<i64>) -> String {
    value.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC` (the proleptic Gregorian calendar, from the days
/// since 1970 by Howard Hinnant's `civil_from_days`).
pub fn time(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        of_day / 3600,
        of_day % 3600 / 60
    )
}

/// Rows under a header, each column as wide as its widest cell (counted in characters).
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut put = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (cell, w) in cells.zip(&widths) {
            let pad = w.saturating_sub(cell.chars().count());
            let _ = write!(text, "{cell}{:pad$}  ", "");
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    put(&mut header.iter().copied());
    for row in rows {
        put(&mut row.iter().map(String::as_str));
    }
    out
}

/// `N things` with the right plural.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn chats(chats: &[Chat]) -> String {
    if chats.is_empty() {
        return "no chats (none yet, or the phone is not paired)\n".to_owned();
    }
    let rows: Vec<Vec<String>> = chats
        .iter()
        .map(|c| {
            vec![
                text(c.name.as_deref()),
                text(c.jid.as_deref()),
                number(c.unread_count),
                flag(c.muted).to_owned(),
                flag(c.archived).to_owned(),
                c.last_message_time
                    .filter(|t| *t > 0)
                    .map_or_else(|| "-".to_owned(), time),
            ]
        })
        .collect();
    let unread: i64 = chats.iter().filter_map(|c| c.unread_count).sum();
    let mut out = table(
        &["NAME", "JID", "UNREAD", "MUTED", "ARCHIVED", "LAST MESSAGE"],
        &rows,
    );
    let _ = writeln!(
        out,
        "{}, {}",
        count(chats.len(), "chat", "chats"),
        count(unread.max(0) as usize, "unread message", "unread messages")
    );
    out
}

/// The name to show for a contact: the saved name, else the one the person chose, else the
/// short one.
fn contact_name(c: &Contact) -> Option<&str> {
    [&c.name, &c.push_name, &c.short_name, &c.verified_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .find(|n| !n.trim().is_empty())
}

pub fn contacts(contacts: &[Contact]) -> String {
    if contacts.is_empty() {
        return "no contacts (none yet, or the phone is not paired)\n".to_owned();
    }
    let rows: Vec<Vec<String>> = contacts
        .iter()
        .map(|c| {
            vec![
                text(contact_name(c)),
                text(c.jid.as_deref()),
                number(c.unread_count),
                flag(c.muted).to_owned(),
                flag(c.is_business).to_owned(),
            ]
        })
        .collect();
    let mut out = table(&["NAME", "JID", "UNREAD", "MUTED", "BUSINESS"], &rows);
    let _ = writeln!(out, "{}", count(contacts.len(), "contact", "contacts"));
    out
}

/// A profile (`profile`), one fact per line.
pub fn contact(c: &Contact) -> String {
    let mut out = String::new();
    let mut put = |label: &str, value: Option<&str>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            line(&mut out, label, clean(v, 200));
        }
    };
    put("jid", c.jid.as_deref());
    put("name", c.name.as_deref());
    put("push name", c.push_name.as_deref());
    put("short name", c.short_name.as_deref());
    put("verified name", c.verified_name.as_deref());
    put("last update", c.last_update.as_deref());
    if let Some(b) = c.is_business {
        line(&mut out, "business", yes_no(b));
    }
    if let Some(t) = c.last_message_time.filter(|t| *t > 0) {
        line(&mut out, "last message", time(t));
    }
    if let Some(n) = c.unread_count {
        line(&mut out, "unread", n);
    }
    if let Some(m) = c.muted {
        line(&mut out, "muted", yes_no(m));
    }
    out
}

/// What `send` and `send-file` answer: the message's id (the stored file's URL is left out:
/// it carries the WebID; `--json` has it).
pub fn sent(s: &SentMessage) -> String {
    let mut out = String::new();
    line(&mut out, "sent", "yes");
    line(&mut out, "id", clean(&s.id, 200));
    if s.jpeg_thumbnail.is_some() {
        line(&mut out, "thumbnail", "yes");
    }
    out
}

/// One line per number: as given, its JID, and the answer.
pub fn checks(answers: &[Check]) -> String {
    let rows: Vec<Vec<String>> = answers
        .iter()
        .map(|a| {
            vec![
                clean(&a.number, 40),
                a.jid.clone(),
                if a.on_whatsapp {
                    "on WhatsApp"
                } else {
                    "not on WhatsApp"
                }
                .to_owned(),
            ]
        })
        .collect();
    table(&["NUMBER", "JID", "ANSWER"], &rows)
}

/// A group (`group create`, `group add`): its JID, name, owner and members.
pub fn group(g: &Group) -> String {
    let mut out = String::new();
    let info = g.information.as_ref();
    line(&mut out, "group", text(g.jid.as_deref()));
    let name = g
        .name
        .as_deref()
        .or_else(|| info.and_then(|i| i.subject.as_deref()));
    line(&mut out, "name", text(name));
    let Some(info) = info else {
        return out;
    };
    if let Some(owner) = &info.owner {
        line(&mut out, "owner", clean(owner, 200));
    }
    if let Some(t) = info.creation.filter(|t| *t > 0) {
        line(&mut out, "created", time(t));
    }
    line(
        &mut out,
        "participants",
        count(info.participants.len(), "member", "members"),
    );
    for p in &info.participants {
        let role = match (p.is_super_admin, p.is_admin) {
            (Some(true), _) => "  super admin",
            (_, Some(true)) => "  admin",
            _ => "",
        };
        let _ = writeln!(out, "  {}{role}", text(p.id.as_deref()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(time(0), "1970-01-01 00:00 UTC");
        assert_eq!(time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(time(1_764_470_340), "2025-11-30 02:39 UTC");
        assert_eq!(time(-60), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn names_cannot_drive_the_terminal() {
        let evil = "Ana\x1b[2J\x1b]0;title\x07\u{202E}gpj.exe\r\nX";
        let shown = clean(evil, 100);
        assert!(
            !shown.chars().any(|c| c.is_control() || c == '\u{202E}'),
            "{shown:?}"
        );
        assert!(shown.starts_with("Ana\u{FFFD}"));
        assert_eq!(clean("abcdef", 4), "abc…");
        assert_eq!(clean("abcd", 4), "abcd");
    }

    #[test]
    fn tables_align_in_characters() {
        let rows = vec![
            vec!["João".to_owned(), "1".to_owned()],
            vec!["Jo".to_owned(), "22".to_owned()],
        ];
        assert_eq!(table(&["NAME", "N"], &rows), "NAME  N\nJoão  1\nJo    22\n");
    }
}

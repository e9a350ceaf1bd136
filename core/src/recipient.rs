//! Recipients: what the API wants (a JID) from what users have (a phone number as people
//! write it).
//!
//! The API's `number` fields take a JID (`5511987654321@s.whatsapp.net` for a person,
//! `…@g.us` for a group; the witi.me pages `mensagem`, `contato`, `grupos`). A JID is sent as
//! it is; a bare international number (`5511987654321`, `+55 11 98765-4321`,
//! `+55 (11) 98765.4321`) becomes `<digits>@s.whatsapp.net`; anything else is refused with
//! `invalid_argument` before any request, so a typo never becomes a message to a stranger.
//! Error texts never quote the input (it is user data).

use crate::error::{Error, Result};

/// The JID server of a person's account.
pub const USER_SERVER: &str = "s.whatsapp.net";
/// The JID server of a group.
pub const GROUP_SERVER: &str = "g.us";

/// E.164 allows at most 15 digits; the shortest international numbers have 8 with the
/// country code (a few small countries: 7 digits + a one-digit code).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// The JID to send to for `input`: a JID as is (trimmed), or a bare international number as
/// `<digits>@s.whatsapp.net`. `invalid_argument` for anything else.
pub fn to_jid(input: &str) -> Result<String> {
    let input = input.trim();
    if input.contains('@') {
        return jid(input);
    }
    number(input).map(|digits| format!("{digits}@{USER_SERVER}"))
}

/// `input` as a group JID (`…@g.us`), or `invalid_argument`.
pub fn to_group_jid(input: &str) -> Result<String> {
    let input = input.trim();
    let jid = jid(input).map_err(|_| not_a_group())?;
    if !jid.ends_with(&format!("@{GROUP_SERVER}")) {
        return Err(not_a_group());
    }
    Ok(jid)
}

/// Participants as the group commands want them: a list of person JIDs (numbers accepted),
/// at least one, no group among them, each once (in the order given).
pub fn to_participants<S: AsRef<str>>(inputs: &[S]) -> Result<Vec<String>> {
    if inputs.is_empty() {
        return Err(Error::invalid(
            "a group call needs at least one participant",
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(inputs.len());
    // A set beside the list: `out.contains` made a long list quadratic (100 000 numbers took
    // minutes of CPU before any request).
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, input) in inputs.iter().enumerate() {
        let jid = to_jid(input.as_ref()).map_err(|_| {
            Error::invalid(format!(
                "participant {i} is neither a JID nor an international phone number"
            ))
        })?;
        if jid.ends_with(&format!("@{GROUP_SERVER}")) {
            return Err(Error::invalid(format!(
                "participant {i} is a group, not a person"
            )));
        }
        if seen.insert(jid.clone()) {
            out.push(jid);
        }
    }
    Ok(out)
}

fn not_a_group() -> Error {
    Error::invalid("a group is named by its JID, which ends in @g.us")
}

/// A JID: `user@server`, both parts non-empty, no whitespace or control characters, one `@`,
/// and nothing that would change the meaning of a JSON field or a URL (the server part is a
/// host name: letters, digits, `.`, `-`; the user part also `_`, `:` and `+` for device ids).
/// The server is lowercased (a host name; `1@G.US` was taken as a person, not a group).
fn jid(input: &str) -> Result<String> {
    let invalid = || Error::invalid("the recipient is not a valid JID (user@server)");
    let (user, server) = input.split_once('@').ok_or_else(invalid)?;
    // `+5511…@s.whatsapp.net`: a phone number written with its `+` inside a JID. JIDs have no
    // `+`; the digits are meant, so the sign is dropped (only before digits alone).
    let user = match user.strip_prefix('+') {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => digits,
        _ => user,
    };
    let user_ok = !user.is_empty()
        && user.len() <= 64
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'));
    let server_ok = !server.is_empty()
        && server.len() <= 64
        && server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        && !server.starts_with('.')
        && !server.ends_with('.');
    if user_ok && server_ok {
        Ok(format!("{user}@{}", server.to_ascii_lowercase()))
    } else {
        Err(invalid())
    }
}

/// The digits of an international number written with an optional leading `+` and the usual
/// separators (spaces, `-`, `.`, parentheses).
///
/// A national trunk `0` is refused, never sent: `0…` at the start, and a parenthesised group
/// starting with `0` such as `+55 (011) 98765-4321` (kept, it would make a longer number
/// that may be someone else's). The one exception is the common `(0)` after the country code
/// (`+44 (0)20 7946 0958`), which means "dial 0 at home only" and is dropped.
fn number(input: &str) -> Result<String> {
    let invalid = || {
        Error::invalid(
            "the recipient is neither a JID nor an international phone number (digits with the country code, e.g. +55 11 98765-4321)",
        )
    };
    let rest = input.strip_prefix('+').unwrap_or(input);
    let mut digits = String::with_capacity(rest.len());
    // Where the digits of the open parenthesised group start, if one is open.
    let mut group: Option<usize> = None;
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '(' if group.is_none() => group = Some(digits.len()),
            ')' => {
                let start = group.take().ok_or_else(invalid)?;
                let inside = &digits[start..];
                if inside == "0" && start > 0 {
                    digits.truncate(start);
                } else if inside.starts_with('0') {
                    return Err(invalid());
                }
            }
            ' ' | '-' | '.' | '\u{a0}' => {}
            _ => return Err(invalid()),
        }
    }
    if group.is_some() {
        return Err(invalid());
    }
    // A leading 0 is a national trunk prefix, never the start of a country code.
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) || digits.starts_with('0') {
        return Err(invalid());
    }
    Ok(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_user_jids() {
        for input in [
            "5511987654321",
            "+5511987654321",
            "+55 11 98765-4321",
            " +55 (11) 98765.4321 ",
            "55 (11) 98765-4321",
        ] {
            assert_eq!(
                to_jid(input).unwrap(),
                "5511987654321@s.whatsapp.net",
                "{input}"
            );
        }
    }

    #[test]
    fn a_trunk_zero_in_parentheses_is_dropped_or_refused_never_sent() {
        // `(0)` after the country code: the usual way (UK, Germany, Switzerland…) to say
        // "dial 0 only at home". It used to become 4402079460958, someone else's number.
        for input in [
            "+44 (0) 20 7946 0958",
            "+44(0)2079460958",
            "44 (0)20 7946-0958",
        ] {
            assert_eq!(
                to_jid(input).unwrap(),
                "442079460958@s.whatsapp.net",
                "{input}"
            );
        }
        // A trunk 0 inside an area code's parentheses cannot be told from a number with a 0,
        // so it is refused; so is a `(0)` with no country code before it, and unbalanced ones.
        for input in [
            "+55 (011) 98765-4321",
            "(0) 20 7946 0958",
            "+44 (0 20 7946 0958",
            "+44 0) 20 7946 0958",
            "+44 ((0)) 20 7946 0958",
        ] {
            assert_eq!(
                to_jid(input).unwrap_err().code().as_str(),
                "invalid_argument",
                "{input}"
            );
        }
    }

    #[test]
    fn a_long_participant_list_is_deduplicated_in_linear_time() {
        let inputs: Vec<String> = (0..200_000u64)
            .map(|i| format!("+1 415 {:07}", i))
            .chain(std::iter::once("+1 415 0000000".to_owned()))
            .collect();
        let started = std::time::Instant::now();
        let out = to_participants(&inputs).unwrap();
        assert_eq!(out.len(), 200_000);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_plus_inside_a_jid_is_dropped_before_digits_and_refused_elsewhere() {
        assert_eq!(
            to_jid("+5511987654321@s.whatsapp.net").unwrap(),
            "5511987654321@s.whatsapp.net"
        );
        for bad in [
            "+@s.whatsapp.net",
            "55+11@s.whatsapp.net",
            "+55a@s.whatsapp.net",
            "++55@s.whatsapp.net",
        ] {
            assert_eq!(
                to_jid(bad).unwrap_err().code().as_str(),
                "invalid_argument",
                "{bad}"
            );
        }
    }

    #[test]
    fn jids_are_sent_as_is() {
        for jid in [
            "5511987654321@s.whatsapp.net",
            "120363042349@g.us",
            "5511987654321-1600000000@g.us",
            "5511987654321:12@s.whatsapp.net",
            "status@broadcast",
        ] {
            assert_eq!(to_jid(jid).unwrap(), jid);
        }
    }

    #[test]
    fn anything_else_is_refused_without_quoting_it() {
        for input in [
            "",
            "   ",
            "abc",
            "011987654321",
            "123",
            "1234567890123456",
            "55 11 9876x4321",
            "++5511987654321",
            "@s.whatsapp.net",
            "5511@",
            "a b@s.whatsapp.net",
            "5511@s.whatsapp.net@x",
            "5511@s.whatsapp.net?x=1",
            "5511@s.whatsapp.net/..",
            "5511\n@s.whatsapp.net",
        ] {
            let e = to_jid(input).unwrap_err();
            assert_eq!(e.code().as_str(), "invalid_argument", "{input:?}");
            if input.trim().len() > 3 {
                assert!(!e.to_string().contains(input.trim()), "{e}");
            }
        }
    }

    #[test]
    fn groups_need_a_group_jid() {
        assert_eq!(to_group_jid("120363@g.us").unwrap(), "120363@g.us");
        // A host name's case means nothing: an upper-case group JID is still a group.
        assert_eq!(to_group_jid("120363@G.US").unwrap(), "120363@g.us");
        assert_eq!(
            to_jid("5511987654321@S.WhatsApp.Net").unwrap(),
            "5511987654321@s.whatsapp.net"
        );
        assert!(to_participants(&["5511987654321", "1@G.US"]).is_err());
        for input in [
            "120363",
            "5511987654321@s.whatsapp.net",
            "@g.us",
            "x@g.us.evil",
        ] {
            assert_eq!(
                to_group_jid(input).unwrap_err().code().as_str(),
                "invalid_argument",
                "{input}"
            );
        }
    }

    #[test]
    fn participants_are_person_jids_once_each() {
        let p = to_participants(&[
            "+55 11 98765-4321",
            "5511987654321@s.whatsapp.net",
            "14155550123",
        ])
        .unwrap();
        assert_eq!(
            p,
            ["5511987654321@s.whatsapp.net", "14155550123@s.whatsapp.net"]
        );
        assert!(to_participants::<&str>(&[]).is_err());
        let e = to_participants(&["5511987654321", "1@g.us"]).unwrap_err();
        assert!(e.to_string().contains("participant 1"), "{e}");
        assert!(to_participants(&["nope"]).is_err());
    }
}

//! The Contacts chapter: contacts.aspx, get_profile.aspx (contacts only) and
//! query_profile.aspx ("is this number on WhatsApp?"). The documentation gives no rule for the
//! latter, so the simulator has a simple one a test can steer: a number is on WhatsApp unless
//! its digits end in `0`; the instance's contacts and its own number always are; the control
//! API overrides it per number.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::book::{self, ContactJson, Offset};
use crate::config::SimError;
use crate::messages::{is_user_jid, portuguese};
use crate::state::Instance;
use crate::wire;

/// The body of `POST /_sim/instances/{key}/profiles`; the answer lists the overrides in force.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileOverrides {
    /// Numbers (JIDs or bare digits) query_profile.aspx must find.
    #[serde(default)]
    pub on_whatsapp: Vec<String>,
    /// Numbers query_profile.aspx must not find (contacts included).
    #[serde(default)]
    pub not_on_whatsapp: Vec<String>,
}

/// The digits of `5511…@s.whatsapp.net`, `5511…` or `+55 11 …`; `None` if there are none.
fn digits_of(number: &str) -> Option<String> {
    let head = number.split('@').next().unwrap_or(number);
    let d: String = head.chars().filter(char::is_ascii_digit).collect();
    (!d.is_empty() && d.len() <= 20).then_some(d)
}

impl Instance {
    /// contacts.aspx: the address book; `[]` unless authenticated.
    pub(crate) fn contacts_answer(&self, base: &str) -> Vec<u8> {
        if !self.authenticated() {
            return b"[]".to_vec();
        }
        let list: Vec<ContactJson> = self
            .book
            .people()
            .iter()
            .map(|p| ContactJson::of(p, book::list_picture(base, &self.web_id, &p.jid())))
            .collect();
        wire::to_json(&list)
    }

    /// get_profile.aspx (`query` false: contacts only) and query_profile.aspx.
    pub(crate) fn profile(&self, body: &[u8], base: &str, query: bool) -> Result<Vec<u8>, String> {
        let map = wire::parse_object(body)?;
        let number = wire::str_field(&map, "number")?;
        let Some(jid) = number.filter(|n| is_user_jid(n) && self.authenticated()) else {
            return Ok(portuguese::<()>(None));
        };
        let digits = digits_of(&jid).unwrap_or_default();
        let people = self.book.people();
        let contact = people.iter().find(|p| p.digits == digits);
        let picture = book::profile_picture(base, &self.web_id, &jid);
        let found = match (contact, query) {
            (Some(p), false) => Some(ContactJson::of(p, picture)),
            (None, false) => None,
            (contact, true) => {
                let own = self.own_jid() == jid;
                let rule = contact.is_some() || own || !digits.ends_with('0');
                let on = self.book.profiles.get(&digits).copied().unwrap_or(rule);
                match (on, contact) {
                    (false, _) => None,
                    (true, Some(p)) => Some(ContactJson::of(p, picture)),
                    (true, None) => Some(stranger(&jid, picture)),
                }
            }
        };
        Ok(portuguese(found.as_ref()))
    }

    /// Adds per-number overrides of query_profile.aspx's rule (a later one wins).
    pub(crate) fn set_profiles(&mut self, o: &ProfileOverrides) -> Result<(), SimError> {
        let mut parsed = Vec::new();
        for (list, on) in [(&o.on_whatsapp, true), (&o.not_on_whatsapp, false)] {
            for n in list {
                let d = digits_of(n)
                    .ok_or_else(|| SimError::Invalid(format!("not a phone number: {n:?}")))?;
                parsed.push((d, on));
            }
        }
        let profiles = &mut self.book.profiles;
        let new = parsed
            .iter()
            .filter(|(d, _)| !profiles.contains_key(d))
            .count();
        if profiles.len() + new > book::MAX_PROFILE_OVERRIDES {
            return Err(SimError::Invalid(format!(
                "at most {} overrides per instance",
                book::MAX_PROFILE_OVERRIDES
            )));
        }
        profiles.extend(parsed);
        Ok(())
    }

    /// The overrides in force, as the control API shows them.
    pub(crate) fn profiles(&self) -> ProfileOverrides {
        let mut out = ProfileOverrides::default();
        let sorted: std::collections::BTreeMap<_, _> = self.book.profiles.iter().collect();
        for (d, on) in sorted {
            let jid = format!("{d}@s.whatsapp.net");
            if *on {
                out.on_whatsapp.push(jid);
            } else {
                out.not_on_whatsapp.push(jid);
            }
        }
        out
    }

    pub(crate) fn clear_profiles(&mut self) {
        self.book.profiles = HashMap::new();
    }
}

/// The profile of a number on WhatsApp that is not a contact: nothing saved, no push name (the
/// simulator knows none).
fn stranger(jid: &str, picture: String) -> ContactJson {
    ContactJson {
        jid: jid.to_owned(),
        notify: String::new(),
        verify: "0".to_owned(),
        vname: String::new(),
        short: String::new(),
        name: String::new(),
        picture,
        Lastupdate: book::iso(book::unix_now(), Some(0), Offset::Utc),
        LastMessageTime: 0,
        biz: false,
        status: 200,
        tag: None,
        Count: 0,
        Mute: false,
        Spam: false,
        Archive: false,
        isGroup: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        assert_eq!(digits_of("5511@s.whatsapp.net").as_deref(), Some("5511"));
        assert_eq!(
            digits_of("+55 11 9876-5432").as_deref(),
            Some("551198765432")
        );
        assert_eq!(digits_of("abc"), None);
    }
}

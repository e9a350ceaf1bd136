//! The Groups chapter: group_create.aspx, group_add.aspx and group_remove.aspx (the last by
//! analogy: the documentation shows only its `jid`). A group object is a contact object plus
//! `OriginalPicture`, `LastPresenceTime` and `GroupInformation`, a JSON document serialised
//! inside a string, as the documentation shows it.

use serde::Serialize;

use crate::book::{self, ChatJson, ContactJson, Offset};
use crate::messages::{english, english_failure, is_group_jid, is_user_jid};
use crate::state::Instance;
use crate::wire;

/// WhatsApp's largest group.
pub(crate) const MAX_MEMBERS: usize = 1024;

#[derive(Clone)]
pub(crate) struct Member {
    pub jid: String,
    pub admin: bool,
    pub super_admin: bool,
}

/// A group the phone is in. The instance's own number is its owner and only super admin.
#[derive(Clone)]
pub(crate) struct Group {
    pub jid: String,
    pub subject: String,
    pub owner: String,
    /// Unix seconds.
    pub creation: u64,
    pub members: Vec<Member>,
    /// Made by group_create.aspx (not one of the base groups).
    pub created: bool,
}

impl Group {
    pub(crate) fn new(
        jid: String,
        subject: String,
        owner: String,
        creation: u64,
        others: &[String],
        created: bool,
    ) -> Self {
        let mut members = vec![Member {
            jid: owner.clone(),
            admin: true,
            super_admin: true,
        }];
        members.extend(others.iter().filter(|j| **j != owner).map(|j| Member {
            jid: j.clone(),
            admin: false,
            super_admin: false,
        }));
        Group {
            jid,
            subject,
            owner,
            creation,
            members,
            created,
        }
    }

    pub(crate) fn chat(&self, base: &str, web_id: &str) -> ChatJson {
        ChatJson {
            jid: self.jid.clone(),
            name: self.subject.clone(),
            spam: false,
            count: 0,
            mute: String::new(),
            t: self.creation,
            archive: false,
            modify_tag: (self.creation % 1_000_000).to_string(),
            picture: book::list_picture(base, web_id, &self.jid),
            lastupdate: book::iso(self.creation, None, Offset::None),
        }
    }

    fn json(&self, base: &str, web_id: &str) -> GroupJson {
        let info = GroupInformation {
            id: &self.jid,
            subject: &self.subject,
            owner: &self.owner,
            subject_owner: &self.owner,
            creation: self.creation,
            subject_time: self.creation,
            participants: self
                .members
                .iter()
                .map(|m| Participant {
                    id: &m.jid,
                    is_admin: m.admin,
                    is_super_admin: m.super_admin,
                })
                .collect(),
        };
        GroupJson {
            contact: ContactJson {
                jid: self.jid.clone(),
                notify: String::new(),
                verify: "0".to_owned(),
                vname: String::new(),
                short: String::new(),
                name: self.subject.clone(),
                picture: book::list_picture(base, web_id, &self.jid),
                Lastupdate: book::iso(self.creation, Some(0), Offset::Utc),
                LastMessageTime: self.creation,
                biz: false,
                status: 200,
                tag: None,
                Count: 0,
                Mute: false,
                Spam: false,
                Archive: false,
                isGroup: true,
            },
            original_picture: String::new(),
            last_presence_time: 0,
            group_information: String::from_utf8(wire::to_json(&info))
                .expect("serde_json writes UTF-8"),
        }
    }
}

#[derive(Serialize)]
struct GroupJson {
    #[serde(flatten)]
    contact: ContactJson,
    #[serde(rename = "OriginalPicture")]
    original_picture: String,
    #[serde(rename = "LastPresenceTime")]
    last_presence_time: u64,
    #[serde(rename = "GroupInformation")]
    group_information: String,
}

#[derive(Serialize)]
struct GroupInformation<'a> {
    id: &'a str,
    subject: &'a str,
    owner: &'a str,
    #[serde(rename = "subjectOwner")]
    subject_owner: &'a str,
    creation: u64,
    #[serde(rename = "subjectTime")]
    subject_time: u64,
    participants: Vec<Participant<'a>>,
}

#[derive(Serialize)]
struct Participant<'a> {
    id: &'a str,
    #[serde(rename = "isAdmin")]
    is_admin: bool,
    #[serde(rename = "isSuperAdmin")]
    is_super_admin: bool,
}

/// `"jid1, jid2,"` → the JIDs; `None` when one is not a user JID or none is given.
fn participants(list: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for jid in list.split(',').map(str::trim).filter(|j| !j.is_empty()) {
        if !is_user_jid(jid) {
            return None;
        }
        if !out.iter().any(|j| j == jid) {
            out.push(jid.to_owned());
        }
    }
    (!out.is_empty()).then_some(out)
}

impl Instance {
    pub(crate) fn group_create(&mut self, body: &[u8], base: &str) -> Result<Vec<u8>, String> {
        let map = wire::parse_object(body)?;
        let name = wire::str_field(&map, "name")?;
        let list = wire::str_field(&map, "participants")?;
        if !self.authenticated() || self.book.created >= book::MAX_CREATED_GROUPS {
            return Ok(english_failure());
        }
        let (Some(name), Some(list)) = (name.filter(|n| !n.trim().is_empty()), list) else {
            return Ok(english_failure());
        };
        let Some(others) = participants(&list).filter(|p| p.len() < MAX_MEMBERS) else {
            return Ok(english_failure());
        };
        let owner = self.own_jid().to_owned();
        let digits = owner.split('@').next().unwrap_or_default().to_owned();
        // Old-style ids, `<creator>-<creation>@g.us`; a second group in the same second takes
        // the next free number.
        let mut creation = book::unix_now();
        let mut jid = format!("{digits}-{creation}@g.us");
        while self.book.group(&jid, &owner).is_some() {
            creation += 1;
            jid = format!("{digits}-{creation}@g.us");
        }
        let group = Group::new(jid.clone(), name, owner, creation, &others, true);
        let answer = english(Some(&group.json(base, &self.web_id)));
        self.book.groups.insert(jid, group);
        self.book.created += 1;
        Ok(answer)
    }

    /// group_add.aspx (`add`) and group_remove.aspx: the changed group, or the failure
    /// envelope for an unknown group, a bad list, the owner's removal or a full group.
    pub(crate) fn group_change(
        &mut self,
        body: &[u8],
        base: &str,
        add: bool,
    ) -> Result<Vec<u8>, String> {
        let map = wire::parse_object(body)?;
        let jid = wire::str_field(&map, "jid")?;
        let list = wire::str_field(&map, "participants")?;
        if !self.authenticated() {
            return Ok(english_failure());
        }
        let (Some(jid), Some(list)) = (jid.filter(|j| is_group_jid(j)), list) else {
            return Ok(english_failure());
        };
        let owner = self.own_jid().to_owned();
        let (Some(mut group), Some(jids)) = (self.book.group(&jid, &owner), participants(&list))
        else {
            return Ok(english_failure());
        };
        if add {
            for j in jids {
                if !group.members.iter().any(|m| m.jid == j) {
                    group.members.push(Member {
                        jid: j,
                        admin: false,
                        super_admin: false,
                    });
                }
            }
            if group.members.len() > MAX_MEMBERS {
                return Ok(english_failure());
            }
        } else {
            if jids.contains(&group.owner) {
                return Ok(english_failure());
            }
            group.members.retain(|m| !jids.contains(&m.jid));
        }
        let answer = english(Some(&group.json(base, &self.web_id)));
        self.book.groups.insert(jid, group);
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_lists() {
        assert_eq!(
            participants(" 551@s.whatsapp.net,552@s.whatsapp.net,,551@s.whatsapp.net "),
            Some(vec![
                "551@s.whatsapp.net".into(),
                "552@s.whatsapp.net".into()
            ])
        );
        assert_eq!(participants(""), None);
        assert_eq!(participants("551@s.whatsapp.net,5511"), None);
    }
}

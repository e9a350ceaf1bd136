//! The results of the Messages, Contacts and Groups calls as plain JS objects (camelCase).
//!
//! Why a mirror of core's types: `#[napi(object)]` gives `index.d.ts` its interfaces (with
//! these docs) and `Serialize` gives the JSON text the calls cross with (`calls.rs`). The
//! conversion is field for field; an absent value is left out, so it reads `undefined`.

use napi_derive::napi;
use serde::Serialize;

/// One chat of the phone (`chats`).
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Chat {
    /// `…@s.whatsapp.net` for a person, `…@g.us` for a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unread messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// The wire's `mute` text when it is not empty (its format is not documented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mute_until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spam: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// The last message's time, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modify_tag: Option<String>,
    /// The picture's URL (it carries the WebID: hidden from `util.inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// ISO-8601 as sent; absent for "never".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
    /// The chat's JSON text as received.
    pub raw_json: String,
}

/// A contact (`contacts`) or a profile (`getProfile`, `queryProfile`).
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    /// The name the person chose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push_name: Option<String>,
    /// The name saved in the phone's contacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// A business's verified name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
    /// The picture's URL (it carries the WebID: hidden from `util.inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// ISO-8601 as sent; absent for "never".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_business: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spam: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_group: Option<bool>,
    /// The contact's JSON text as received.
    pub raw_json: String,
}

/// A WhatsApp group (`groupCreate`, `groupAdd`).
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The group's JID (`…@g.us`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The picture's URL (it carries the WebID: hidden from `util.inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<String>,
    /// Hidden from `util.inspect`, as `picture`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_picture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_update: Option<String>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_presence_time: Option<i64>,
    /// The group's subject, owner and participants.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information: Option<GroupInformation>,
    /// `GroupInformation` as received (the inner JSON text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_json: Option<String>,
    /// The group's JSON text as received.
    pub raw_json: String,
}

/// A group's subject, owner and participants.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInformation {
    /// The group's JID (`…@g.us`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The creator's JID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_owner: Option<String>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation: Option<i64>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_time: Option<i64>,
    pub participants: Vec<GroupParticipant>,
}

/// One member of a group.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupParticipant {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_super_admin: Option<bool>,
}

/// What `sendMessage` and `sendFile` answer.
#[napi(object)]
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentMessage {
    /// The message's id.
    pub id: String,
    /// Where the server keeps the file (files only; it carries the WebID: hidden from
    /// `util.inspect`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A base64 JPEG thumbnail (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jpeg_thumbnail: Option<String>,
    /// The answer's JSON text as received.
    pub raw_json: String,
}

impl From<witi::Chat> for Chat {
    fn from(c: witi::Chat) -> Self {
        Chat {
            jid: c.jid,
            name: c.name,
            unread_count: c.unread_count,
            muted: c.muted,
            mute_until: c.mute_until,
            spam: c.spam,
            archived: c.archived,
            last_message_time: c.last_message_time,
            modify_tag: c.modify_tag,
            picture: c.picture,
            last_update: c.last_update,
            raw_json: c.raw_json,
        }
    }
}

impl From<witi::Contact> for Contact {
    fn from(c: witi::Contact) -> Self {
        Contact {
            jid: c.jid,
            push_name: c.push_name,
            name: c.name,
            short_name: c.short_name,
            verified_name: c.verified_name,
            verify: c.verify,
            picture: c.picture,
            last_update: c.last_update,
            last_message_time: c.last_message_time,
            is_business: c.is_business,
            status: c.status,
            tag: c.tag,
            unread_count: c.unread_count,
            muted: c.muted,
            spam: c.spam,
            archived: c.archived,
            is_group: c.is_group,
            raw_json: c.raw_json,
        }
    }
}

impl From<witi::Group> for Group {
    fn from(g: witi::Group) -> Self {
        Group {
            jid: g.jid,
            name: g.name,
            picture: g.picture,
            original_picture: g.original_picture,
            last_update: g.last_update,
            last_presence_time: g.last_presence_time,
            information: g.information.map(|i| GroupInformation {
                id: i.id,
                subject: i.subject,
                owner: i.owner,
                subject_owner: i.subject_owner,
                creation: i.creation,
                subject_time: i.subject_time,
                participants: i
                    .participants
                    .into_iter()
                    .map(|p| GroupParticipant {
                        id: p.id,
                        is_admin: p.is_admin,
                        is_super_admin: p.is_super_admin,
                    })
                    .collect(),
            }),
            information_json: g.information_json,
            raw_json: g.raw_json,
        }
    }
}

impl From<witi::SentMessage> for SentMessage {
    fn from(m: witi::SentMessage) -> Self {
        SentMessage {
            id: m.id,
            url: m.url,
            jpeg_thumbnail: m.jpeg_thumbnail,
            raw_json: m.raw_json,
        }
    }
}

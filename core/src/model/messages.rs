//! The results of the Messages, Contacts and Groups chapters (`chats`, `contacts`,
//! `get_profile`, `query_profile`, `send_message`, `send_file`, `group_create`, `group_add`).
//!
//! Source: the witi.me documentation's pages `mensagem`, `contato` and `grupos`, restated in
//! `shared/spec/messages-contacts-groups.md`. As with [`crate::Status`], every field the page
//! shows is optional here (a missing or mistyped field is `None`, never a failed call), the
//! wire's quirks are undone once in `parse/messages.rs` (`Mute` as a string or a bool, .NET's
//! `0001-01-01` "never", `GroupInformation` as JSON inside a string), and every result keeps
//! `raw_json` so a field this SDK does not know stays reachable.
//!
//! `Debug` is hand-written through [`super::hidden`]: picture and media URLs carry the
//! instance's WebID (`get_picture.aspx?WID=…`, `static/<WebID>/…`), which may be its key.

use serde::Serialize;
use std::fmt;

/// One chat of the phone, an element of `chats.aspx`'s list.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct Chat {
    /// `…@s.whatsapp.net` for a person, `…@g.us` for a group.
    pub jid: Option<String>,
    pub name: Option<String>,
    /// Unread messages (`count` on the wire).
    pub unread_count: Option<i64>,
    /// Whether the chat is muted: the wire's `mute` is a string, `""` when not muted.
    pub muted: Option<bool>,
    /// The wire's `mute` text when it is not empty (its format is not documented).
    pub mute_until: Option<String>,
    pub spam: Option<bool>,
    /// `archive` on the wire.
    pub archived: Option<bool>,
    /// The last message's time, Unix seconds (`t` on the wire).
    pub last_message_time: Option<i64>,
    /// Digits as a string on the wire, kept as text.
    pub modify_tag: Option<String>,
    /// The picture's URL (it carries the WebID: hidden from `Debug`).
    pub picture: Option<String>,
    /// `Lastupdate`, ISO-8601 as sent; `None` for .NET's `0001-01-01…` ("never").
    pub last_update: Option<String>,
    /// The chat's JSON text as received.
    pub raw_json: String,
}

/// A contact or a profile: an element of `contacts.aspx`, or what `get_profile.aspx` and
/// `query_profile.aspx` answer.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct Contact {
    pub jid: Option<String>,
    /// The name the person chose (`notify` on the wire).
    pub push_name: Option<String>,
    /// The name saved in the phone's contacts.
    pub name: Option<String>,
    /// `short` on the wire.
    pub short_name: Option<String>,
    /// A business's verified name (`vname`).
    pub verified_name: Option<String>,
    /// `verify` on the wire (its meaning is not documented).
    pub verify: Option<String>,
    pub picture: Option<String>,
    /// `Lastupdate`, ISO-8601 as sent; `None` for .NET's `0001-01-01…` ("never").
    pub last_update: Option<String>,
    /// `LastMessageTime`, Unix seconds; `None` when 0.
    pub last_message_time: Option<i64>,
    /// `biz` on the wire.
    pub is_business: Option<bool>,
    /// `status` on the wire (200 in the documentation's examples).
    pub status: Option<i64>,
    pub tag: Option<String>,
    /// Unread messages (`Count`).
    pub unread_count: Option<i64>,
    /// `Mute`: a bool here, a string in chats; both are read.
    pub muted: Option<bool>,
    pub spam: Option<bool>,
    pub archived: Option<bool>,
    pub is_group: Option<bool>,
    /// The contact's JSON text as received.
    pub raw_json: String,
}

/// A WhatsApp group, as `group_create.aspx` and `group_add.aspx` answer.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct Group {
    /// The group's JID (`…@g.us`): `jid`, else `GroupInformation.id`.
    pub jid: Option<String>,
    pub name: Option<String>,
    pub picture: Option<String>,
    /// `OriginalPicture` on the wire.
    pub original_picture: Option<String>,
    pub last_update: Option<String>,
    /// `LastPresenceTime`, Unix seconds; `None` when 0.
    pub last_presence_time: Option<i64>,
    /// `GroupInformation`, parsed from the JSON text the wire carries inside a string.
    pub information: Option<GroupInformation>,
    /// `GroupInformation` as received (the inner JSON text), when present.
    pub information_json: Option<String>,
    /// The group's JSON text as received.
    pub raw_json: String,
}

/// `GroupInformation`: the group's subject, owner and participants.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupInformation {
    /// The group's JID (`…@g.us`).
    pub id: Option<String>,
    pub subject: Option<String>,
    /// The creator's JID.
    pub owner: Option<String>,
    /// Who set the subject (`subjectOwner`).
    pub subject_owner: Option<String>,
    /// Unix seconds.
    pub creation: Option<i64>,
    /// When the subject was set, Unix seconds (`subjectTime`).
    pub subject_time: Option<i64>,
    pub participants: Vec<GroupParticipant>,
}

/// One member of a group. The documentation's example shows no `id` for participants: it is
/// read when present.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupParticipant {
    pub id: Option<String>,
    pub is_admin: Option<bool>,
    pub is_super_admin: Option<bool>,
}

/// What `send_message.aspx` and `send_message_file.aspx` answer.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct SentMessage {
    /// The message's id: `Id` for a text, `MessageID` for a file (32 hex characters).
    pub id: String,
    /// Where the server keeps the file (`Url`; files only). It carries the WebID.
    pub url: Option<String>,
    /// A base64 JPEG thumbnail (`jpegThumbnail`; files only, `None` when empty).
    pub jpeg_thumbnail: Option<String>,
    /// The answer's JSON text as received.
    pub raw_json: String,
}

impl fmt::Debug for Chat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::hidden::debug("Chat", self, f)
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::hidden::debug("Contact", self, f)
    }
}

impl fmt::Debug for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::hidden::debug("Group", self, f)
    }
}

impl fmt::Debug for SentMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::hidden::debug("SentMessage", self, f)
    }
}

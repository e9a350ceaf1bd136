//! The answers of the Messages, Contacts and Groups chapters, to the results of
//! `model/messages.rs`.
//!
//! The chapters use three envelopes (`shared/spec/messages-contacts-groups.md`, from the
//! witi.me pages `mensagem`, `contato`, `grupos`): English `{"success", "message"}` (sends,
//! groups), Portuguese `{"sucesso", "mensagem"}` (profiles) and a bare list (`chats.aspx`,
//! `contacts.aspx`). Each parser takes either spelling of the envelope, since the pages
//! themselves mix them. A refusal carries no server text, so the error names the command.

use super::{Body, boolean, int, string};
use crate::error::{Error, Result};
use crate::model::{Chat, Contact, Group, GroupInformation, GroupParticipant, SentMessage};
use serde_json::{Map, Value};

/// The answer as JSON; an empty body is `null` (list commands "return empty").
fn json(body: &Body<'_>) -> Result<Value> {
    let text = body.text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            body.decode_error("truncated JSON")
        } else {
            body.decode_error("a body that is not JSON")
        }
    })
}

fn refused(body: &Body<'_>, why: &str) -> Error {
    Error::Api {
        command: body.command,
        message: why.to_owned(),
    }
}

/// An object's envelope flag (`success` or `sucesso`), when it has one.
fn envelope_flag(map: &Map<String, Value>) -> Option<bool> {
    boolean(map.get("success")).or_else(|| boolean(map.get("sucesso")))
}

/// The payload of a successful envelope (`message` or `mensagem`); `Ok(None)` for a success
/// without one. A failure, or an `error` text, is an `api` error.
fn envelope(body: &Body<'_>, value: Value) -> Result<Option<Value>> {
    let Value::Object(mut map) = value else {
        return Err(body.decode_error("JSON that is not an object"));
    };
    if let Some(Value::String(error)) = map.get("error")
        && !error.trim().is_empty()
    {
        return Err(refused(body, error));
    }
    match envelope_flag(&map) {
        Some(true) => {}
        Some(false) => return Err(refused(body, "the answer says it failed (success: false)")),
        None => return Err(body.decode_error("an answer without `success`")),
    }
    let payload = map.remove("message").or_else(|| map.remove("mensagem"));
    Ok(payload.filter(|p| !p.is_null()))
}

/// The most items a list answer may have. Why: every item becomes a model (a dozen fields, its
/// `raw_json`, and in a binding a host object), so 8 MiB of `{},{},…` (2.8 million items) made
/// a Python `chats()` take 1.6 GB and 17 s. A real chat or contact is over 80 bytes (its JID
/// alone is ~30), so an answer within the transport's 8 MiB never holds this many.
pub(crate) const MAX_LIST_ITEMS: usize = 100_000;

/// A list answer's items; `null`, an empty body and `[]` are an empty list. An object is a
/// refusal envelope (an `api` error) or a `decode` error; so is a list of more than
/// [`MAX_LIST_ITEMS`] items.
fn list_items(body: &Body<'_>) -> Result<Vec<Map<String, Value>>> {
    match json(body)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => objects(body, items),
        Value::Object(map) => match envelope(body, Value::Object(map))? {
            // A success envelope around the list is taken too.
            Some(Value::Array(items)) => objects(body, items),
            None => Ok(Vec::new()),
            Some(_) => Err(body.decode_error("an envelope whose payload is not a list")),
        },
        _ => Err(body.decode_error("JSON that is neither a list nor an object")),
    }
}

/// A list answer's items as objects (`null` items skipped), at most [`MAX_LIST_ITEMS`].
fn objects(body: &Body<'_>, items: Vec<Value>) -> Result<Vec<Map<String, Value>>> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(body.decode_error(format!(
            "a list of {} items, more than the {MAX_LIST_ITEMS} a real answer holds",
            items.len()
        )));
    }
    items
        .into_iter()
        .enumerate()
        .filter(|(_, item)| !item.is_null())
        .map(|(i, item)| match item {
            Value::Object(map) => Ok(map),
            _ => Err(body.decode_error(format!("list item {i} is not an object"))),
        })
        .collect()
}

/// An object's JSON text (for `raw_json`), without copying the object first.
fn json_text(map: &Map<String, Value>) -> String {
    serde_json::to_string(map).expect("a JSON object always serializes")
}

/// A time text; `None` when empty or .NET's `DateTime.MinValue` (`0001-01-01…`), "never".
fn time_text(v: Option<&Value>) -> Option<String> {
    string(v).filter(|t| !t.trim().is_empty() && !t.trim_start().starts_with("0001-01-01"))
}

/// A mute field: a bool, or a string (`""` = not muted).
fn muted(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::String(s) => Some(boolean(v).unwrap_or(!s.trim().is_empty())),
        other => boolean(Some(other)),
    }
}

/// A non-empty string field.
fn text(v: Option<&Value>) -> Option<String> {
    string(v).filter(|s| !s.is_empty())
}

/// A positive number of seconds; 0 is the wire's "never".
fn seconds(v: Option<&Value>) -> Option<i64> {
    int(v).filter(|t| *t > 0)
}

fn chat(map: &Map<String, Value>) -> Chat {
    let mute = map.get("mute").or_else(|| map.get("Mute"));
    Chat {
        jid: text(map.get("jid")),
        name: text(map.get("name")),
        unread_count: int(map.get("count").or_else(|| map.get("Count"))),
        muted: muted(mute),
        mute_until: match mute {
            Some(Value::String(s)) if boolean(mute).is_none() => text(Some(&Value::from(s.trim()))),
            _ => None,
        },
        spam: boolean(map.get("spam").or_else(|| map.get("Spam"))),
        archived: boolean(map.get("archive").or_else(|| map.get("Archive"))),
        last_message_time: seconds(map.get("t")),
        modify_tag: text(map.get("modify_tag")),
        picture: text(map.get("picture")),
        last_update: time_text(map.get("Lastupdate")),
        raw_json: json_text(map),
    }
}

fn contact(map: &Map<String, Value>) -> Contact {
    Contact {
        jid: text(map.get("jid")),
        push_name: text(map.get("notify")),
        name: text(map.get("name")),
        short_name: text(map.get("short")),
        verified_name: text(map.get("vname")),
        verify: text(map.get("verify")),
        picture: text(map.get("picture")),
        last_update: time_text(map.get("Lastupdate")),
        last_message_time: seconds(map.get("LastMessageTime")),
        is_business: boolean(map.get("biz")),
        status: int(map.get("status")),
        tag: text(map.get("tag")),
        unread_count: int(map.get("Count").or_else(|| map.get("count"))),
        muted: muted(map.get("Mute").or_else(|| map.get("mute"))),
        spam: boolean(map.get("Spam").or_else(|| map.get("spam"))),
        archived: boolean(map.get("Archive").or_else(|| map.get("archive"))),
        is_group: boolean(map.get("isGroup")),
        raw_json: json_text(map),
    }
}

fn participant(value: &Value) -> Option<GroupParticipant> {
    match value {
        Value::String(id) => Some(GroupParticipant {
            id: Some(id.clone()),
            ..GroupParticipant::default()
        }),
        Value::Object(map) => Some(GroupParticipant {
            id: text(map.get("id").or_else(|| map.get("jid"))),
            is_admin: boolean(map.get("isAdmin")),
            is_super_admin: boolean(map.get("isSuperAdmin")),
        }),
        _ => None,
    }
}

fn group_information(value: &Value) -> Option<GroupInformation> {
    let map = value.as_object()?;
    Some(GroupInformation {
        id: text(map.get("id")),
        subject: text(map.get("subject")),
        owner: text(map.get("owner")),
        subject_owner: text(map.get("subjectOwner")),
        creation: seconds(map.get("creation")),
        subject_time: seconds(map.get("subjectTime")),
        participants: map
            .get("participants")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(participant).collect())
            .unwrap_or_default(),
    })
}

fn group(map: &Map<String, Value>) -> Group {
    // The inner document comes as a JSON string; an object is taken too. A string that does
    // not parse leaves `information` empty and keeps its text.
    let (information, information_json) = match map.get("GroupInformation") {
        Some(Value::String(inner)) if !inner.trim().is_empty() => (
            serde_json::from_str::<Value>(inner)
                .ok()
                .as_ref()
                .and_then(group_information),
            Some(inner.clone()),
        ),
        Some(inner @ Value::Object(_)) => (group_information(inner), Some(inner.to_string())),
        _ => (None, None),
    };
    let jid = text(map.get("jid")).or_else(|| information.as_ref().and_then(|i| i.id.clone()));
    let name =
        text(map.get("name")).or_else(|| information.as_ref().and_then(|i| i.subject.clone()));
    Group {
        jid,
        name,
        picture: text(map.get("picture")),
        original_picture: text(map.get("OriginalPicture")),
        last_update: time_text(map.get("Lastupdate")),
        last_presence_time: seconds(map.get("LastPresenceTime")),
        information,
        information_json,
        raw_json: json_text(map),
    }
}

/// `chats.aspx`: a bare list of chats.
pub(crate) fn chats_response(body: &Body<'_>) -> Result<Vec<Chat>> {
    Ok(list_items(body)?.iter().map(chat).collect())
}

/// `contacts.aspx`: a bare list of contacts.
pub(crate) fn contacts_response(body: &Body<'_>) -> Result<Vec<Contact>> {
    Ok(list_items(body)?.iter().map(contact).collect())
}

/// `get_profile.aspx`, `query_profile.aspx`: the Portuguese envelope around a profile. The
/// envelope's "no" (`sucesso: false`, or no profile) is `None`, not an error: it is the answer
/// to "is this a contact / a WhatsApp profile?". An `error` text is still an `api` error.
pub(crate) fn profile_response(body: &Body<'_>) -> Result<Option<Contact>> {
    let value = json(body)?;
    if let Value::Object(map) = &value
        && envelope_flag(map) == Some(false)
        && text(map.get("error")).is_none()
    {
        return Ok(None);
    }
    match envelope(body, value)? {
        Some(Value::Object(map)) => Ok(Some(contact(&map))),
        None => Ok(None),
        Some(_) => Err(body.decode_error("a profile that is not an object")),
    }
}

/// `send_message.aspx`, `send_message_file.aspx`: the English envelope around the message's
/// id (`Id` for a text, `MessageID` for a file).
pub(crate) fn sent_response(body: &Body<'_>) -> Result<SentMessage> {
    let Some(Value::Object(map)) = envelope(body, json(body)?)? else {
        return Err(body.decode_error("a success without the sent message"));
    };
    let id = text(map.get("Id"))
        .or_else(|| text(map.get("MessageID")))
        .or_else(|| text(map.get("id")))
        .ok_or_else(|| body.decode_error("a sent message without an id"))?;
    Ok(SentMessage {
        id,
        url: text(map.get("Url")).or_else(|| text(map.get("url"))),
        jpeg_thumbnail: text(map.get("jpegThumbnail")),
        raw_json: body.text.to_owned(),
    })
}

/// `group_create.aspx`, `group_add.aspx`: the English envelope around a group.
pub(crate) fn group_response(body: &Body<'_>) -> Result<Group> {
    match envelope(body, json(body)?)? {
        Some(Value::Object(map)) => Ok(group(&map)),
        _ => Err(body.decode_error("a success without the group")),
    }
}

/// Any command, through `Client::call`: the answer's JSON (`null` for an empty body). A
/// top-level `success`/`sucesso` of `false` or a non-empty `error` text is an `api` error, as
/// for the typed calls.
pub(crate) fn any_response(body: &Body<'_>) -> Result<Value> {
    let value = json(body)?;
    if let Value::Object(map) = &value {
        if let Some(error) = text(map.get("error")).filter(|e| !e.trim().is_empty()) {
            return Err(refused(body, &error));
        }
        if envelope_flag(map) == Some(false) {
            return Err(refused(body, "the answer says it failed (success: false)"));
        }
    }
    Ok(value)
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;

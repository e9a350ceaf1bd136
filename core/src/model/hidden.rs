//! Which result fields never show in a `Debug`, a `repr`, a `toString` or an inspect: the one
//! list every language reads.
//!
//! Why: an instance's WebID may be its API key (the gateway appends it to PostBack URLs as
//! `&wid=`, the key's own name), and it travels inside several results: `Status.web_id` and
//! `webhook`, `Event.wid`, picture and media URLs (`get_picture.aspx?WID=…`,
//! `static/<WebID>/…`), and every `raw_json` text again. Printing a result is what users do
//! in logs, so these fields show only whether they are set (`raw_json` its length). Each
//! binding formats its own results from [`HIDDEN_FIELDS`] (or checks its hand-written formatting
//! against it in a test), so a new sensitive field is added here once.

use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// The text shown instead of a hidden field's value.
pub const REDACTED_FIELD: &str = "<redacted>";

/// For each result type (its Rust name), the fields (snake_case) hidden from printed forms.
/// `Status.storage` is special: its root's `name` is the WebID, so only totals show.
pub const HIDDEN_FIELDS: &[(&str, &[&str])] = &[
    ("Status", &["web_id", "webhook", "raw_json"]),
    ("SessionResult", &["raw_json"]),
    ("Event", &["wid", "json"]),
    ("Chat", &["picture", "raw_json"]),
    ("Contact", &["picture", "raw_json"]),
    ("Group", &["picture", "original_picture", "raw_json"]),
    ("SentMessage", &["url", "raw_json"]),
];

/// The hidden fields of `type_name` (empty for a type with none).
pub fn hidden_fields(type_name: &str) -> &'static [&'static str] {
    HIDDEN_FIELDS
        .iter()
        .find(|(name, _)| *name == type_name)
        .map_or(&[], |(_, fields)| fields)
}

/// A JSON value printed the way `Debug` prints Rust values: strings quoted, `null` as `None`.
struct Shown<'a>(&'a Value);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("None"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Array(items) => f.debug_list().entries(items.iter().map(Shown)).finish(),
            Value::Object(map) => {
                let mut s = f.debug_map();
                for (k, v) in map {
                    s.entry(&k, &Shown(v));
                }
                s.finish()
            }
            other => write!(f, "{other}"),
        }
    }
}

/// `Debug` for a result: its serialized fields, with [`hidden_fields`] shown as
/// [`REDACTED_FIELD`] when set and `raw_json`/`json` as their length.
pub(crate) fn debug<T: Serialize>(
    type_name: &str,
    value: &T,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let hidden = hidden_fields(type_name);
    let Ok(Value::Object(map)) = serde_json::to_value(value) else {
        return write!(f, "{type_name} {{ .. }}");
    };
    let mut s = f.debug_struct(type_name);
    for (name, field) in &map {
        if !hidden.contains(&name.as_str()) {
            s.field(name, &Shown(field));
        } else if let (true, Value::String(text)) = (name.ends_with("json"), field) {
            s.field(&format!("{name}_len"), &text.len());
        } else if field.is_null() {
            s.field(name, &None::<()>);
        } else {
            s.field(name, &REDACTED_FIELD);
        }
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Chat, SentMessage};

    #[test]
    fn hidden_fields_show_only_that_they_are_set() {
        let chat = Chat {
            jid: Some("5511@s.whatsapp.net".into()),
            picture: Some("https://api.witi.me/get_picture.aspx?WID=THE-WEB-ID&jid=1".into()),
            raw_json: r#"{"picture":"...WID=THE-WEB-ID"}"#.into(),
            ..Chat::default()
        };
        let shown = format!("{chat:?}");
        assert!(!shown.contains("THE-WEB-ID"), "{shown}");
        assert!(shown.contains("5511@s.whatsapp.net"), "{shown}");
        assert!(shown.contains("picture: \"<redacted>\""), "{shown}");
        let len = format!("raw_json_len: {}", chat.raw_json.len());
        assert!(shown.contains(&len), "{shown}");
        let sent = SentMessage {
            id: "ABC".into(),
            url: Some("https://api.witi.me/static/THE-WEB-ID/media/ABC".into()),
            ..SentMessage::default()
        };
        let shown = format!("{sent:?}");
        assert!(
            !shown.contains("THE-WEB-ID") && shown.contains("\"ABC\""),
            "{shown}"
        );
        assert!(shown.contains("jpeg_thumbnail: None"), "{shown}");
    }

    #[test]
    fn every_listed_field_exists_on_its_type() {
        // A renamed field would silently stop being hidden: each listed name must be one of
        // the type's serialized fields.
        let samples: Vec<(&str, Value)> = vec![
            ("Chat", serde_json::to_value(Chat::default()).unwrap()),
            (
                "Contact",
                serde_json::to_value(crate::model::Contact::default()).unwrap(),
            ),
            (
                "Group",
                serde_json::to_value(crate::model::Group::default()).unwrap(),
            ),
            (
                "SentMessage",
                serde_json::to_value(SentMessage::default()).unwrap(),
            ),
        ];
        for (name, value) in samples {
            for field in hidden_fields(name) {
                assert!(value.get(field).is_some(), "{name}.{field}");
            }
        }
    }
}

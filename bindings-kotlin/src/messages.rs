//! The results of the Messages, Contacts and Groups calls as uniffi records (Kotlin data
//! classes, Swift structs): `Chat`, `Contact`, `Group`, `GroupInformation`,
//! `GroupParticipant`, `SentMessage`, field for field the core's (same names, camelCase in
//! the hosts; `Option` where the wire may omit, so absent is null / nil).
//!
//! Each record is declared through [`records!`], which also writes its copy from the core
//! type and its `toString()` / `description` (the exported `Display`): every field in order,
//! except the ones the core lists in `witi::HIDDEN_FIELDS` for that type, which show only
//! `<redacted>` when set (`rawJson` its length). So a sensitive field added in the core is
//! hidden here without a line changing; `hiddenFields()` exports the list so the Kotlin tests
//! check every entry against the printed forms.

use crate::calls::FromCore;
use std::fmt;

/// Writes a value the way the records' `toString()` shows it (Kotlin's `null` when absent).
pub(crate) trait Shown {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    /// False for an absent value (a hidden field then shows `null`, not `<redacted>`).
    fn is_set(&self) -> bool {
        true
    }
    /// The length in characters of a text, for hidden JSON texts.
    fn chars(&self) -> Option<usize> {
        None
    }
}

impl Shown for String {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
    fn chars(&self) -> Option<usize> {
        Some(str::chars(self).count())
    }
}

impl Shown for i64 {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl Shown for bool {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl<T: Shown> Shown for Option<T> {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(value) => value.show(f),
            None => f.write_str("null"),
        }
    }
    fn is_set(&self) -> bool {
        self.is_some()
    }
    fn chars(&self) -> Option<usize> {
        self.as_ref().and_then(Shown::chars)
    }
}

impl<T: Shown> Shown for Vec<T> {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            item.show(f)?;
        }
        f.write_str("]")
    }
}

/// `snake_case` to the hosts' `camelCase` (uniffi's renaming of field names).
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// One `name=value` of a record's `toString()`, hidden when the core lists it for the type.
fn field(
    f: &mut fmt::Formatter<'_>,
    first: &mut bool,
    name: &str,
    hidden: &[&str],
    value: &dyn Shown,
) -> fmt::Result {
    if !std::mem::take(first) {
        f.write_str(", ")?;
    }
    write!(f, "{}=", camel(name))?;
    match (hidden.contains(&name), value.is_set(), value.chars()) {
        (false, _, _) => value.show(f),
        (true, false, _) => f.write_str("null"),
        (true, true, Some(n)) if name.ends_with("json") => write!(f, "<{n} chars>"),
        (true, true, _) => f.write_str(witi::REDACTED_FIELD),
    }
}

/// Declares records that copy the core type of the same name field by field, and their
/// `toString()` through [`field`] and `witi::hidden_fields`.
macro_rules! records {
    ($(
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            $($(#[doc = $fdoc:literal])* pub $field:ident: $ty:ty,)*
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, PartialEq, uniffi::Record)]
            #[uniffi::export(Display)]
            pub struct $name {
                $($(#[doc = $fdoc])* pub $field: $ty,)*
            }

            impl From<witi::$name> for $name {
                fn from(value: witi::$name) -> Self {
                    $name { $($field: FromCore::from_core(value.$field),)* }
                }
            }

            impl FromCore<witi::$name> for $name {
                fn from_core(value: witi::$name) -> Self {
                    value.into()
                }
            }

            /// Every field in order; the core's hidden fields of this type show only
            /// whether they are set.
            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    let hidden = witi::hidden_fields(stringify!($name));
                    let mut first = true;
                    f.write_str(concat!(stringify!($name), "("))?;
                    $(field(f, &mut first, stringify!($field), hidden, &self.$field)?;)*
                    f.write_str(")")
                }
            }

            impl Shown for $name {
                fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    fmt::Display::fmt(self, f)
                }
            }
        )*
    };
}

records! {
    /// One chat of the phone (`chats()`).
    pub struct Chat {
        /// `…@s.whatsapp.net` for a person, `…@g.us` for a group.
        pub jid: Option<String>,
        pub name: Option<String>,
        /// Unread messages.
        pub unread_count: Option<i64>,
        /// Whether the chat is muted.
        pub muted: Option<bool>,
        /// The wire's `mute` text when it is not empty (its format is not documented).
        pub mute_until: Option<String>,
        pub spam: Option<bool>,
        pub archived: Option<bool>,
        /// The last message's time, Unix seconds.
        pub last_message_time: Option<i64>,
        pub modify_tag: Option<String>,
        /// The picture's URL. It carries the instance's WebID: `toString()` hides it.
        pub picture: Option<String>,
        /// ISO-8601 as sent; null for "never".
        pub last_update: Option<String>,
        /// The chat's JSON text as received.
        pub raw_json: String,
    }

    /// A contact (`contacts()`) or a profile (`getProfile`, `queryProfile`).
    pub struct Contact {
        pub jid: Option<String>,
        /// The name the person chose (`notify` on the wire).
        pub push_name: Option<String>,
        /// The name saved in the phone's contacts.
        pub name: Option<String>,
        pub short_name: Option<String>,
        /// A business's verified name.
        pub verified_name: Option<String>,
        pub verify: Option<String>,
        /// The picture's URL. It carries the instance's WebID: `toString()` hides it.
        pub picture: Option<String>,
        /// ISO-8601 as sent; null for "never".
        pub last_update: Option<String>,
        /// Unix seconds; null when 0.
        pub last_message_time: Option<i64>,
        pub is_business: Option<bool>,
        pub status: Option<i64>,
        pub tag: Option<String>,
        pub unread_count: Option<i64>,
        pub muted: Option<bool>,
        pub spam: Option<bool>,
        pub archived: Option<bool>,
        pub is_group: Option<bool>,
        /// The contact's JSON text as received.
        pub raw_json: String,
    }

    /// A WhatsApp group (`groupCreate`, `groupAdd`).
    pub struct Group {
        /// The group's JID (`…@g.us`).
        pub jid: Option<String>,
        pub name: Option<String>,
        /// The picture's URLs carry the instance's WebID: `toString()` hides them.
        pub picture: Option<String>,
        pub original_picture: Option<String>,
        pub last_update: Option<String>,
        /// Unix seconds; null when 0.
        pub last_presence_time: Option<i64>,
        /// The group's subject, owner and participants.
        pub information: Option<GroupInformation>,
        /// `GroupInformation` as received (the JSON text the wire carries inside a string).
        pub information_json: Option<String>,
        /// The group's JSON text as received.
        pub raw_json: String,
    }

    /// A group's subject, owner and participants.
    pub struct GroupInformation {
        /// The group's JID (`…@g.us`).
        pub id: Option<String>,
        pub subject: Option<String>,
        /// The creator's JID.
        pub owner: Option<String>,
        pub subject_owner: Option<String>,
        /// Unix seconds.
        pub creation: Option<i64>,
        /// Unix seconds.
        pub subject_time: Option<i64>,
        pub participants: Vec<GroupParticipant>,
    }

    /// One member of a group.
    pub struct GroupParticipant {
        pub id: Option<String>,
        pub is_admin: Option<bool>,
        pub is_super_admin: Option<bool>,
    }

    /// What `sendMessage` and `sendFile` answer.
    pub struct SentMessage {
        /// The message's id (32 hex characters).
        pub id: String,
        /// Where the server keeps the file (files only). It carries the instance's WebID:
        /// `toString()` hides it.
        pub url: Option<String>,
        /// A base64 JPEG thumbnail (files only).
        pub jpeg_thumbnail: Option<String>,
        /// The answer's JSON text as received.
        pub raw_json: String,
    }
}

/// The fields of one result type that `toString()` never shows (the core's list).
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct HiddenFields {
    /// The type's name (`"Chat"`), the same in Kotlin and Swift.
    pub type_name: String,
    /// The fields, snake_case as in the core (`"raw_json"` is `rawJson` here).
    pub fields: Vec<String>,
}

/// Which fields of which results `toString()` hides: WebID-bearing URLs and raw JSON (the
/// WebID may be the instance's key). The core's one list, `witi::HIDDEN_FIELDS`.
#[uniffi::export]
pub fn hidden_fields() -> Vec<HiddenFields> {
    witi::HIDDEN_FIELDS
        .iter()
        .map(|(type_name, fields)| HiddenFields {
            type_name: (*type_name).to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        })
        .collect()
}

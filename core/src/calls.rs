//! The one declaration of every API call the bindings expose: [`for_each_call!`](crate::for_each_call).
//!
//! Why: a call used to be written out once per language (a Python method, its async twin, a
//! wrapper and a stub; a Node method and a wrapper; a Kotlin method; each runner's dispatch).
//! Here each call is declared once, with its documentation, its parameters in a small
//! vocabulary of types every binding maps (`String`, `Option<String>`, `Vec<String>`,
//! `Option<Bytes>`, `Option<Json>`, `bool`, `Option<bool>`) and its result type. Each binding
//! expands the table with its own macro into its host methods, so a call whose result type the
//! bindings already convert costs no line in a binding (see CONTRIBUTING.md).
//!
//! The functions of this module are the table's bodies: one `async fn` per call taking an
//! owned [`Client`] and owned arguments, so that every binding gets a `'static` future.

use crate::client::{Client, FileMessage};
use crate::error::Result;
use crate::model::{
    Chat, ClearResult, Config, Contact, Group, QrCode, SentMessage, SessionResult, Status,
};

/// Any JSON value: what [`Client::call`] takes and answers.
pub type Json = serde_json::Value;
/// A file's bytes.
pub type Bytes = Vec<u8>;

/// Calls `$callback!` with the table of calls. Each entry:
///
/// ```text
/// /// docs
/// fn name(client, arg: [Type], opt: [Option<Type>] = default, ...) -> [Result] { body }
/// ```
///
/// Types are bracketed so that a binding's macro can match them as tokens; a default (`= …`)
/// is what hosts with optional parameters use when the caller leaves one out (`Option`
/// parameters default to none without one). The body is core's, and bindings ignore it: they
/// call `witi::calls::name(client, args…)`.
#[macro_export]
macro_rules! for_each_call {
    ($callback:ident) => {
        $callback! {
            /// `generate_qrcode.aspx`: a QR code to scan with the phone. `user_agent` is the
            /// browser the session presents (default: a current desktop Chrome).
            fn generate_qrcode(client, user_agent: [Option<String>]) -> [QrCode] {
                client.generate_qrcode(user_agent.as_deref()).await
            }
            /// `status.aspx`: the connection information. Retried on timeouts, 429 and 5xx.
            fn status(client) -> [Status] {
                client.status().await
            }
            /// `disconnect.aspx`: logs the phone out for good; a new QR code is needed after.
            fn disconnect(client) -> [Status] {
                client.disconnect().await
            }
            /// `close_session.aspx`: closes the session so `restore_session` can resume it.
            fn close_session(client) -> [SessionResult] {
                client.close_session().await
            }
            /// `save_session.aspx`: saves the session so it can be restored.
            fn save_session(client) -> [SessionResult] {
                client.save_session().await
            }
            /// `restore_session.aspx`: resumes a session closed with `close_session`.
            fn restore_session(client) -> [SessionResult] {
                client.restore_session().await
            }
            /// `clear.aspx`: wipes the instance's stored files and cache (not WhatsApp data).
            fn clear(client) -> [ClearResult] {
                client.clear().await
            }
            /// `set_config.aspx`: changes the PostBack URL, the browser name, the API version
            /// and bulk delivery; a parameter left out is not sent.
            fn set_config(
                client,
                webhook: [Option<String>],
                user_agent: [Option<String>],
                api_version: [Option<String>],
                api_version_can_bulk: [Option<bool>]
            ) -> [Status] {
                client
                    .set_config(&Config {
                        webhook,
                        user_agent,
                        api_version,
                        api_version_can_bulk,
                    })
                    .await
            }
            /// `chats.aspx`: the phone's chats (people and groups); an empty answer is an
            /// empty list.
            fn chats(client) -> [Vec<Chat>] {
                client.chats().await
            }
            /// `contacts.aspx`: the phone's contacts; an empty answer is an empty list.
            fn contacts(client) -> [Vec<Contact>] {
                client.contacts().await
            }
            /// `send_message.aspx`: sends `text` to `to` (a JID, or an international number
            /// such as `+55 11 98765-4321`). Never retried once it may have been sent.
            fn send_message(client, to: [String], text: [String]) -> [SentMessage] {
                client.send_message(&to, &text).await
            }
            /// `send_message_file.aspx`: sends a file to `to`, from exactly one of `url`,
            /// `data` (the bytes) and `path` (a local file, read now); `mime_type` such as
            /// `image/jpeg`, or `file` for a document; `filename` only with a URL. Never
            /// retried once it may have been sent.
            fn send_file(
                client,
                to: [String],
                url: [Option<String>],
                data: [Option<Bytes>],
                path: [Option<String>],
                mime_type: [String],
                caption: [Option<String>],
                filename: [Option<String>]
            ) -> [SentMessage] {
                let file = FileMessage::from_parts(url, data, path, mime_type, caption, filename)?;
                client.send_file(&to, &file).await
            }
            /// `get_profile.aspx`: the profile of a number in the phone's contacts; none when
            /// the server says no.
            fn get_profile(client, number: [String]) -> [Option<Contact>] {
                client.get_profile(&number).await
            }
            /// `query_profile.aspx`: the WhatsApp profile of any number; none when the server
            /// says no.
            fn query_profile(client, number: [String]) -> [Option<Contact>] {
                client.query_profile(&number).await
            }
            /// Whether `number` is on WhatsApp (`query_profile.aspx` found a profile).
            fn is_on_whatsapp(client, number: [String]) -> [bool] {
                client.is_on_whatsapp(&number).await
            }
            /// `group_create.aspx`: a new group named `name` with `participants` (JIDs or
            /// international numbers, at least one).
            fn group_create(client, name: [String], participants: [Vec<String>]) -> [Group] {
                client.group_create(&name, &participants).await
            }
            /// `group_add.aspx`: adds `participants` to `group` (its JID, `…@g.us`).
            fn group_add(client, group: [String], participants: [Vec<String>]) -> [Group] {
                client.group_add(&group, &participants).await
            }
            /// Any command (`mark_read.aspx`, `send_contact.aspx`, …): a GET without `body`,
            /// a POST with it; the answer's JSON. `changes_state` (default true) forbids
            /// retries once the request may have been sent; pass false for a command that
            /// only reads.
            fn call(
                client,
                command: [String],
                body: [Option<Json>],
                changes_state: [bool] = true
            ) -> [Json] {
                client.call(&command, body.as_ref(), changes_state).await
            }
        }
    };
}

/// Turns the table into this module's functions.
macro_rules! define_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:expr)?)* $(,)?)
            -> [$($ret:tt)+] $body:block
    )*) => {
        $(
            $(#[doc = $doc])*
            #[allow(clippy::too_many_arguments)]
            pub async fn $name($client: Client $(, $arg: $($ty)+)*) -> Result<$($ret)+> $body
        )*

        /// Every call's name, in the table's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];
    };
}

for_each_call!(define_calls);

#[cfg(test)]
mod tests {
    /// The table's parameters as the bindings see them: names in order, and defaults.
    macro_rules! signatures {
        ($(
            $(#[doc = $doc:literal])*
            fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:expr)?)* $(,)?)
                -> [$($ret:tt)+] $body:block
        )*) => {
            vec![$((stringify!($name), vec![$(stringify!($arg)),*], concat!($($(stringify!($default),)?)*))),*]
        };
    }

    #[test]
    fn every_call_is_documented_and_named_once() {
        let names = super::NAMES;
        let mut unique = names.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        for name in [
            "chats",
            "send_message",
            "send_file",
            "contacts",
            "get_profile",
            "query_profile",
            "is_on_whatsapp",
            "group_create",
            "group_add",
            "call",
        ] {
            assert!(names.contains(&name), "{name}");
        }
        let signatures: Vec<(&str, Vec<&str>, &str)> = for_each_call!(signatures);
        let call = signatures.iter().find(|s| s.0 == "call").unwrap();
        assert_eq!(call.1, ["command", "body", "changes_state"]);
        assert_eq!(call.2, "true");
    }
}

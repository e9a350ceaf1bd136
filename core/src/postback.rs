//! Decoding of PostBack (webhook) bodies into events.
//!
//! The witi.me server POSTs events to the instance's PostBack URL in one of three framings
//! (see `connection-api.md`):
//!
//! 1. plain JSON: one event (a JSON array of events is accepted too);
//! 2. `BULK,` + a JSON array whose items are base64 strings, each the bytes of one event;
//! 3. `BULKGZ,` + base64 of a compressed JSON array like the one in (2).
//!
//! The decoder is tolerant of what a real server or proxy may do to a body (any run of UTF-8
//! BOMs at the start of the body, of the decompressed text, of an event or of a base64-decoded
//! item; surrounding whitespace; a lower-case prefix; base64 without padding, wrapped in lines,
//! or URL-safe; zlib, gzip or raw deflate) and strict about resources: every
//! [`PostbackLimits`] bound is enforced while the body is being decoded, never after; a
//! `BULKGZ,` text is inflated as it is walked, never held whole; an event is classified
//! without building its JSON tree; and what a decode holds is drawn from one process-wide
//! budget ([`set_decode_budget`]), so memory stays bounded whatever the concurrency.
//!
//! Error texts are stable and name *where* and *why* (`BULK item 3: not valid base64`), never
//! the body's bytes: a body may carry personal data, and error texts end up in logs.

mod array;
mod budget;
mod bytebuf;
mod decode;
mod event;
mod inflate;

use crate::error::Result;
use crate::model::Status;
use serde::Serialize;
use std::fmt;
use std::time::Duration;

pub use budget::{DEFAULT_DECODE_BUDGET, decode_budget, set_decode_budget};
pub(crate) use budget::{Exhausted, Grant};
pub(crate) use bytebuf::ByteBuf;
pub(crate) use decode::{Failure, decode_events, decode_with_grant};
pub(crate) use event::Detail;

/// Bounds on what one PostBack body may cost to decode.
///
/// The defaults are far above anything a real instance sends (a busy instance's BULK batch is
/// a few hundred events of a few KB) and far below what would hurt a small server: 16 MiB is
/// the largest body worth buffering, 64 MiB of decompressed text is a generous 4× the body
/// limit for text that compresses well (JSON of base64 of JSON compresses 4–10×, so a body
/// near the body limit would not fit, but such a body is not a real batch), and 10 000 events
/// bound the per-event work (parsing, one handler call each). Real events are a few KB; 4 MiB
/// per event leaves room for a large `storage` tree.
///
/// What a decode *holds* at once is bounded separately, for the whole process, by the
/// decoding budget ([`set_decode_budget`], default [`DEFAULT_DECODE_BUDGET`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostbackLimits {
    /// The largest body accepted, in bytes, as received (before any decoding).
    pub max_body_bytes: usize,
    /// The largest decompressed text of a `BULKGZ,` body, in bytes; decompression stops with
    /// an error as soon as the output passes it (a zlib bomb is cut off there).
    pub max_decompressed_bytes: usize,
    /// The most events one body may hold.
    pub max_events: usize,
    /// The largest event, in bytes of its JSON text (or of its base64 text in a BULK array);
    /// a larger one is refused as soon as it passes this, before it is read further.
    pub max_event_bytes: usize,
    /// How long a decode waits for its first bytes of the process-wide budget when other
    /// decodes hold all of it; then it fails as busy (the receiver answers 503 with
    /// `Retry-After`). Once it holds bytes, a decode never waits for more: it fails at once.
    pub budget_wait: Duration,
}

impl Default for PostbackLimits {
    fn default() -> Self {
        PostbackLimits {
            max_body_bytes: 16 * 1024 * 1024,
            max_decompressed_bytes: 64 * 1024 * 1024,
            max_events: 10_000,
            max_event_bytes: 4 * 1024 * 1024,
            budget_wait: Duration::from_secs(2),
        }
    }
}

/// What an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// Connection information (it carries an integer `status` code); [`Event::status`] holds
    /// it parsed.
    Status,
    /// Any other JSON: handed over as text, never dropped, so events this SDK does not know
    /// yet (messages, acks, ...) still reach the user.
    Unknown,
}

impl EventKind {
    /// `"status"` or `"unknown"`: the string every language shares.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Status => "status",
            EventKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One PostBack event.
#[derive(Clone, PartialEq, Serialize)]
pub struct Event {
    /// `status` for connection information, else `unknown`.
    pub kind: EventKind,
    /// The event's own JSON text, as the server sent it (BOMs and surrounding whitespace
    /// removed), so fields this SDK does not know stay reachable.
    pub json: String,
    /// The parsed connection information, for kind [`EventKind::Status`].
    pub status: Option<Status>,
    /// The instance the request named: its `wid` query parameter (or `&wid=` at the end of
    /// the path, where the gateway appends it), percent-decoded; `None` when the request had
    /// none, or for [`decode_postback`] called without one. It is the instance's key: it is
    /// the user's own data here, but `Debug` redacts it and the receiver never logs it.
    pub wid: Option<String>,
    /// A stable id: 32 hex digits (128 bits of SHA-256) over the `wid` and the event's text
    /// (and, for the second and later copies of the same text within one body, how many came
    /// before). A redelivered body gives the same ids, in any framing, so a handler can
    /// deduplicate with it; identical events within one body get distinct ids.
    pub id: String,
}

/// Hand-written: the `wid` is the instance's key and `Debug` output ends up in logs; the
/// JSON text (personal data, and the key again in a status event's `WebID`) shows as its size.
impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("wid", &self.wid.as_ref().map(|_| "<redacted>"))
            .field("json_len", &self.json.len())
            .field("status_code", &self.status.as_ref().map(|s| s.code))
            .finish()
    }
}

/// Decodes a PostBack body with the default [`PostbackLimits`] (events get no `wid`).
pub fn decode_postback(body: &[u8]) -> Result<Vec<Event>> {
    decode_postback_for(body, None, &PostbackLimits::default())
}

/// Decodes a PostBack body (any of the three framings) into its events, in order (events get
/// no `wid`; see [`decode_postback_for`]).
///
/// All or nothing: if any item of a batch is not an event (bad base64, bad UTF-8, not JSON,
/// too large), the whole body is a `postback` error naming the item's index (0-based) and the
/// reason. Dropping the bad item and returning the others would look like success while an
/// event is silently lost; an error lets the receiver answer 400, log it, and makes a broken
/// sender visible at once. Items that are valid JSON but not connection information are never
/// an error: they come back as [`EventKind::Unknown`].
///
/// Memory: what the decode allocates (not `body` itself, which is the caller's) is drawn from
/// the process-wide budget while decoding; a decode that cannot get it is a `postback` error
/// saying the budget is busy (try again) or too small for this body.
///
/// Never panics, whatever the input.
pub fn decode_postback_with(body: &[u8], limits: &PostbackLimits) -> Result<Vec<Event>> {
    decode_postback_for(body, None, limits)
}

/// [`decode_postback_with`] for the instance `wid` (the `wid` query parameter of the request
/// that carried `body`): every event gets it in [`Event::wid`], and it enters [`Event::id`].
pub fn decode_postback_for(
    body: &[u8],
    wid: Option<&str>,
    limits: &PostbackLimits,
) -> Result<Vec<Event>> {
    let mut grant = Grant::empty();
    let events = decode_with_grant(body, wid, limits, &mut grant).map_err(Failure::into_error)?;
    // The events are the caller's now; their bytes leave the budget with this grant.
    drop(grant);
    Ok(events)
}

/// One event as [`decode_postback_texts_for`] gives it: an [`Event`] without its parsed
/// connection information ([`event_status`] parses it from `json` when asked).
#[derive(Clone, PartialEq)]
pub struct EventText {
    /// As [`Event::kind`]: the same rule decides it.
    pub kind: EventKind,
    /// As [`Event::json`].
    pub json: String,
    /// As [`Event::wid`].
    pub wid: Option<String>,
    /// As [`Event::id`].
    pub id: String,
}

/// As [`Event`]'s: the `wid` is the key, the text shows as its size.
impl fmt::Debug for EventText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventText")
            .field("kind", &self.kind)
            .field("id", &self.id)
            .field("wid", &self.wid.as_ref().map(|_| "<redacted>"))
            .field("json_len", &self.json.len())
            .finish()
    }
}

/// [`decode_postback_for`] without building any [`Status`]: the same events (same kinds,
/// texts, ids), the same errors and limits, each text validated as JSON all the same; for a
/// binding whose host language builds an event's typed status lazily, on first access, with
/// [`event_status`]. Building every status across an FFI costs more than decoding the body
/// (`bench/node`), and most handlers read few of them.
pub fn decode_postback_texts_for(
    body: &[u8],
    wid: Option<&str>,
    limits: &PostbackLimits,
) -> Result<Vec<EventText>> {
    let mut grant = Grant::empty();
    let events = decode::decode_events(body, wid, limits, &mut grant, event::Detail::Kind)
        .map_err(Failure::into_error)?;
    drop(grant);
    Ok(events
        .into_iter()
        .map(|e| EventText {
            kind: e.kind,
            json: e.json,
            wid: e.wid,
            id: e.id,
        })
        .collect())
}

/// The connection information of an event's JSON text, exactly the [`Event::status`] a decode
/// gives that text (`raw_json` is the text); `None` for any other event (and for text that is
/// not JSON).
pub fn event_status(json: &str) -> Option<Status> {
    event::status_of(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_a_status_cannot_hold_give_the_same_events_in_both_decodes() {
        // Valid JSON syntax that the typed status cannot hold: both decodes accept the text,
        // agree on its kind, and its status is none (as event_status says), rather than a full
        // decode refusing the whole batch while a texts decode accepts it.
        let limits = PostbackLimits::default();
        for text in [
            r#"{"status":10,"statusString":"WhatsAppAuthenticated","WebID":1e400}"#,
            r#"{"status":10,"statusString":"\ud800"}"#,
            r#"{"status":10,"statusString":"x","connected":1e400}"#,
            r#"{"a":1e400,"b":"\udc00"}"#,
        ] {
            let full = decode_postback_for(text.as_bytes(), Some("W"), &limits)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            let texts = decode_postback_texts_for(text.as_bytes(), Some("W"), &limits)
                .unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((full.len(), texts.len()), (1, 1), "{text}");
            assert_eq!(full[0].kind, texts[0].kind, "{text}");
            assert_eq!(full[0].id, texts[0].id, "{text}");
            assert_eq!(full[0].status, event_status(text), "{text}");
        }
        // What classifies an event (`status` itself) out of range, or no JSON at all: an
        // error in both.
        for broken in [
            &br#"{"status":1e400,"statusString":"x"}"#[..],
            br#"{"status":10,"#,
        ] {
            assert!(decode_postback_for(broken, None, &limits).is_err());
            assert!(decode_postback_texts_for(broken, None, &limits).is_err());
        }
    }

    #[test]
    fn texts_are_the_events_without_their_status() {
        let status = r#"{"status":10,"statusString":"WhatsAppAuthenticated","WebID":"W"}"#;
        let body = format!(r#"[{status}, {{"status":3,"text":"an ack"}}, "x"]"#);
        let full = decode_postback_for(body.as_bytes(), Some("W"), &PostbackLimits::default())
            .expect("valid");
        let texts =
            decode_postback_texts_for(body.as_bytes(), Some("W"), &PostbackLimits::default())
                .expect("valid");
        assert_eq!(texts.len(), 3);
        for (event, text) in full.iter().zip(&texts) {
            assert_eq!(
                (event.kind, &event.json, &event.wid, &event.id),
                (text.kind, &text.json, &text.wid, &text.id)
            );
            assert_eq!(event_status(&text.json), event.status);
        }
        assert_eq!(texts[0].kind, EventKind::Status);
        assert_eq!(texts[1].kind, EventKind::Unknown);
        assert!(format!("{:?}", texts[0]).contains("<redacted>"));
        let bad = decode_postback_texts_for(b"[{}, {", None, &PostbackLimits::default());
        assert_eq!(
            bad.expect_err("invalid").to_string(),
            decode_postback(b"[{}, {").expect_err("invalid").to_string()
        );
    }

    #[test]
    fn kinds_serialize_as_their_strings() {
        assert_eq!(
            serde_json::to_string(&EventKind::Status).expect("serializable"),
            "\"status\""
        );
        assert_eq!(EventKind::Unknown.to_string(), "unknown");
    }
}

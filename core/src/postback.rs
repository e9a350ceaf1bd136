//! Decoding of PostBack (webhook) bodies into events.
//!
//! The witi.me server POSTs events to the instance's PostBack URL in one of three framings
//! (see `connection-api.md`):
//!
//! 1. plain JSON: one event (a JSON array of events is accepted too);
//! 2. `BULK,` + a JSON array whose items are base64 strings, each the bytes of one event;
//! 3. `BULKGZ,` + base64 of a compressed JSON array like the one in (2).
//!
//! The decoder is tolerant of what a real server or proxy may do to a body (a UTF-8 BOM at
//! the start of the body, of the decompressed text or of an event; surrounding whitespace; a
//! lower-case prefix; base64 without padding, wrapped in lines, or URL-safe; zlib, gzip or raw
//! deflate) and strict about resources: every [`PostbackLimits`] bound is enforced while the
//! body is being decoded, never after, so a hostile body costs bounded memory and time.
//!
//! Error texts are stable and name *where* and *why* (`BULK item 3: not valid base64`), never
//! the body's bytes: a body may carry personal data, and error texts end up in logs.

mod array;
mod inflate;

use crate::error::{Error, Result};
use crate::model::Status;
use crate::parse;
use array::{ArrayError, Items};
use inflate::InflateError;
use serde::Serialize;
use serde::de::IgnoredAny;
use std::fmt;

/// Bounds on what one PostBack body may cost to decode.
///
/// The defaults are far above anything a real instance sends (a busy instance's BULK batch is
/// a few hundred events of a few KB) and far below what would hurt a small server: 16 MiB is
/// the largest body worth buffering, 64 MiB of decompressed text is a generous 4× the body
/// limit for text that compresses well (JSON of base64 of JSON compresses 4–10×, so a body
/// near the body limit would not fit, but such a body is not a real batch), and 10 000 events
/// bound the per-event work (parsing, one handler call each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostbackLimits {
    /// The largest body accepted, in bytes, as received (before any decoding).
    pub max_body_bytes: usize,
    /// The largest decompressed text of a `BULKGZ,` body, in bytes; decompression stops with
    /// an error as soon as the output passes it (a zlib bomb is cut off there).
    pub max_decompressed_bytes: usize,
    /// The most events one body may hold.
    pub max_events: usize,
}

impl Default for PostbackLimits {
    fn default() -> Self {
        PostbackLimits {
            max_body_bytes: 16 * 1024 * 1024,
            max_decompressed_bytes: 64 * 1024 * 1024,
            max_events: 10_000,
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// `status` for connection information, else `unknown`.
    pub kind: EventKind,
    /// The event's own JSON text, as the server sent it (BOM and surrounding whitespace
    /// removed), so fields this SDK does not know stay reachable.
    pub json: String,
    /// The parsed connection information, for kind [`EventKind::Status`].
    pub status: Option<Status>,
}

/// Decodes a PostBack body with the default [`PostbackLimits`].
pub fn decode_postback(body: &[u8]) -> Result<Vec<Event>> {
    decode_postback_with(body, &PostbackLimits::default())
}

/// Decodes a PostBack body (any of the three framings) into its events, in order.
///
/// All or nothing: if any item of a batch is not an event (bad base64, bad UTF-8, not JSON),
/// the whole body is a `postback` error naming the item's index (0-based) and the reason.
/// Dropping the bad item and returning the others would look like success while an event is
/// silently lost; an error lets the receiver answer 400, log it, and makes a broken sender
/// visible at once. Items that are valid JSON but not connection information are never an
/// error: they come back as [`EventKind::Unknown`].
///
/// Never panics, whatever the input.
pub fn decode_postback_with(body: &[u8], limits: &PostbackLimits) -> Result<Vec<Event>> {
    if body.len() > limits.max_body_bytes {
        return Err(Error::postback(format!(
            "body of {} bytes exceeds the limit of {} bytes",
            body.len(),
            limits.max_body_bytes
        )));
    }
    let text = trim(strip_bom(trim(body)));
    if text.is_empty() {
        return Err(Error::postback("empty body"));
    }
    if let Some(payload) = strip_prefix(text, b"BULKGZ") {
        decode_bulkgz(payload, limits)
    } else if let Some(payload) = strip_prefix(text, b"BULK") {
        decode_items(Framing::Bulk, payload, limits)
    } else {
        decode_plain(text, limits)
    }
}

/// The framing, to name it in error texts.
#[derive(Clone, Copy)]
enum Framing {
    Plain,
    Bulk,
    BulkGz,
}

impl Framing {
    fn name(self) -> &'static str {
        match self {
            Framing::Plain => "plain",
            Framing::Bulk => "BULK",
            Framing::BulkGz => "BULKGZ",
        }
    }

    fn body_error(self, why: impl fmt::Display) -> Error {
        Error::postback(format!("{} body: {why}", self.name()))
    }

    fn item_error(self, index: usize, why: impl fmt::Display) -> Error {
        Error::postback(format!("{} item {index}: {why}", self.name()))
    }

    fn array_error(self, e: ArrayError) -> Error {
        match e {
            ArrayError::NotAnArray => self.body_error("expected a JSON array of events"),
            ArrayError::Truncated => self.body_error("the JSON array is truncated"),
            ArrayError::BadItem { index } => self.item_error(index, "not valid JSON"),
            ArrayError::BadSeparator { index } => {
                self.item_error(index, "not followed by `,` or `]`")
            }
            ArrayError::TrailingData => self.body_error("text after the end of the JSON array"),
        }
    }
}

/// Plain JSON: an object (or any JSON value) is one event; an array is a list of events.
fn decode_plain(text: &[u8], limits: &PostbackLimits) -> Result<Vec<Event>> {
    if text.first() == Some(&b'[') {
        return decode_items(Framing::Plain, text, limits);
    }
    if limits.max_events == 0 {
        return Err(too_many(Framing::Plain, limits));
    }
    let event = event_from_bytes(text).map_err(|why| Framing::Plain.body_error(why))?;
    Ok(vec![event])
}

/// `BULKGZ,`: base64 → decompress (bounded) → a JSON array as in `BULK,`.
fn decode_bulkgz(payload: &[u8], limits: &PostbackLimits) -> Result<Vec<Event>> {
    let framing = Framing::BulkGz;
    // Tolerate the base64 being sent as a JSON string ("...") as well as bare.
    let payload = match payload {
        [b'"', inner @ .., b'"'] => inner,
        other => other,
    };
    let compressed =
        inflate::base64_lenient(payload).ok_or_else(|| framing.body_error("not valid base64"))?;
    if compressed.is_empty() {
        return Err(framing.body_error("no compressed data"));
    }
    let text =
        inflate::inflate(&compressed, limits.max_decompressed_bytes).map_err(|e| match e {
            InflateError::TooLarge => framing.body_error(format!(
                "decompressed size exceeds the limit of {} bytes",
                limits.max_decompressed_bytes
            )),
            InflateError::Corrupt(format) => {
                framing.body_error(format!("not valid {} data", format.name()))
            }
            InflateError::Truncated(format) => {
                framing.body_error(format!("the {} data is truncated", format.name()))
            }
        })?;
    let text = trim(strip_bom(trim(&text)));
    if text.is_empty() {
        return Err(framing.body_error("empty after decompression"));
    }
    decode_items(framing, text, limits)
}

/// A JSON array of events: for `BULK`/`BULKGZ`, string items are base64 of an event and any
/// other item is an event already in JSON; for plain JSON every item is an event.
fn decode_items(framing: Framing, text: &[u8], limits: &PostbackLimits) -> Result<Vec<Event>> {
    let items = Items::new(text).map_err(|e| framing.array_error(e))?;
    let mut events = Vec::new();
    for (index, item) in items.enumerate() {
        let item = item.map_err(|e| framing.array_error(e))?;
        if index >= limits.max_events {
            return Err(too_many(framing, limits));
        }
        let event = match (framing, item.first()) {
            (Framing::Bulk | Framing::BulkGz, Some(b'"')) => {
                // Base64 needs no JSON escapes, so the usual item is read in place; PHP's
                // json_encode escapes `/` as `\/`, which takes the unescaping path.
                let plain = item
                    .strip_prefix(b"\"")
                    .and_then(|i| i.strip_suffix(b"\""))
                    .filter(|inner| !inner.contains(&b'\\'));
                let bytes = if let Some(inner) = plain {
                    inflate::base64_lenient(inner)
                } else {
                    let encoded: String = serde_json::from_slice(item)
                        .map_err(|_| framing.item_error(index, "not a valid JSON string"))?;
                    inflate::base64_lenient(encoded.as_bytes())
                }
                .ok_or_else(|| framing.item_error(index, "not valid base64"))?;
                event_from_bytes(&bytes)
            }
            _ => event_from_bytes(item),
        };
        events.push(event.map_err(|why| framing.item_error(index, why))?);
    }
    Ok(events)
}

fn too_many(framing: Framing, limits: &PostbackLimits) -> Error {
    framing.body_error(format!("more than {} events, the limit", limits.max_events))
}

/// Why some bytes are not an event; its text completes "`BULK item 3: `…".
enum NotAnEvent {
    Empty,
    Utf8,
    Json { truncated: bool },
}

impl fmt::Display for NotAnEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NotAnEvent::Empty => "empty event",
            NotAnEvent::Utf8 => "not valid UTF-8",
            NotAnEvent::Json { truncated: true } => "not valid JSON (truncated)",
            NotAnEvent::Json { truncated: false } => "not valid JSON",
        })
    }
}

/// One event from its bytes: BOM and whitespace dropped, must be UTF-8 JSON. Classified by
/// [`parse::status_event_from_map`], the same reading `status.aspx` gets, so a status
/// PostBack and a status response give the same [`Status`].
fn event_from_bytes(bytes: &[u8]) -> std::result::Result<Event, NotAnEvent> {
    let bytes = trim(strip_bom(trim(bytes)));
    if bytes.is_empty() {
        return Err(NotAnEvent::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| NotAnEvent::Utf8)?;
    // An object is parsed once, into the tree that both validates it and gives its status.
    // Anything else (or an object nested past serde_json's depth limit) is only validated.
    if text.starts_with('{') {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
            let status = parse::status_event_from_map(&map, text);
            let kind = match status {
                Some(_) => EventKind::Status,
                None => EventKind::Unknown,
            };
            return Ok(Event {
                kind,
                json: text.to_owned(),
                status,
            });
        }
    }
    serde_json::from_str::<IgnoredAny>(text).map_err(|e| NotAnEvent::Json {
        truncated: e.is_eof(),
    })?;
    Ok(Event {
        kind: EventKind::Unknown,
        json: text.to_owned(),
        status: None,
    })
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// `PREFIX` (any case), optional whitespace, `,`; returns what follows, trimmed.
fn strip_prefix<'a>(text: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = trim(&text[prefix.len()..]);
    rest.strip_prefix(b",").map(trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(strip_prefix(b"bulk, [1]", b"BULK"), Some(&b"[1]"[..]));
        assert_eq!(strip_prefix(b"BULK ,[1]", b"BULK"), Some(&b"[1]"[..]));
        assert_eq!(strip_prefix(b"BULKGZ,x", b"BULK"), None);
        assert_eq!(strip_prefix(b"BUL", b"BULK"), None);
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

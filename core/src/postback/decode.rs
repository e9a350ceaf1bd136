//! The decoder proper: framings, limits and the budget, with failures the receiver can tell
//! apart (a bad body is the sender's fault, 400; a busy budget is ours, 503).

use super::array::{ArrayError, Items, Source};
use super::budget::{Exhausted, Grant};
use super::event::{Detail, Ids, NotAnEvent, cost, event_from_bytes, trim_boms};
use super::inflate::{self, INFLATER_BYTES, InflateError, Inflater};
use super::{Event, PostbackLimits};
use crate::error::Error;
use std::fmt;
use std::time::Duration;

/// Why a body was not decoded.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The body is malformed or breaks a limit; the text says where and why.
    Invalid(String),
    /// Other decodes hold the process-wide budget right now.
    Busy { total: usize },
    /// This body needs more than the whole process-wide budget.
    OverBudget { total: usize },
}

impl Failure {
    pub(crate) fn into_error(self) -> Error {
        Error::postback(self.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Invalid(why) => f.write_str(why),
            Failure::Busy { total } => write!(
                f,
                "the process-wide decoding budget of {total} bytes is in use; try again"
            ),
            Failure::OverBudget { total } => write!(
                f,
                "decoding this body needs more than the process-wide decoding budget of {total} bytes"
            ),
        }
    }
}

fn exhausted(e: Exhausted) -> Failure {
    match e {
        Exhausted::Busy => Failure::Busy {
            total: super::decode_budget().0,
        },
        Exhausted::OverTotal { total } => Failure::OverBudget { total },
    }
}

type Decoded<T> = std::result::Result<T, Failure>;

/// The first bytes every decode takes (its first read chunk and working state); the one
/// reservation that may wait for the budget when the grant holds nothing yet.
const START_BYTES: usize = 128 * 1024;

/// Decodes `body` for the instance `wid`, drawing what it allocates from `grant` (which the
/// receiver has already charged with the body; the returned events stay charged to it until
/// the grant is dropped).
pub(crate) fn decode_with_grant(
    body: &[u8],
    wid: Option<&str>,
    limits: &PostbackLimits,
    grant: &mut Grant,
) -> Decoded<Vec<Event>> {
    decode_events(body, wid, limits, grant, Detail::Full)
}

/// [`decode_with_grant`], building each event to `detail`.
pub(crate) fn decode_events(
    body: &[u8],
    wid: Option<&str>,
    limits: &PostbackLimits,
    grant: &mut Grant,
    detail: Detail,
) -> Decoded<Vec<Event>> {
    if body.len() > limits.max_body_bytes {
        return Err(Failure::Invalid(format!(
            "body of {} bytes exceeds the limit of {} bytes",
            body.len(),
            limits.max_body_bytes
        )));
    }
    let text = trim_boms(body);
    if text.is_empty() {
        return Err(Failure::Invalid("empty body".into()));
    }
    // Wait only while this decode holds nothing (see `budget`): a receiver's grant already
    // holds the body, and then the decode takes what is free or fails at once.
    let wait = if grant.held() == 0 {
        limits.budget_wait
    } else {
        Duration::ZERO
    };
    let mut working = Grant::empty();
    working.reserve(START_BYTES, wait).map_err(exhausted)?;
    let mut out = Output {
        events: Vec::new(),
        ids: Ids::new(wid),
        grant,
        limits,
        detail,
    };
    if let Some(payload) = strip_prefix(text, b"BULKGZ") {
        decode_bulkgz(payload, &mut out)?;
    } else if let Some(payload) = strip_prefix(text, b"BULK") {
        walk(Framing::Bulk, payload, &mut out)?;
    } else if text.first() == Some(&b'[') {
        walk(Framing::Plain, text, &mut out)?;
    } else {
        if limits.max_events == 0 {
            return Err(too_many(Framing::Plain, limits));
        }
        let event = event_from_bytes(text, limits.max_event_bytes, detail)
            .map_err(|why| Framing::Plain.body_error(why))?;
        out.push(event)?;
    }
    drop(working);
    Ok(out.events)
}

/// The events so far, charged to the grant as they are made.
struct Output<'a, 'w> {
    events: Vec<Event>,
    ids: Ids<'w>,
    grant: &'a mut Grant,
    limits: &'a PostbackLimits,
    detail: Detail,
}

impl Output<'_, '_> {
    fn push(&mut self, mut event: Event) -> Decoded<()> {
        self.ids.assign(&mut event);
        self.grant
            .reserve(cost(&event), Duration::ZERO)
            .map_err(exhausted)?;
        self.events.push(event);
        Ok(())
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

    fn body_error(self, why: impl fmt::Display) -> Failure {
        Failure::Invalid(format!("{} body: {why}", self.name()))
    }

    fn item_error(self, index: usize, why: impl fmt::Display) -> Failure {
        Failure::Invalid(format!("{} item {index}: {why}", self.name()))
    }

    fn array_error(self, e: ArrayError, limits: &PostbackLimits) -> Failure {
        match e {
            ArrayError::NotAnArray => self.body_error("expected a JSON array of events"),
            ArrayError::Truncated => self.body_error("the JSON array is truncated"),
            ArrayError::BadItem { index } => self.item_error(index, "not valid JSON"),
            ArrayError::BadSeparator { index } => {
                self.item_error(index, "not followed by `,` or `]`")
            }
            ArrayError::TrailingData => self.body_error("text after the end of the JSON array"),
            ArrayError::ItemTooLarge { index } => self.item_error(
                index,
                NotAnEvent::TooLarge {
                    limit: limits.max_event_bytes,
                },
            ),
            ArrayError::Source(InflateError::TooLarge) => self.body_error(format!(
                "decompressed size exceeds the limit of {} bytes",
                limits.max_decompressed_bytes
            )),
            ArrayError::Source(InflateError::Corrupt(format)) => {
                self.body_error(format!("not valid {} data", format.name()))
            }
            ArrayError::Source(InflateError::Truncated(format)) => {
                self.body_error(format!("the {} data is truncated", format.name()))
            }
            ArrayError::Budget(e) => exhausted(e),
        }
    }
}

/// `BULKGZ,`: base64 → inflate, streamed into the array walker (the inflated text is never
/// held whole) → items as in `BULK,`.
fn decode_bulkgz(payload: &[u8], out: &mut Output<'_, '_>) -> Decoded<()> {
    let framing = Framing::BulkGz;
    // Tolerate the base64 being sent as a JSON string ("...") as well as bare.
    let payload = match payload {
        [b'"', inner @ .., b'"'] => inner,
        other => other,
    };
    let mut held = Grant::empty();
    let decoded_max = payload.len() / 4 * 3 + 3;
    held.reserve(decoded_max + INFLATER_BYTES, Duration::ZERO)
        .map_err(exhausted)?;
    let compressed =
        inflate::base64_lenient(payload).ok_or_else(|| framing.body_error("not valid base64"))?;
    if compressed.is_empty() {
        return Err(framing.body_error("no compressed data"));
    }
    let limits = out.limits;
    let inflater = Inflater::new(&compressed, limits.max_decompressed_bytes);
    walk(framing, inflater, out)?;
    drop(held);
    Ok(())
}

/// A JSON array of events: for `BULK`/`BULKGZ`, string items are base64 of an event and any
/// other item is an event already in JSON; for plain JSON every item is an event.
fn walk<S: Source>(framing: Framing, source: S, out: &mut Output<'_, '_>) -> Decoded<()> {
    let limits = out.limits;
    let mut items = Items::new(source, limits.max_event_bytes).map_err(|e| {
        // An empty (or all-whitespace) inflated text says more than "not an array".
        framing.array_error(e, limits)
    })?;
    while let Some(item) = items.next_item() {
        let item = item.map_err(|e| framing.array_error(e, limits))?;
        let index = out.events.len();
        if index >= limits.max_events {
            return Err(too_many(framing, limits));
        }
        let event = match (framing, item.first()) {
            (Framing::Bulk | Framing::BulkGz, Some(b'"')) => bulk_item(framing, index, item, out)?,
            _ => event_from_bytes(item, limits.max_event_bytes, out.detail),
        };
        let event = event.map_err(|why| framing.item_error(index, why))?;
        out.push(event)?;
    }
    Ok(())
}

/// A base64 string item: decoded (its bytes held from the budget while in use) into an event.
fn bulk_item(
    framing: Framing,
    index: usize,
    item: &[u8],
    out: &mut Output<'_, '_>,
) -> Decoded<Result<Event, NotAnEvent>> {
    let mut held = Grant::empty();
    held.reserve(2 * item.len(), Duration::ZERO)
        .map_err(exhausted)?;
    // Base64 needs no JSON escapes, so the usual item is read in place; PHP's json_encode
    // escapes `/` as `\/`, which takes the unescaping path.
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
    let event = event_from_bytes(&bytes, out.limits.max_event_bytes, out.detail);
    drop(held);
    Ok(event)
}

fn too_many(framing: Framing, limits: &PostbackLimits) -> Failure {
    framing.body_error(format!("more than {} events, the limit", limits.max_events))
}

/// `PREFIX` (any case), optional whitespace, `,`; returns what follows, trimmed.
fn strip_prefix<'a>(text: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = text.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = trim_boms(&text[prefix.len()..]);
    // After the comma: any run of BOMs too (one per re-encoding, as before the body).
    rest.strip_prefix(b",").map(trim_boms)
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
}

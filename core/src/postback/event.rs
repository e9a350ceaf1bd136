//! One event from its bytes: validated, classified, given its id, and costed for the budget.

use super::{Event, EventKind};
use crate::model::{Status, StorageNode};
use crate::parse::shape;
use crate::parse::shape::Shape;
use crate::parse::status::{STATUS, is_status_event, status_event_from_node};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;

/// Why some bytes are not an event; its text completes "`BULK item 3: `…".
#[derive(Debug)]
pub(super) enum NotAnEvent {
    Empty,
    Utf8,
    Json { truncated: bool },
    TooLarge { limit: usize },
}

impl fmt::Display for NotAnEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotAnEvent::Empty => f.write_str("empty event"),
            NotAnEvent::Utf8 => f.write_str("not valid UTF-8"),
            NotAnEvent::Json { truncated: true } => f.write_str("not valid JSON (truncated)"),
            NotAnEvent::Json { truncated: false } => f.write_str("not valid JSON"),
            NotAnEvent::TooLarge { limit } => {
                write!(f, "the event exceeds the limit of {limit} bytes")
            }
        }
    }
}

/// How much of each event a decode builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Everything: connection information gets its [`Status`].
    Full,
    /// The kind only: a status event's `status` stays `None`, for a caller that parses it
    /// later, if ever ([`super::event_status`]). A binding whose host builds each event's
    /// typed status across its FFI on first access pays for none it does not read.
    Kind,
}

/// The fields of [`STATUS`] that decide whether an event is connection information (see
/// `is_status_event`: an integer `status` and one of the keys only it has, whose values do
/// not matter): everything else, and those values, validated and skipped without being kept.
static KIND: Shape = Shape::Object(&[
    ("status", Shape::Scalar),
    ("statusString", Shape::Present),
    ("ConnectionInfo", Shape::Present),
    ("WebID", Shape::Present),
    ("CanRestoreConnection", Shape::Present),
]);

/// One event from its bytes: any run of leading BOMs and surrounding whitespace dropped, must
/// be UTF-8 JSON of at most `max_bytes`. Read once through [`STATUS`], the projection
/// `status.aspx` answers get, which validates the whole text and keeps only what connection
/// information needs (never the text's whole tree), so a status PostBack and a status answer
/// give the same [`Status`]; with [`Detail::Kind`], through [`KIND`], which validates as much
/// and keeps only what classifies. `wid` and `id` are set by [`Ids::assign`].
pub(super) fn event_from_bytes(
    bytes: &[u8],
    max_bytes: usize,
    detail: Detail,
) -> Result<Event, NotAnEvent> {
    let bytes = trim_boms(bytes);
    if bytes.is_empty() {
        return Err(NotAnEvent::Empty);
    }
    if bytes.len() > max_bytes {
        return Err(NotAnEvent::TooLarge { limit: max_bytes });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| NotAnEvent::Utf8)?;
    let shape = match detail {
        Detail::Full => &STATUS,
        Detail::Kind => &KIND,
    };
    let (node, detail) = match shape::read_str(shape, text) {
        Ok(node) => (node, detail),
        // JSON that the status projection cannot hold (a number beyond f64, a lone surrogate
        // escape) but a texts decode accepts: the same event as that decode gives, whose
        // status is then none (as `event_status` says of it), rather than a whole batch
        // refused for one odd value.
        Err(e) if detail == Detail::Full => match shape::read_str(&KIND, text) {
            Ok(node) => (node, Detail::Kind),
            Err(_) => {
                return Err(NotAnEvent::Json {
                    truncated: e.is_eof(),
                });
            }
        },
        Err(e) => {
            return Err(NotAnEvent::Json {
                truncated: e.is_eof(),
            });
        }
    };
    let (kind, status) = match detail {
        Detail::Full => {
            let status = status_event_from_node(&node, text);
            (kind_of(&status), status)
        }
        // The same rule as a full decode's, without building the status.
        Detail::Kind => {
            let kind = if is_status_event(&node) {
                EventKind::Status
            } else {
                EventKind::Unknown
            };
            (kind, None)
        }
    };
    Ok(Event {
        kind,
        json: text.to_owned(),
        status,
        wid: None,
        id: String::new(),
    })
}

fn kind_of(status: &Option<Status>) -> EventKind {
    match status {
        Some(_) => EventKind::Status,
        None => EventKind::Unknown,
    }
}

/// The connection information of one event's text (what [`Detail::Kind`] left out); `None`
/// when the text is not connection information (or not JSON).
pub(super) fn status_of(json: &str) -> Option<Status> {
    let node = shape::read_str(&STATUS, json).ok()?;
    status_event_from_node(&node, json)
}

/// What an event holds in memory, at most, for the decoding budget: its text, and for
/// connection information the text again (`raw_json`), its string fields (no more than the
/// text) and its `storage` tree, counted node by node (at most `shape::MAX_ITEMS` nodes).
///
/// Counted, not bounded by the text: a bound of one node per two bytes of text made a real
/// 1.2 KB status event cost ~40 KB, so a batch of 1,000 such events (about 250 KB on the
/// wire) needed more than the whole default budget and was refused.
pub(super) fn cost(event: &Event) -> usize {
    let base = std::mem::size_of::<Event>() + event.json.len() + ID_HEX_LEN;
    match &event.status {
        None => base,
        Some(status) => {
            let nodes = status.storage.as_ref().map_or(0, storage_slots);
            base + std::mem::size_of::<Status>()
                + 2 * event.json.len()
                + nodes * std::mem::size_of::<StorageNode>()
        }
    }
}

/// The node and every slot its lists hold (capacity, not length: that is what is allocated).
/// The tree is at most `MAX_ARRAY_DEPTH` deep, so the recursion is bounded.
fn storage_slots(node: &StorageNode) -> usize {
    1 + node.subs.capacity().saturating_sub(node.subs.len())
        + node.subs.iter().map(storage_slots).sum::<usize>()
}

/// Hex digits of an event id: 128 bits of SHA-256.
const ID_HEX_LEN: usize = 32;

/// Gives each event of one body its `wid` and its `id`.
///
/// The id is the first 128 bits of SHA-256 over the instance (`wid`, empty when unknown) and
/// the event's text, in hex: the same event redelivered (in any framing) gets the same id. An
/// event whose text already appeared earlier in the same body is a distinct event (a batch
/// may hold two identical acknowledgements): its id also hashes how many times that text came
/// before, so ids within one body are unique and a redelivered body still gives the same ones.
pub(super) struct Ids<'w> {
    wid: Option<&'w str>,
    seen: HashMap<[u8; 32], u64>,
}

impl<'w> Ids<'w> {
    pub(super) fn new(wid: Option<&'w str>) -> Self {
        Ids {
            wid,
            seen: HashMap::new(),
        }
    }

    pub(super) fn assign(&mut self, event: &mut Event) {
        let wid = self.wid.unwrap_or("");
        let mut hash = Sha256::new();
        hash.update(b"witi-event-id-v1\0");
        hash.update((wid.len() as u64).to_le_bytes());
        hash.update(wid.as_bytes());
        hash.update(event.json.as_bytes());
        let base: [u8; 32] = hash.finalize().into();
        let count = self.seen.entry(base).or_insert(0);
        let digest: [u8; 32] = if *count == 0 {
            base
        } else {
            let mut again = Sha256::new();
            again.update(base);
            again.update(count.to_le_bytes());
            again.finalize().into()
        };
        *count += 1;
        event.id = hex(&digest[..ID_HEX_LEN / 2]);
        event.wid = self.wid.map(str::to_owned);
    }
}

/// Lower-case hex, by table: `write!("{b:02x}")` per byte went through the formatter and was
/// a few percent of a whole batch's decode.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Drops any run of leading BOMs and whitespace (in any mix; some proxies add a BOM per
/// re-encoding) and trailing whitespace.
pub(super) fn trim_boms(mut bytes: &[u8]) -> &[u8] {
    loop {
        bytes = bytes.trim_ascii_start();
        match bytes.strip_prefix(BOM) {
            Some(rest) => bytes = rest,
            None => return bytes.trim_ascii_end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms_runs_are_dropped() {
        assert_eq!(trim_boms(b"\xEF\xBB\xBF\xEF\xBB\xBF x "), b"x");
        assert_eq!(trim_boms(b" \xEF\xBB\xBF\n\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(trim_boms(b"\xEF\xBB"), b"\xEF\xBB");
    }

    #[test]
    fn ids_are_stable_and_unique_within_a_body() {
        let event =
            |json: &str| event_from_bytes(json.as_bytes(), 1 << 20, Detail::Full).expect("valid");
        let mut ids = Ids::new(Some("W1"));
        let (mut a, mut b, mut c) = (event("{}"), event("{}"), event("[1]"));
        ids.assign(&mut a);
        ids.assign(&mut b);
        ids.assign(&mut c);
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), ID_HEX_LEN);
        let mut again = Ids::new(Some("W1"));
        let (mut a2, mut b2) = (event("{}"), event("{}"));
        again.assign(&mut a2);
        again.assign(&mut b2);
        assert_eq!((&a.id, &b.id), (&a2.id, &b2.id));
        let mut other = Ids::new(Some("W2"));
        let mut a3 = event("{}");
        other.assign(&mut a3);
        assert_ne!(a3.id, a2.id);
    }
}

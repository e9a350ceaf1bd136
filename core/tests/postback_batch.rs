//! A real-sized batch decodes within the default process-wide budget.
//!
//! Its own test binary (its own process): no other test's decode holds part of the budget
//! while this one runs, so a failure here is this body's cost alone.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;
use witi::postback::{DEFAULT_DECODE_BUDGET, decode_budget};
use witi::{EventKind, decode_postback};

/// The seed's connection information example (about 1.2 KB of JSON, a `storage` tree).
const STATUS_EVENT: &str = include_str!("../../tests/fixtures/postback/status_event.json");

/// `BULKGZ,` of `n` copies of the status event, as API 1.1 sends a busy instance's batch.
fn bulkgz_of_status_events(n: usize) -> Vec<u8> {
    let item = STANDARD.encode(STATUS_EVENT.trim());
    let array = serde_json::to_string(&vec![item; n]).expect("strings serialize");
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    zlib.write_all(b"\xEF\xBB\xBF").expect("in memory");
    zlib.write_all(array.as_bytes()).expect("in memory");
    let compressed = zlib.finish().expect("in memory");
    format!("BULKGZ,{}", STANDARD.encode(compressed)).into_bytes()
}

#[test]
fn a_batch_of_a_thousand_status_events_fits_the_default_budget() {
    assert_eq!(decode_budget().0, DEFAULT_DECODE_BUDGET);
    // 3,000 events: three times the batch the benchmarks and issue 14 measure.
    let events = decode_postback(&bulkgz_of_status_events(3_000)).expect("decodes");
    assert_eq!(events.len(), 3_000);
    assert!(events.iter().all(|e| e.kind == EventKind::Status));
    drop(events);
    assert_eq!(decode_budget().1, 0, "every byte goes back to the budget");
}

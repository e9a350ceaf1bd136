//! `witi::decode_postback`: any bytes a gateway (or anyone who can reach the receiver) may
//! POST. The decoder promises never to panic and to stay within its `PostbackLimits`; this
//! target checks both, with the default limits and with small ones (so that every limit's
//! error path is reached by small inputs too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::Duration;
use witi::{EventKind, PostbackLimits, decode_postback, decode_postback_with};

/// Small enough that a few-KB input can pass each bound.
const SMALL: PostbackLimits = PostbackLimits {
    max_body_bytes: 4096,
    max_decompressed_bytes: 8192,
    max_events: 4,
    max_event_bytes: 2048,
    budget_wait: Duration::from_millis(100),
};

fuzz_target!(|body: &[u8]| {
    check(body, &PostbackLimits::default(), decode_postback(body));
    check(body, &SMALL, decode_postback_with(body, &SMALL));
});

fn check(body: &[u8], limits: &PostbackLimits, decoded: witi::Result<Vec<witi::Event>>) {
    match decoded {
        Ok(events) => {
            // An empty batch (`BULK,[]`) is a success with no event.
            assert!(
                events.len() <= limits.max_events,
                "more events than the limit"
            );
            assert!(
                body.len() <= limits.max_body_bytes,
                "a body over the limit was taken"
            );
            for event in &events {
                // A status event carries its parsed status, any other none.
                assert_eq!(event.kind == EventKind::Status, event.status.is_some());
                assert!(!event.json.is_empty(), "an event without text");
            }
        }
        Err(e) => {
            assert_eq!(e.code().as_str(), "postback", "{e}");
        }
    }
}

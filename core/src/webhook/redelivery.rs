//! Recognising a redelivery: the same events for the same instance, on a new request, while
//! the first delivery is being handled or shortly after it was answered.
//!
//! Why here and why this way (README "Acknowledgement"): the gateway re-sends a delivery that
//! timed out, so a handler slower than the gateway's timeout would run once per attempt. The
//! receiver keeps "200 = handled" (nothing acknowledged is ever lost, even in a crash) and
//! keys each delivery by its events' ids (which hash the `wid` and each event's text, see
//! `Event::id`): a request whose key is being handled waits for that handling and gets its
//! 200; one whose key was handled within the window gets 200 at once; neither runs the
//! handler again. Two identical events inside one body are two events (their ids differ).
//!
//! Memory is bounded: entries leave when their window has passed, and at most
//! [`MAX_ENTRIES`] are kept (the oldest go first).

use crate::postback::Event;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How many recent deliveries are remembered at most (32 bytes and a channel each).
const MAX_ENTRIES: usize = 100_000;

/// A delivery's key: 128 bits of SHA-256 over its events' ids.
pub(super) type Key = [u8; 16];

/// When a delivery was handled; `None` while it is being handled.
pub(super) type Handled = watch::Receiver<Option<Instant>>;

pub(super) fn key(events: &[Event]) -> Key {
    let mut hash = Sha256::new();
    hash.update(b"witi-delivery-v1\0");
    for event in events {
        hash.update(event.id.as_bytes());
        hash.update(b"\0");
    }
    let digest: [u8; 32] = hash.finalize().into();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// What to do with a delivery.
pub(super) enum Seen {
    /// New: hand the events to the handler, and report on `done` when they are handled.
    New(watch::Sender<Option<Instant>>, Handled),
    /// The same delivery is being handled: wait for it, do not handle again.
    InFlight(Handled),
    /// The same delivery was handled within the window: acknowledge at once.
    Recent,
}

pub(super) struct Deliveries {
    window: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Key, Handled>,
    /// Keys in order of arrival, to expire the oldest first.
    order: VecDeque<Key>,
}

impl Deliveries {
    pub(super) fn new(window: Duration) -> Self {
        Deliveries {
            window,
            state: Mutex::new(State::default()),
        }
    }

    pub(super) fn begin(&self, key: Key) -> Seen {
        let (done, handled) = watch::channel(None);
        if self.window.is_zero() {
            return Seen::New(done, handled);
        }
        let now = Instant::now();
        // Only map operations happen under the lock: a panic cannot leave it inconsistent.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.expire(now, self.window);
        if let Some(previous) = state.entries.get(&key) {
            match *previous.borrow() {
                None => return Seen::InFlight(previous.clone()),
                Some(at) if now.duration_since(at) <= self.window => return Seen::Recent,
                Some(_) => {}
            }
        } else {
            state.order.push_back(key);
        }
        state.entries.insert(key, handled.clone());
        Seen::New(done, handled)
    }

    /// Forgets `key` (its handling never completed, e.g. at shutdown), so a redelivery is
    /// handled afresh.
    pub(super) fn forget(&self, key: &Key) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.entries.remove(key);
    }
}

impl State {
    fn expire(&mut self, now: Instant, window: Duration) {
        while let Some(oldest) = self.order.front() {
            let expired = match self.entries.get(oldest) {
                None => true,
                Some(handled) => match *handled.borrow() {
                    Some(at) => now.duration_since(at) > window,
                    None => false,
                },
            };
            if !expired && self.order.len() <= MAX_ENTRIES {
                break;
            }
            if let Some(key) = self.order.pop_front() {
                self.entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_then_recent_then_new_again() {
        let deliveries = Deliveries::new(Duration::from_millis(50));
        let Seen::New(done, _) = deliveries.begin([1; 16]) else {
            panic!("first is new");
        };
        assert!(matches!(deliveries.begin([1; 16]), Seen::InFlight(_)));
        assert!(matches!(deliveries.begin([2; 16]), Seen::New(..)));
        done.send_replace(Some(Instant::now()));
        assert!(matches!(deliveries.begin([1; 16]), Seen::Recent));
        std::thread::sleep(Duration::from_millis(60));
        assert!(matches!(deliveries.begin([1; 16]), Seen::New(..)));
    }

    #[test]
    fn a_zero_window_turns_it_off() {
        let deliveries = Deliveries::new(Duration::ZERO);
        let _first = deliveries.begin([1; 16]);
        assert!(matches!(deliveries.begin([1; 16]), Seen::New(..)));
    }
}

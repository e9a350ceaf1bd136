//! The process-wide decoding budget: bytes that PostBack decoding may hold at once, across
//! every request and every `decode_postback` call of the process.
//!
//! Why process-wide: per-request limits bound one request, not sixteen at once (sixteen zlib
//! bombs each cut at 64 MiB are still 1 GiB). Every decode draws from this one budget for
//! what it allocates (a received body, decoded base64, the inflater, the item being read,
//! the events it returns to the receiver's queue) and gives it back when it frees it.
//!
//! Why waiting only at the start: a decode waits (a bounded time) for its first grant, while
//! it holds nothing; once it holds bytes, it never waits for more, it fails instead. Two
//! decodes that each hold half the budget and wait for the other's half would otherwise stall
//! each other until their waits run out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The default process-wide budget: what decoding may hold at once, 32 MiB. Far above what
/// real traffic needs (a busy instance's batch is about 1 MB), and low enough that peak
/// memory stays under 64 MiB above idle whatever the number of hostile requests at once.
pub const DEFAULT_DECODE_BUDGET: usize = 32 * 1024 * 1024;

struct Budget {
    /// (bytes in use, the total).
    state: Mutex<(usize, usize)>,
    freed: Condvar,
    /// Grants waiting on `freed`; changed and read only while `state` is locked (so a release
    /// that sees 0 cannot miss a waiter). A release notifies only when it is not 0: notifying
    /// is a system call, and a decode releases several times while nobody waits.
    waiting: AtomicUsize,
}

impl Budget {
    const fn new(total: usize) -> Budget {
        Budget {
            state: Mutex::new((0, total)),
            freed: Condvar::new(),
            waiting: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, (usize, usize)> {
        // The state is two integers updated in one statement: a panic elsewhere cannot leave
        // it half-written, so a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

static BUDGET: Budget = Budget::new(DEFAULT_DECODE_BUDGET);

/// Sets the process-wide decoding budget in bytes (default [`DEFAULT_DECODE_BUDGET`]).
/// Decodes already holding bytes keep them; a lower total only makes new grants wait.
pub fn set_decode_budget(bytes: usize) {
    BUDGET.lock().1 = bytes;
    BUDGET.freed.notify_all();
}

/// The process-wide decoding budget in bytes, and how many of them are held right now.
pub fn decode_budget() -> (usize, usize) {
    let (used, total) = *BUDGET.lock();
    (total, used)
}

/// Why a grant could not grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exhausted {
    /// More than the whole budget: this decode can never fit.
    OverTotal { total: usize },
    /// Held by other decodes right now (try again later).
    Busy,
}

/// Bytes held from the budget by one decode; they go back when it is dropped.
pub(crate) struct Grant {
    budget: &'static Budget,
    held: usize,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant").field("held", &self.held).finish()
    }
}

impl Grant {
    /// An empty grant (holds nothing, takes nothing).
    pub(crate) fn empty() -> Grant {
        Grant {
            budget: &BUDGET,
            held: 0,
        }
    }

    /// Takes `bytes`, waiting up to `wait` for them when this grant holds nothing yet;
    /// otherwise only what is free now.
    pub(crate) fn reserve(&mut self, bytes: usize, wait: Duration) -> Result<(), Exhausted> {
        if bytes == 0 {
            return Ok(());
        }
        let mut state = self.budget.lock();
        // Read the clock only when there is something to wait for: most reservations fit at
        // once, and a decode makes a few of them.
        let mut deadline = None;
        loop {
            let (used, total) = *state;
            let want = self.held.saturating_add(bytes);
            if want > total {
                return Err(Exhausted::OverTotal { total });
            }
            if used.saturating_add(bytes) <= total {
                state.0 = used + bytes;
                self.held = want;
                return Ok(());
            }
            let now = Instant::now();
            let deadline = *deadline.get_or_insert(now + wait);
            if self.held > 0 || now >= deadline {
                return Err(Exhausted::Busy);
            }
            self.budget.waiting.fetch_add(1, Ordering::Relaxed);
            state = self
                .budget
                .freed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            self.budget.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Gives back `bytes` (at most what is held).
    pub(crate) fn release(&mut self, bytes: usize) {
        let bytes = bytes.min(self.held);
        if bytes == 0 {
            return;
        }
        self.held -= bytes;
        let mut state = self.budget.lock();
        state.0 = state.0.saturating_sub(bytes);
        let waiting = self.budget.waiting.load(Ordering::Relaxed);
        drop(state);
        if waiting > 0 {
            self.budget.freed.notify_all();
        }
    }

    /// What this grant holds.
    pub(crate) fn held(&self) -> usize {
        self.held
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        let held = self.held;
        self.release(held);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static TEST: Budget = Budget::new(1000);

    #[test]
    fn grants_wait_only_when_empty_and_give_back_on_drop() {
        let total = 1000;
        let empty = || Grant {
            budget: &TEST,
            held: 0,
        };
        let mut a = empty();
        a.reserve(total, Duration::ZERO).expect("all of it");
        let mut b = empty();
        let started = Instant::now();
        assert_eq!(
            b.reserve(1, Duration::from_millis(50)),
            Err(Exhausted::Busy)
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
        assert_eq!(
            a.reserve(1, Duration::ZERO),
            Err(Exhausted::OverTotal { total })
        );
        a.release(10);
        b.reserve(10, Duration::ZERO).expect("freed");
        assert_eq!(b.reserve(1, Duration::from_secs(5)), Err(Exhausted::Busy));
        drop(a);
        drop(b);
        assert_eq!(TEST.lock().0, 0, "all given back");
    }

    static WAKE: Budget = Budget::new(100);

    #[test]
    fn a_release_wakes_a_waiting_grant() {
        let mut holder = Grant {
            budget: &WAKE,
            held: 0,
        };
        holder.reserve(100, Duration::ZERO).expect("all of it");
        let waiter = std::thread::spawn(|| {
            let mut grant = Grant {
                budget: &WAKE,
                held: 0,
            };
            // Without a notification it would wait all 60 s and fail as busy.
            grant.reserve(50, Duration::from_secs(60))
        });
        while WAKE.waiting.load(Ordering::Relaxed) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(holder);
        assert_eq!(waiter.join().expect("no panic"), Ok(()));
    }
}

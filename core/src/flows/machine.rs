//! The pairing state machine of `connect`, as a pure function of (phase, status, time), so
//! that every cell of the table below is tested without a server (`machine_tests.rs`).
//!
//! Gateways do not go 0 → 3 → 4 → 10 in a straight line: engines restart their socket after a
//! scan (11 or a code this SDK does not know may show between 4 and 10), some drop a QR code
//! at once, and 11 or a saved session can be resumed without any QR. "Anything but 3 means a
//! new QR" throws a phone's pairing away in all those cases; this table does not.
//!
//! # Phases
//! - **start**: no QR code of ours yet and no restore under way.
//! - **restoring**: `restore_session` was accepted; waiting up to [`RESTORE_WAIT`] for 10.
//! - **QR live**: our last QR code is within its ttl and no scan was seen since it was made.
//! - **QR expired**: its ttl ran out, no scan seen.
//! - **scanned**: a scan (1, 2 or 4, or 11, see below) was seen since our last QR code, less than
//!   the scan grace ago (the QR's ttl, at least [`MIN_SCAN_GRACE`]).
//! - **after a drop / after a failed pairing**: no live QR code of ours; like start, except that
//!   restoring is only ever tried before the first QR code.
//!
//! # What each status code does in each phase
//!
//! | code | start | restoring | QR live | QR expired | scanned |
//! |---|---|---|---|---|---|
//! | 10 | done | done | done | done | done |
//! | 1, 2, 4 | wait (a pairing is under way) | wait | → scanned | → scanned | wait |
//! | 3 | new QR (a code we did not make) | restore failed → new QR | wait | new QR (expiry) | wait |
//! | 0 | restore when `CanRestoreConnection` (and allowed), else new QR | wait | drop or early expiry → new QR | new QR | wait |
//! | 11 | restore (when allowed), else new QR | wait | → scanned (its 4 fell between two polls) | → scanned | wait |
//! | 13, unknown (12, ...) | new QR | wait | drop or early expiry → new QR | new QR | wait |
//!
//! - **Drop**: our QR code left 3 without a scan before half of its ttl (and more than the
//!   ttl's one-second resolution early: a 1 s code gone at 0.3 s is an early expiry).
//!   [`MAX_QR_DROPS`] drops in a row end the flow with an `api` error naming the last status
//!   and how soon the code went away; a QR code that lives out its ttl, or a scan, starts the
//!   count again. Leaving 3 in the second half of the ttl is an early expiry, not counted.
//! - **New QR**: never sooner than [`MIN_QR_SPACING`] after the previous one (until then:
//!   wait), so a gateway that drops codes is never asked more than about once a second.
//! - **Scanned → grace over** with a code other than 10: the pairing failed; the scan is
//!   forgotten and the flow goes on as after a drop (1, 2, 4 still wait; anything else gets a new
//!   QR), except that a grace ending on 11 (the phone paired, the session stayed closed) tries
//!   `restore_session` once (when allowed) before any new QR.
//! - **Restoring → [`RESTORE_WAIT`] over** without 10: restore failed → new QR. A refused
//!   `restore_session` (an `api` error, e.g. "No saved session") goes to a new QR at once.
//! - Every wait re-polls after the poll interval, or sooner when our QR code's ttl ends first.

use crate::model::{Status, StatusCode};
use std::time::Duration;
use tokio::time::Instant;

/// How long after `restore_session` was accepted `connect` waits for 10 before it falls back
/// to a QR code. Restores take a few seconds on real gateways (the session's socket reopens);
/// ten is generous and still short next to a person waiting for a QR code.
pub const RESTORE_WAIT: Duration = Duration::from_secs(10);

/// The shortest grace after a scan during which any code but 10 is transient. It is also at
/// least the QR code's ttl (the rule); 30 s covers a phone syncing its chats.
pub const MIN_SCAN_GRACE: Duration = Duration::from_secs(30);

/// After this many QR codes in a row dropped by the gateway (gone from 3 before half their
/// ttl, without a scan), `connect` stops with an `api` error.
pub const MAX_QR_DROPS: u32 = 3;

/// The shortest time between two QR codes of one `connect` (after a drop; an expiry waits out
/// the ttl anyway).
pub const MIN_QR_SPACING: Duration = Duration::from_secs(1);

/// generate_qrcode's `ttl` is in whole seconds.
const TTL_RESOLUTION: Duration = Duration::from_secs(1);

/// The ttl assumed for a QR code whose answer says 0 (the API's documented default is 20 s).
pub(crate) const FALLBACK_QR_TTL: Duration = Duration::from_secs(20);

/// What happened during `connect`, for a caller that shows progress (the CLI).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PairingEvent {
    /// `restore_session` is being tried: the status was `from` (11, or 0 with a saved session).
    Restoring { from: StatusCode },
    /// The restore was refused (`reason` is the server's redacted text) or did not reach 10
    /// within [`RESTORE_WAIT`]; a QR code follows.
    RestoreFailed { reason: String },
    /// A phone scanned the QR code (the status was `code`): no new code during the grace.
    Scanned { code: StatusCode },
    /// The QR code's ttl ran out without a scan; a fresh one follows.
    QrExpired,
    /// The gateway dropped the QR code `after` its generation (status `code`), without a scan;
    /// `in_a_row` drops so far.
    QrDropped {
        after: Duration,
        code: StatusCode,
        in_a_row: u32,
    },
    /// A scan was seen but 10 did not follow within the grace (status `code`); a fresh QR code
    /// follows.
    PairingStalled { code: StatusCode },
}

/// What the flow does after one status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Action {
    Done,
    Wait,
    NewQr,
    Restore,
    /// `MAX_QR_DROPS` drops: the text of the `api` error (codes and numbers only, no server
    /// text).
    GiveUp(String),
}

#[derive(Debug, Clone, Copy)]
struct OurQr {
    made_at: Instant,
    ttl: Duration,
}

/// The state of one `connect`.
#[derive(Debug)]
pub(crate) struct Machine {
    restore_allowed: bool,
    restore_tried: bool,
    restore_after_stall_tried: bool,
    restoring_until: Option<Instant>,
    qr: Option<OurQr>,
    qrs_made: u32,
    last_qr_at: Option<Instant>,
    scan_seen_at: Option<Instant>,
    expiry_reported: bool,
    drops: u32,
    pub(crate) events: Vec<PairingEvent>,
}

impl Machine {
    pub(crate) fn new(restore_allowed: bool) -> Self {
        Machine {
            restore_allowed,
            restore_tried: false,
            restore_after_stall_tried: false,
            restoring_until: None,
            qr: None,
            qrs_made: 0,
            last_qr_at: None,
            scan_seen_at: None,
            expiry_reported: false,
            drops: 0,
            events: Vec::new(),
        }
    }

    /// A QR code of ours was generated at `now` with `ttl` (0: [`FALLBACK_QR_TTL`]).
    pub(crate) fn qr_made(&mut self, now: Instant, ttl: Duration) {
        let ttl = if ttl.is_zero() { FALLBACK_QR_TTL } else { ttl };
        self.qr = Some(OurQr { made_at: now, ttl });
        self.qrs_made += 1;
        self.last_qr_at = Some(now);
        self.scan_seen_at = None;
        self.expiry_reported = false;
    }

    /// `restore_session` was accepted at `now`.
    pub(crate) fn restore_accepted(&mut self, now: Instant) {
        self.restoring_until = Some(now + RESTORE_WAIT);
    }

    /// `restore_session` was refused: a QR code next.
    pub(crate) fn restore_refused(&mut self, reason: String) {
        self.restoring_until = None;
        self.events.push(PairingEvent::RestoreFailed { reason });
    }

    fn scan_grace(&self) -> Duration {
        self.qr
            .map_or(FALLBACK_QR_TTL, |q| q.ttl)
            .max(MIN_SCAN_GRACE)
    }

    /// A new QR code, or a wait when the last one is younger than [`MIN_QR_SPACING`].
    fn new_qr(&self, now: Instant) -> Action {
        match self.last_qr_at {
            Some(at) if now < at + MIN_QR_SPACING => Action::Wait,
            _ => Action::NewQr,
        }
    }

    /// The next step after `status`, received at `now`. See the module's table.
    pub(crate) fn decide(&mut self, status: &Status, now: Instant) -> Action {
        let code = status.code;
        if code == StatusCode::Authenticated {
            return Action::Done;
        }
        if let Some(until) = self.restoring_until {
            if now < until && code != StatusCode::WaitForQrAuthentication {
                return Action::Wait;
            }
            let reason = if now < until {
                format!("the gateway showed a QR code (status {})", code.code())
            } else {
                format!("status {} after {RESTORE_WAIT:?}", code.code())
            };
            self.restore_refused(reason);
        }
        let scanning = matches!(
            code,
            StatusCode::Starting | StatusCode::WebSocketOpening | StatusCode::WebSocketOpen
        );
        // 11 after our QR code: the phone paired and its 4 fell between two polls.
        let paired_after_our_qr =
            code == StatusCode::AuthenticatedConnectionClosed && self.qr.is_some();
        if let Some(at) = self.scan_seen_at {
            if scanning || now < at + self.scan_grace() {
                return Action::Wait;
            }
            self.events.push(PairingEvent::PairingStalled { code });
            self.scan_seen_at = None;
            self.qr = None;
            // Still 11: the phone did pair and the session sits closed (a gateway that never
            // reopens it by itself). Resuming it beats asking for another scan; once only.
            if code == StatusCode::AuthenticatedConnectionClosed
                && self.restore_allowed
                && !self.restore_after_stall_tried
            {
                self.restore_after_stall_tried = true;
                self.events.push(PairingEvent::Restoring { from: code });
                return Action::Restore;
            }
            return self.new_qr(now);
        }
        if scanning || paired_after_our_qr {
            if self.qr.is_some() {
                self.scan_seen_at = Some(now);
                self.drops = 0;
                self.events.push(PairingEvent::Scanned { code });
            }
            return Action::Wait;
        }
        let restorable = code == StatusCode::AuthenticatedConnectionClosed
            || (code == StatusCode::NoConnection && status.can_restore_connection);
        if restorable && self.restore_allowed && !self.restore_tried && self.qrs_made == 0 {
            self.restore_tried = true;
            self.events.push(PairingEvent::Restoring { from: code });
            return Action::Restore;
        }
        let Some(qr) = self.qr else {
            return self.new_qr(now);
        };
        let age = now.saturating_duration_since(qr.made_at);
        if age >= qr.ttl {
            self.drops = 0;
            if !self.expiry_reported {
                self.expiry_reported = true;
                self.events.push(PairingEvent::QrExpired);
            }
            return self.new_qr(now);
        }
        if code == StatusCode::WaitForQrAuthentication {
            return Action::Wait;
        }
        // Gone from 3 before the ttl, without a scan. The ttl comes in whole seconds, so
        // a code gone less than a second early is within its rounding, never a drop.
        self.qr = None;
        if age >= qr.ttl / 2 || qr.ttl.saturating_sub(age) <= TTL_RESOLUTION {
            self.drops = 0;
            self.events.push(PairingEvent::QrExpired);
            return self.new_qr(now);
        }
        self.drops += 1;
        self.events.push(PairingEvent::QrDropped {
            after: age,
            code,
            in_a_row: self.drops,
        });
        if self.drops >= MAX_QR_DROPS {
            return Action::GiveUp(format!(
                "the gateway dropped {} QR codes in a row without a scan, each long before its ttl \
                 (the last after {:.1}s of its {}s; last status {} {})",
                self.drops,
                age.as_secs_f64(),
                qr.ttl.as_secs(),
                code.code(),
                code.wire_string().unwrap_or("unknown"),
            ));
        }
        self.new_qr(now)
    }

    /// How long to sleep after a wait: the poll interval, cut at our QR code's expiry, or
    /// after a drop at the earliest time the next QR code may be made.
    pub(crate) fn next_wait(&self, now: Instant, poll_interval: Duration) -> Duration {
        let mut wait = poll_interval;
        let mut cut = |at: Instant| {
            let left = at.saturating_duration_since(now);
            if !left.is_zero() {
                wait = wait.min(left);
            }
        };
        match (self.qr, self.last_qr_at) {
            (Some(qr), _) => cut(qr.made_at + qr.ttl),
            // After a drop: wake when the next code may be made.
            (None, Some(at)) => cut(at + MIN_QR_SPACING),
            (None, None) => {}
        }
        wait
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;

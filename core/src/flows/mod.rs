//! Flows built from the commands: waiting for a status, and the whole QR pairing.
//!
//! Both are plain futures with a deadline: dropping one stops it at its next await, with no
//! task left behind, which is how every binding cancels them (a Python task, an AbortSignal,
//! a coroutine's cancellation).
//!
//! Both end the same way at their deadline: a poll still in flight is given up to
//! [`FINAL_STATUS_GRACE`] more to answer, and when the deadline fell during a sleep, one last
//! `status()` is made within that grace. A phone that scans in the last poll interval is not
//! lost to a timeout. A `timeout` error then says what was not reached and carries the last
//! status ([`Error::last_status`]).

mod connect;
mod machine;

pub use machine::{MAX_QR_DROPS, MIN_QR_SPACING, MIN_SCAN_GRACE, PairingEvent, RESTORE_WAIT};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::{Status, StatusCode};
use std::time::Duration;
use tokio::time::Instant;

/// The defaults every language gives the flows, decided here once: a binding whose host
/// language has default arguments writes these values (and its tests compare them).
/// `wait_for_status`'s whole wait.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(60);
/// How often `wait_for_status` and `connect` poll `status()`.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// `connect`'s whole pairing.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(300);

/// How long past its deadline a flow waits for its last `status()` (one in flight, or one
/// made at the deadline), at most the client's per-attempt timeout. Two seconds is a slow
/// `status.aspx` answer; a flow never overruns its timeout by more.
pub const FINAL_STATUS_GRACE: Duration = Duration::from_secs(2);

/// Settings of [`Client::connect_with`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    /// How long the whole pairing may take (default 5 minutes).
    pub timeout: Duration,
    /// How often the status is polled while a QR code waits for its scan (default 1 s).
    pub poll_interval: Duration,
    /// The browser the session presents (`generate_qrcode`'s `user_agent`).
    pub user_agent: Option<String>,
    /// In status 11, or 0 with `CanRestoreConnection`, try `restore_session` once before any
    /// QR code (default true). With `false`, such an instance gets a QR code at once.
    pub restore_session: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: DEFAULT_CONNECT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            user_agent: None,
            restore_session: true,
        }
    }
}

/// The deadline of a flow and the text of its `timeout` error.
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    /// `at` plus the grace: the last status must have answered by then.
    pub(crate) hard: Instant,
    timeout: Duration,
}

impl Deadline {
    pub(crate) fn new(client: &Client, timeout: Duration) -> Self {
        let start = Instant::now();
        let grace = FINAL_STATUS_GRACE.min(client.request_timeout());
        let at = start.checked_add(timeout).unwrap_or_else(far_future);
        let hard = at.checked_add(grace).unwrap_or(at);
        Deadline { at, hard, timeout }
    }

    pub(crate) fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// Sleeps `wait`, but not past the deadline.
    pub(crate) async fn sleep(&self, wait: Duration) {
        let until = Instant::now().checked_add(wait).unwrap_or(self.at);
        tokio::time::sleep_until(until.min(self.at)).await;
    }

    /// `status()`, answered by the hard deadline; `None` when it was not.
    pub(crate) async fn status(&self, client: &Client) -> Result<Option<Status>> {
        match tokio::time::timeout_at(self.hard, client.status()).await {
            Ok(answer) => answer.map(Some),
            Err(_) => Ok(None),
        }
    }

    /// The `timeout` error of flow `command`, which missed `missed` ("not paired").
    pub(crate) fn error(
        &self,
        client: &Client,
        command: &'static str,
        missed: &str,
        last: Option<Status>,
    ) -> Error {
        let seen = match &last {
            Some(status) => format!("last status {}", describe(client, status)),
            None => "no status answered".to_owned(),
        };
        Error::Timeout {
            command,
            after: self.timeout,
            summary: Some(format!("{missed} within {:?} ({seen})", self.timeout)),
            last_status: last.map(Box::new),
        }
    }
}

/// A deadline too far to represent (`Duration::MAX`) is simply never reached.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// Longest status string quoted in an error (a server's text is not trusted to be short).
const MAX_QUOTED: usize = 64;

/// `3 waitForQRAuthentication`: the code and the server's string, redacted and cut.
pub(crate) fn describe(client: &Client, status: &Status) -> String {
    let text = client.redact(&status.status_string);
    let text: String = text.chars().take(MAX_QUOTED).collect();
    format!("{} {text}", status.code.code())
        .trim_end()
        .to_owned()
}

impl Client {
    /// Polls `status()` every `poll_interval` until its code is one of `targets`, and returns
    /// that status. At the deadline, a poll in flight may still answer within
    /// [`FINAL_STATUS_GRACE`], else one last `status()` is made within it. Errors: `timeout`
    /// when no target was reached (text `status 10 WhatsAppAuthenticated not reached within
    /// 1m (last status 0 noConnection)`, the last status in [`Error::last_status`]),
    /// `invalid_argument` for no targets or a zero interval, and any error of `status()`.
    pub async fn wait_for_status(
        &self,
        targets: &[StatusCode],
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<Status> {
        if targets.is_empty() {
            return Err(Error::invalid(
                "wait_for_status needs at least one target status",
            ));
        }
        check_interval(poll_interval)?;
        let deadline = Deadline::new(self, timeout);
        let mut last = None;
        loop {
            let Some(status) = deadline.status(self).await? else {
                break;
            };
            if targets.contains(&status.code) {
                return Ok(status);
            }
            last = Some(status);
            if deadline.passed() {
                break;
            }
            deadline.sleep(poll_interval).await;
        }
        let missed = format!("{} not reached", describe_targets(targets));
        Err(deadline.error(self, "wait_for_status", &missed, last))
    }
}

/// `status 10 WhatsAppAuthenticated` or `any of status 10, 11`.
fn describe_targets(targets: &[StatusCode]) -> String {
    match targets {
        [one] => match one.wire_string() {
            Some(name) => format!("status {} {name}", one.code()),
            None => format!("status {}", one.code()),
        },
        many => {
            let codes: Vec<String> = many.iter().map(|c| c.code().to_string()).collect();
            format!("any of status {}", codes.join(", "))
        }
    }
}

pub(crate) fn check_interval(poll_interval: Duration) -> Result<()> {
    if poll_interval.is_zero() {
        return Err(Error::invalid(
            "the poll interval must be greater than zero",
        ));
    }
    Ok(())
}

//! Flows built from the commands: waiting for a status, and the whole QR pairing.
//!
//! Both are plain futures with a deadline: dropping one stops it at its next await, with no
//! task left behind, which is how every binding cancels them (a Python task, an AbortSignal,
//! a coroutine's cancellation).

use crate::client::Client;
use crate::error::{CallbackError, Error, Result};
use crate::model::{QrCode, Status, StatusCode};
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

/// Settings of [`Client::connect_with`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectOptions {
    /// How long the whole pairing may take (default 5 minutes).
    pub timeout: Duration,
    /// How often the status is polled while a QR code waits for its scan (default 1 s).
    pub poll_interval: Duration,
    /// The browser the session presents (`generate_qrcode`'s `user_agent`).
    pub user_agent: Option<String>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            timeout: DEFAULT_CONNECT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
            user_agent: None,
        }
    }
}

impl Client {
    /// Polls `status()` every `poll_interval` until its code is one of `targets`, and returns
    /// that status; a `timeout` error when `timeout` runs out first.
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
        let poll = async {
            loop {
                let status = self.status().await?;
                if targets.contains(&status.code) {
                    return Ok(status);
                }
                tokio::time::sleep(poll_interval).await;
            }
        };
        tokio::time::timeout(timeout, poll)
            .await
            .map_err(|_| Error::Timeout {
                command: "wait_for_status",
                after: timeout,
            })?
    }

    /// Pairs a phone: generates a QR code, hands it to `on_qr`, generates a fresh one each time
    /// the code's ttl runs out, and returns the status once it is `AUTHENTICATED`. Returns at
    /// once when the instance is already authenticated. A `timeout` error after `timeout`; an
    /// error from `on_qr` ends the flow as [`Error::Callback`].
    pub async fn connect<F>(&self, on_qr: F, timeout: Duration) -> Result<Status>
    where
        F: FnMut(&QrCode) -> Result<(), CallbackError> + Send,
    {
        self.connect_with(
            on_qr,
            ConnectOptions {
                timeout,
                ..ConnectOptions::default()
            },
        )
        .await
    }

    /// [`Client::connect`] with every setting.
    pub async fn connect_with<F>(&self, mut on_qr: F, options: ConnectOptions) -> Result<Status>
    where
        F: FnMut(&QrCode) -> Result<(), CallbackError> + Send,
    {
        check_interval(options.poll_interval)?;
        let user_agent = options.user_agent.as_deref();
        let pairing = async {
            // When the QR code we handed out stops being scannable.
            let mut qr_valid_until: Option<Instant> = None;
            loop {
                let status = self.status().await?;
                let qr_live = qr_valid_until.is_some_and(|t| Instant::now() < t);
                match status.code {
                    StatusCode::Authenticated => return Ok(status),
                    // A phone scanned: pairing is under way, no new code.
                    StatusCode::Starting
                    | StatusCode::WebSocketOpening
                    | StatusCode::WebSocketOpen => {}
                    StatusCode::WaitForQrAuthentication if qr_live => {}
                    // No code, a stale one, or one we did not make: a fresh code.
                    _ => match self.generate_qrcode(user_agent).await {
                        Ok(qr) => {
                            qr_valid_until = Some(Instant::now() + qr.ttl());
                            tracing::debug!(ttl_seconds = qr.ttl_seconds, "connect: new QR code");
                            on_qr(&qr).map_err(|source| Error::Callback {
                                command: "connect",
                                source,
                            })?;
                        }
                        // Paired between our status and generate calls: poll again.
                        Err(Error::Api { message, .. })
                            if message.to_ascii_lowercase().contains("already") => {}
                        Err(e) => return Err(e),
                    },
                }
                let mut wait = options.poll_interval;
                if let Some(until) = qr_valid_until {
                    let left = until.saturating_duration_since(Instant::now());
                    if !left.is_zero() {
                        wait = wait.min(left);
                    }
                }
                tokio::time::sleep(wait).await;
            }
        };
        tokio::time::timeout(options.timeout, pairing)
            .await
            .map_err(|_| Error::Timeout {
                command: "connect",
                after: options.timeout,
            })?
    }
}

fn check_interval(poll_interval: Duration) -> Result<()> {
    if poll_interval.is_zero() {
        return Err(Error::invalid(
            "the poll interval must be greater than zero",
        ));
    }
    Ok(())
}

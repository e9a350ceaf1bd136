//! `connect`: runs the pairing state machine (`machine.rs`) against the server: polls, makes
//! the QR codes, tries the restore, and ends at 10, at an error, or at the deadline.

use super::machine::{Action, Machine, PairingEvent};
use super::{ConnectOptions, Deadline, check_interval};
use crate::client::Client;
use crate::error::{CallbackError, Error, Result};
use crate::model::{QrCode, Status};
use std::time::Duration;
use tokio::time::Instant;

impl Client {
    /// Pairs a phone: generates a QR code, hands it to `on_qr`, generates a fresh one each time
    /// the code's ttl runs out, and returns the status once it is `AUTHENTICATED`. Returns at
    /// once when the instance is already authenticated; in status 11, or 0 with a saved
    /// session, tries `restore_session` first. A `timeout` error after `timeout` (with the last
    /// status); an error from `on_qr` ends the flow as [`Error::Callback`]. See
    /// [`Client::connect_with`] for every rule.
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
    ///
    /// The flow follows the table of states and codes in the `flows::machine` module docs
    /// (also in the README): after a scan (1, 2 or 4) every code but 10 is transient for the
    /// scan grace; `restore_session` is tried once, first, in 11 or 0 with
    /// `CanRestoreConnection` (unless `options.restore_session` is false); a QR code that
    /// leaves 3 before half its ttl without a scan is a drop, and
    /// [`MAX_QR_DROPS`](super::MAX_QR_DROPS) drops in a row end the flow with an `api` error.
    ///
    /// Errors: `timeout` (text `connect: not paired within 5m (last status 3
    /// waitForQRAuthentication)`, the last status in [`Error::last_status`]), `api` for the
    /// drops, `callback`, `invalid_argument` for a zero poll interval, and the commands' own.
    pub async fn connect_with<F>(&self, on_qr: F, options: ConnectOptions) -> Result<Status>
    where
        F: FnMut(&QrCode) -> Result<(), CallbackError> + Send,
    {
        self.connect_observed(on_qr, |_| {}, options).await
    }

    /// [`Client::connect_with`], also telling `on_event` what the flow does (restoring, a scan
    /// seen, a QR code expired or dropped), for a caller that shows progress.
    pub async fn connect_observed<F, E>(
        &self,
        mut on_qr: F,
        mut on_event: E,
        options: ConnectOptions,
    ) -> Result<Status>
    where
        F: FnMut(&QrCode) -> Result<(), CallbackError> + Send,
        E: FnMut(&PairingEvent) + Send,
    {
        check_interval(options.poll_interval)?;
        let user_agent = options.user_agent.as_deref();
        let deadline = Deadline::new(self, options.timeout);
        let mut machine = Machine::new(options.restore_session);
        let mut last: Option<Status> = None;
        loop {
            let Some(status) = deadline.status(self).await? else {
                break;
            };
            let action = machine.decide(&status, Instant::now());
            for event in machine.events.drain(..) {
                on_event(&event);
            }
            if action == Action::Done {
                return Ok(status);
            }
            last = Some(status);
            if deadline.passed() {
                break;
            }
            match action {
                Action::Done | Action::Wait => {}
                Action::GiveUp(message) => {
                    return Err(Error::Api {
                        command: "connect",
                        message,
                    });
                }
                Action::Restore => {
                    match tokio::time::timeout_at(deadline.at, self.restore_session()).await {
                        // Cut by the deadline: the last status decides.
                        Err(_) => continue,
                        Ok(Ok(_)) => {
                            machine.restore_accepted(Instant::now());
                            // Poll at once: the answer may already be 10.
                            continue;
                        }
                        Ok(Err(Error::Api { message, .. })) => {
                            machine.restore_refused(message);
                            for event in machine.events.drain(..) {
                                on_event(&event);
                            }
                            continue;
                        }
                        Ok(Err(e)) => return Err(e),
                    }
                }
                Action::NewQr => {
                    let generated =
                        tokio::time::timeout_at(deadline.at, self.generate_qrcode(user_agent));
                    match generated.await {
                        Err(_) => continue,
                        Ok(Ok(qr)) => {
                            machine.qr_made(Instant::now(), qr.ttl());
                            tracing::debug!(ttl_seconds = qr.ttl_seconds, "connect: new QR code");
                            on_qr(&qr).map_err(|source| Error::Callback {
                                command: "connect",
                                source,
                            })?;
                        }
                        // Paired between our status and generate calls: poll again.
                        Ok(Err(Error::Api { message, .. }))
                            if message.to_ascii_lowercase().contains("already") => {}
                        Ok(Err(e)) => return Err(e),
                    }
                }
            }
            deadline
                .sleep(machine.next_wait(Instant::now(), options.poll_interval))
                .await;
        }
        Err(deadline.error(self, "connect", "not paired", last))
    }
}

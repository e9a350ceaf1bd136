//! `witi-sim`: a stateful simulator of the witi.me WhatsApp API.
//!
//! A real HTTP/1.1 server on loopback that speaks the eight commands of the connection chapter
//! (`generate_qrcode.aspx`, `status.aspx`, ...) and those of the Messages, Contacts and Groups
//! chapters (`chats.aspx`, `send_message.aspx`, ...) with the exact JSON of the API documentation,
//! keeps a state machine per API key (any non-empty key is an instance, created on first use),
//! delivers PostBacks to registered webhooks in the three framings, and can be told to
//! misbehave (faults) through a control API under `/_sim/` or the methods below.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = witi_sim::Simulator::start_default().await?;
//! let base_url = sim.url(); // "http://127.0.0.1:PORT/"
//! // ... point a client at base_url, call generate_qrcode.aspx?wid=KEY, then:
//! let _ = sim.scan("KEY", None);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See README.md for the wire format, the control API and every choice made where the API
//! documentation is silent.

mod book;
mod command;
mod config;
mod contacts;
mod control;
mod faults;
mod groups;
mod messages;
mod postback;
mod qr;
mod script;
mod server;
mod state;
mod wire;

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{InstanceConfig, Settings, SimConfig, SimError, millis_from_secs};
pub use contacts::ProfileOverrides;
pub use faults::{Fault, FaultKind};
pub use messages::SentMessage;
pub use qr::{PIXELS_PER_MODULE, QUIET_ZONE};
pub use wire::PostbackBody;

use server::Shared;
use state::Ctx;

/// What `GET /_sim/instances/{key}` and [`Simulator::instance`] report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceSnapshot {
    pub key: String,
    pub web_id: String,
    pub status: i64,
    pub status_string: String,
    pub connected: bool,
    /// The live QR code's payload; `None` when there is none or it expired.
    pub qr_payload: Option<String>,
    pub qr_expires_in_ms: Option<u64>,
    pub can_restore: bool,
    /// The webhook as registered with set_config.aspx.
    pub webhook: Option<String>,
    /// Where PostBacks go: the webhook + `&wid=` + WebID.
    pub postback_url: Option<String>,
    pub user_agent: String,
    pub api_version: String,
    pub bulk: bool,
    pub postbacks: PostbackCounts,
    /// Scripted status.aspx answers not played yet ([`Simulator::status_script`]).
    #[serde(default)]
    pub scripted_answers_left: usize,
    /// Calls per command (every command's name, faulted calls included).
    pub calls: BTreeMap<String, u64>,
    pub config: Settings,
}

/// PostBack delivery counts, in events (a raw body counts as one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostbackCounts {
    pub delivered: u64,
    pub failed: u64,
    pub pending: u64,
}

/// A running simulator. Dropping it stops the server (without waiting); prefer
/// [`Simulator::shutdown`] in async code or [`Simulator::shutdown_blocking`] in sync code.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    /// Only for [`Simulator::start_blocking`]: the runtime the server runs on.
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator").field("url", &self.url).finish()
    }
}

impl Simulator {
    /// Binds `config.addr` and serves on the current tokio runtime.
    pub async fn start(config: SimConfig) -> io::Result<Simulator> {
        let handle = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let addr = listener.local_addr()?;
        let (stop, shutdown) = watch::channel(false);
        // PostBacks go to loopback receivers: a proxy from the environment must not interfere.
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(io::Error::other)?;
        let ctx = Ctx {
            handle: handle.clone(),
            http,
            shutdown: shutdown.clone(),
        };
        let shared = Arc::new(Shared::new(&config, ctx));
        let server = handle.spawn(server::serve(listener, shared.clone(), shutdown));
        tracing::info!(%addr, "witi-sim listening");
        Ok(Simulator {
            shared,
            addr,
            url: format!("http://{addr}/"),
            stop,
            server: Some(server),
            runtime: None,
        })
    }

    /// [`Simulator::start`] on `127.0.0.1:0` with default settings.
    pub async fn start_default() -> io::Result<Simulator> {
        Self::start(SimConfig::default()).await
    }

    /// For sync code: starts the server on a runtime of its own (one worker thread). Refused
    /// inside a tokio runtime, where [`Simulator::start`] is the way.
    pub fn start_blocking(config: SimConfig) -> io::Result<Simulator> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(io::Error::other(
                "start_blocking called inside a tokio runtime: use Simulator::start().await",
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("witi-sim")
            .enable_all()
            .build()?;
        let mut sim = runtime.block_on(Self::start(config))?;
        sim.runtime = Some(runtime);
        Ok(sim)
    }

    /// The base URL, `http://127.0.0.1:PORT/`, to give to a client.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Simulates the phone scanning the live QR code of `key` (status 3 → 4, then 10 after the
    /// starting delay). With `payload`, it must be the live code's.
    pub fn scan(&self, key: &str, payload: Option<&str>) -> Result<InstanceSnapshot, SimError> {
        control::scan(&self.shared, key, payload)
    }

    /// Queues a fault (first in, first out among those that match a call).
    pub fn add_fault(&self, fault: Fault) -> Result<(), SimError> {
        self.shared.faults.add(fault)
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear(None);
    }

    /// Removes the faults narrowed to `key`.
    pub fn clear_faults_for(&self, key: &str) {
        self.shared.faults.clear(Some(key));
    }

    /// The faults still queued.
    pub fn faults(&self) -> Vec<Fault> {
        self.shared.faults.list()
    }

    /// Changes the settings of `key`'s instance (created if needed).
    pub fn set_instance_config(
        &self,
        key: &str,
        config: InstanceConfig,
    ) -> Result<InstanceSnapshot, SimError> {
        control::set_instance_config(&self.shared, key, &config)
    }

    /// Changes the settings that new instances start with.
    pub fn set_default_config(&self, config: InstanceConfig) -> Result<Settings, SimError> {
        control::set_default_config(&self.shared, &config)
    }

    /// Forces any status code (known or not) and sends its PostBack.
    pub fn force_status(
        &self,
        key: &str,
        code: i64,
        status_string: Option<String>,
    ) -> Result<InstanceSnapshot, SimError> {
        control::force_status(&self.shared, key, code, status_string)
    }

    /// Scripts the next `status.aspx` answers of `key` (created if needed), replacing any
    /// script left: each answer is a status code (the connection information with that code)
    /// or a whole JSON object sent as is. Only answers are scripted: the state machine goes on
    /// underneath, and answers again once the script runs out. An empty list clears it; at
    /// most 1000 answers.
    pub fn status_script(
        &self,
        key: &str,
        answers: Vec<serde_json::Value>,
    ) -> Result<InstanceSnapshot, SimError> {
        control::status_script(&self.shared, key, &answers)
    }

    /// Sends an arbitrary event (framed as the instance's PostBacks are) or a raw body to the
    /// instance's webhook.
    pub fn send_postback(&self, key: &str, body: PostbackBody) -> Result<(), SimError> {
        control::send_postback(&self.shared, key, body)
    }

    /// The state of `key`'s instance, `None` if the key was never used.
    pub fn instance(&self, key: &str) -> Option<InstanceSnapshot> {
        control::snapshot(&self.shared, key)
    }

    /// Waits (polling every 10 ms) until every PostBack of `key` is delivered or failed, up to
    /// `timeout`; returns the final counts.
    pub async fn wait_postbacks_settled(&self, key: &str, timeout: Duration) -> PostbackCounts {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let counts = self.instance(key).map(|s| s.postbacks).unwrap_or_default();
            if counts.pending == 0 || tokio::time::Instant::now() >= deadline {
                return counts;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// What `key`'s instance sent (send_message / send_message_file), oldest first, at most
    /// the last 1,000; `None` if the key was never used.
    pub fn sent(&self, key: &str) -> Option<Vec<SentMessage>> {
        control::sent(&self.shared, key)
    }

    /// Empties `key`'s log of sent messages (`seq` goes on counting).
    pub fn clear_sent(&self, key: &str) -> Result<(), SimError> {
        control::clear_sent(&self.shared, key)
    }

    /// Adds per-number overrides of query_profile.aspx's "on WhatsApp" rule for `key`'s
    /// instance (created if needed); returns the overrides in force.
    pub fn set_profiles(
        &self,
        key: &str,
        overrides: ProfileOverrides,
    ) -> Result<ProfileOverrides, SimError> {
        control::set_profiles(&self.shared, key, &overrides)
    }

    /// Wipes every instance and fault; defaults go back to the start configuration.
    pub fn reset(&self) {
        control::reset(&self.shared);
    }

    /// Stops accepting, ends stalls, PostBack deliveries and timers, and waits (up to ~2 s) for
    /// open connections to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// [`Simulator::shutdown`] for sync code (a simulator from [`Simulator::start_blocking`]).
    pub fn shutdown_blocking(mut self) {
        let _ = self.stop.send(true);
        if let (Some(runtime), Some(server)) = (self.runtime.take(), self.server.take()) {
            let _ = runtime.block_on(server);
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// Resolves once shutdown is signalled (or the simulator is gone). Drops the watch guard before
/// returning so callers' futures stay `Send`.
pub(crate) async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            // Never blocks, so dropping is safe even from async code.
            runtime.shutdown_background();
        }
    }
}

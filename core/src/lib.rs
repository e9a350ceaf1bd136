//! # witi: the witi.me WhatsApp connection API, implemented once
//!
//! This crate is the one implementation behind every witi SDK (Rust, Python, Node,
//! Kotlin/Swift). Every decision lives here: the HTTP calls (declared once for every language
//! in [`for_each_call!`](crate::for_each_call)), the parsing of the API's quirks,
//! errors with stable codes, retries, timeouts, key redaction, PostBack decoding, the webhook
//! receiver, the connect flow and the process-wide tokio runtime. Bindings translate; they
//! decide nothing.
//!
//! ```no_run
//! # async fn demo() -> witi::Result<()> {
//! let client = witi::Client::from_env()?;
//! let status = client.status().await?;
//! println!("{} connected={}", status.code, status.connected);
//! # Ok(()) }
//! ```

pub mod calls;
mod client;
mod config;
mod error;
mod flows;
pub mod fuzz_hooks;
pub mod log_line;
mod model;
mod parse;
mod pool;
pub mod postback;
mod proxy;
pub mod recipient;
mod redact;
mod retry;
pub mod runtime;
mod transport;
pub mod webhook;

pub use client::{
    Client, DEFAULT_BROWSER_USER_AGENT, FileMessage, FileSource, MAX_BODY_DEPTH,
    MAX_INLINE_FILE_BYTES,
};
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_CONNECTIONS, RetryPolicy, duration_from_millis,
    duration_from_secs,
};
pub use error::{CallbackError, Error, ErrorCode, Result};
pub use flows::{
    ConnectOptions, DEFAULT_CONNECT_TIMEOUT, DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT,
    FINAL_STATUS_GRACE, MAX_QR_DROPS, MIN_QR_SPACING, MIN_SCAN_GRACE, PairingEvent, RESTORE_WAIT,
};
pub use model::hidden::{HIDDEN_FIELDS, REDACTED_FIELD, hidden_fields};
pub use model::{
    Chat, ClearResult, Config, ConnectionInfo, Contact, Group, GroupInformation, GroupParticipant,
    Phone, QrCode, SentMessage, SessionResult, Stats, Status, StatusCode, StorageNode,
};
pub use postback::{
    Event, EventKind, PostbackLimits, decode_postback, decode_postback_for, decode_postback_with,
};

/// The repository README's Rust example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

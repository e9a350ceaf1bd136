//! # witi-uniffi: the witi core for Kotlin and Swift
//!
//! One shared library (`libwiti_uniffi`) that both languages load, described to uniffi with its
//! proc-macros; `uniffi-bindgen generate --library` writes the Kotlin and Swift sources from
//! the library's own metadata, so the bindings can never disagree with it.
//!
//! This crate translates and decides nothing: every call goes to the `witi` core, every result
//! is copied into a uniffi record, every `witi::Error` becomes one `WitiException` variant.
//!
//! Files, by concept (the same names in every binding): `client.rs` (construction and the
//! flows), `calls.rs` (every call of the core's table, by one macro), `error.rs`, `model.rs`
//! (the connection records), `messages.rs` (the message, contact and group records),
//! `json.rs` (`Json`, JSON text for `call`), `postback.rs`, `webhook.rs`, `direct.rs` (two
//! plain C functions Kotlin calls through JNA for its hot PostBack paths), and
//! `logging.rs` (the core's log lines to a host logger), `runtime.rs` (the one place that puts core futures on the core's runtime and that fixes
//! uniffi's `async_runtime`).

// `WitiException::Timeout` holds a `Status` by value (see error.rs): every fallible export
// returns that large error type.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

#[macro_use]
mod runtime;

mod calls;
mod client;
mod direct;
mod error;
mod json;
mod logging;
mod messages;
mod model;
mod postback;
mod webhook;

pub use calls::{CallParam, CallSignature, call_table};
pub use client::{Client, ClientOptions, QrHandler};
pub use error::WitiException;
pub use json::Json;
pub use logging::{LogLevel, WitiLogger, set_logger};
pub use messages::*;
pub use model::*;
pub use postback::{decode_postback, decode_postback_texts, event_status};
pub use webhook::{WebhookHandler, WebhookServer};

//! # witi-node: the Node binding of the witi core (napi-rs 3)
//!
//! This crate translates; it decides nothing. Every call goes to the `witi` crate, whose
//! futures run on the core's own tokio runtime (`runtime.rs`, the one place that touches
//! threads); napi's tokio runtime is not even built (no `tokio_rt` feature), so a promise is a
//! napi deferred resolved from the core's runtime.
//!
//! The native module is not the public surface on its own: `index.js` wraps it to turn the
//! structured errors of `error.rs` into `WitiError` subclasses and to wire `AbortSignal`s to
//! `runtime::CancelToken`. The TypeScript declarations napi generates from this crate
//! (`index.d.ts`) describe that public surface, so methods whose native arguments differ from
//! the public ones carry `ts_args_type` (see README.md).
//!
//! Files are named by concept, as in every binding: `calls.rs` (the table of calls),
//! `client.rs`, `error.rs`, `model.rs`,
//! `postback.rs`, `webhook.rs`, `runtime.rs`.

// napi-derive registers exports only outside `cfg(test)`, so a test build (clippy's
// `--all-targets`) sees the exported functions as unused.
#![cfg_attr(test, allow(dead_code))]

mod calls;
mod client;
mod error;
mod model;
mod postback;
mod runtime;
mod webhook;

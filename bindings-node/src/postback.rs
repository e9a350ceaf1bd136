//! `decodePostback`: a PostBack body (any of the three framings) to its events.
//!
//! Synchronous on purpose: it is pure computation on a body already in memory (like
//! `zlib.inflateSync`), and a promise would cost more than the work for a typical body.
//!
//! The events cross into JS as one JSON text that `index.js` hands to `JSON.parse`: V8 builds
//! the objects from it faster than napi sets their properties one by one (see
//! bench/node/README.md). The shape is the same plain objects as everywhere else (`model.rs`).
//! A status event's `rawJson` is its `json` (the core reads the status from the event's own
//! text), so it crosses once: it is left out of the text and `index.js` sets it back, which
//! keeps the largest escaped string from being encoded and parsed twice.

use crate::error;
use crate::model::Event;
use napi::bindgen_prelude::BufferSlice;
use napi_derive::napi;

/// Decodes a PostBack body into its events, in order; throws a `PostbackError` when the body
/// cannot be decoded or breaks a limit.
///
/// `wid` is the request's `wid` query parameter (the instance): every event carries it and it
/// enters each event's `id`.
#[napi(
    catch_unwind,
    ts_args_type = "body: Buffer | Uint8Array, wid?: string | undefined | null",
    ts_return_type = "Array<Event>"
)]
pub fn decode_postback(body: BufferSlice, wid: Option<String>) -> napi::Result<String> {
    let limits = witi::PostbackLimits::default();
    let events: Vec<Event> = witi::decode_postback_for(&body, wid.as_deref(), &limits)
        .map_err(|e| error::to_napi(&e))?
        .into_iter()
        .map(|event| {
            let mut event = Event::from(event);
            if let Some(status) = event.status.as_mut()
                && status.raw_json == event.json
            {
                // Not serialized when empty; index.js restores it from `json`.
                status.raw_json.clear();
            }
            event
        })
        .collect();
    // Plain structs of strings, numbers and booleans always serialize.
    serde_json::to_string(&events).map_err(|e| error::invalid(format!("encoding events: {e}")))
}

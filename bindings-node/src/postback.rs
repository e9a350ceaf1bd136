//! `decodePostback`: a PostBack body (any of the three framings) to its events.
//!
//! Synchronous on purpose: it is pure computation on a body already in memory (like
//! `zlib.inflateSync`), and a promise would cost more than the work for a typical body.
//!
//! What crosses into JS is what V8 takes fastest: one array of strings, the events' kinds as
//! one string (`s`/`u` per event), their ids as one string (32 hex digits each), then each
//! event's own JSON text. `index.js` builds the plain event objects from them, and a status
//! event's typed `status` only on first access (`eventStatus`): building every status across
//! the boundary cost more than the whole decode (0.25–0.51× the hand-written JS decoder, see
//! bench/node/README.md), and a handler reads few of them. The shape users see is the same
//! plain objects as everywhere else (`model.rs`).

use crate::error;
use crate::model::Status;
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
pub fn decode_postback(body: BufferSlice, wid: Option<String>) -> napi::Result<Vec<String>> {
    let limits = witi::PostbackLimits::default();
    let events = witi::postback::decode_postback_texts_for(&body, wid.as_deref(), &limits)
        .map_err(|e| error::to_napi(&e))?;
    Ok(crossing(events))
}

/// `[kinds, ids, json 0, json 1, ...]`: see the module's doc.
pub(crate) fn crossing(events: Vec<witi::postback::EventText>) -> Vec<String> {
    let mut kinds = String::with_capacity(events.len());
    let mut ids = String::with_capacity(events.len() * 32);
    for event in &events {
        kinds.push(match event.kind {
            witi::EventKind::Status => 's',
            witi::EventKind::Unknown => 'u',
        });
        ids.push_str(&event.id);
    }
    let mut out = Vec::with_capacity(events.len() + 2);
    out.push(kinds);
    out.push(ids);
    out.extend(events.into_iter().map(|e| e.json));
    out
}

/// The typed `status` of a status event's text, as one JSON text for `JSON.parse` (without
/// `rawJson`, which is that very text: `index.js` sets it back); `null` for any other text.
#[napi(catch_unwind, skip_typescript)]
pub fn event_status(json: String) -> napi::Result<Option<String>> {
    let Some(status) = witi::postback::event_status(&json) else {
        return Ok(None);
    };
    let mut status = Status::from(status);
    status.raw_json.clear();
    // Plain structs of strings, numbers and booleans always serialize.
    serde_json::to_string(&status)
        .map(Some)
        .map_err(|e| error::invalid(format!("encoding a status: {e}")))
}

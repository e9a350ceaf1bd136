//! `decodePostback(ByteArray)`: the core's decoder for the three PostBack framings.
//!
//! Synchronous: decoding is CPU work bounded by the core's limits, with no IO to wait for, so
//! it runs on the caller's thread like any other parser.
//!
//! Two shapes, one per language (`uniffi.toml` excludes the other from each):
//!
//! - Swift: [`decode_postback`], the events as `Event` records, each status typed.
//! - Kotlin: the events as texts (kind, id, JSON text), from which Witi.kt's `decodePostback`
//!   builds its `Event`s, each typed `status` only on first read. Lifting every typed status
//!   across JNA cost far more than the decode (0.13× the hand-written Jackson decoder for one
//!   event, 0.62× for 1,000: bench/README.md), and a handler reads few of them; Kotlin users
//!   see the same `Event`. Witi.kt calls `direct.rs` for both (a uniffi call itself costs
//!   more on the JVM than a decode of one event); [`decode_postback_texts`] and
//!   [`event_status`] are the same as uniffi exports, which the Kotlin tests compare with.

use crate::error::WitiException;
use crate::model::{Event, Status};

/// Decodes a PostBack body (plain JSON, `BULK,` or `BULKGZ,`) into its events, in order.
/// `wid` is the request's `wid` query parameter (the instance): every event carries it and it
/// enters each event's `id`. `Postback` when it does not decode or breaks a limit.
#[uniffi::export(default(wid = None))]
pub fn decode_postback(body: Vec<u8>, wid: Option<String>) -> Result<Vec<Event>, WitiException> {
    let limits = witi::PostbackLimits::default();
    let events = witi::decode_postback_for(&body, wid.as_deref(), &limits)?;
    Ok(events.into_iter().map(Into::into).collect())
}

/// What Kotlin's `decodePostback` builds its events from; use `decodePostback`. The events of
/// a PostBack body (as `decodePostback`: any framing, `wid` the request's instance) as texts:
/// the kinds, one character per event (`s` status, `u` unknown), then the ids (32 hex digits
/// per event, concatenated), then each event's JSON text, in order. Every event's `wid` is
/// `wid`.
/// `Postback` when the body does not decode or breaks a limit.
#[uniffi::export(default(wid = None))]
pub fn decode_postback_texts(
    body: Vec<u8>,
    wid: Option<String>,
) -> Result<Vec<String>, WitiException> {
    let limits = witi::PostbackLimits::default();
    let events = witi::postback::decode_postback_texts_for(&body, wid.as_deref(), &limits)?;
    Ok(texts(events))
}

/// `[kinds, ids, json 0, json 1, ...]`: see [`decode_postback_texts`].
pub(crate) fn texts(events: Vec<witi::postback::EventText>) -> Vec<String> {
    let mut kinds = String::with_capacity(events.len());
    let mut ids = String::with_capacity(events.len() * 32);
    for event in &events {
        kinds.push(kind_letter(event.kind));
        ids.push_str(&event.id);
    }
    let mut out = Vec::with_capacity(events.len() + 2);
    out.push(kinds);
    out.push(ids);
    out.extend(events.into_iter().map(|e| e.json));
    out
}

/// The letter of [`texts`]'s kinds.
pub(crate) fn kind_letter(kind: witi::EventKind) -> char {
    match kind {
        witi::EventKind::Status => 's',
        witi::EventKind::Unknown => 'u',
    }
}

/// What Kotlin's `Event.status` is on first read. The typed status of a status event's
/// JSON text, exactly the one a decode gives that text (`rawJson` is the text); null for any
/// other text (one that is not connection information, or not JSON). Never fails.
#[uniffi::export]
pub fn event_status(json: String) -> Option<Status> {
    witi::postback::event_status(&json).map(Into::into)
}

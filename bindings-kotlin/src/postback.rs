//! `decodePostback(ByteArray)`: the core's decoder for the three PostBack framings.
//!
//! Synchronous: decoding is CPU work bounded by the core's limits, with no IO to wait for, so
//! it runs on the caller's thread like any other parser.

use crate::error::WitiException;
use crate::model::Event;

/// Decodes a PostBack body (plain JSON, `BULK,` or `BULKGZ,`) into its events, in order.
/// `wid` is the request's `wid` query parameter (the instance): every event carries it and it
/// enters each event's `id`. `Postback` when it does not decode or breaks a limit.
#[uniffi::export(default(wid = None))]
pub fn decode_postback(body: Vec<u8>, wid: Option<String>) -> Result<Vec<Event>, WitiException> {
    let limits = witi::PostbackLimits::default();
    let events = witi::decode_postback_for(&body, wid.as_deref(), &limits)?;
    Ok(events.into_iter().map(Into::into).collect())
}

//! `decodePostback`: a PostBack body (any of the three framings) to its events.
//!
//! Synchronous on purpose: it is pure computation on a body already in memory (like
//! `zlib.inflateSync`), and a promise would cost more than the work for a typical body.

use crate::error;
use crate::model::Event;
use napi::bindgen_prelude::BufferSlice;
use napi_derive::napi;

/// Decodes a PostBack body into its events, in order; throws a `PostbackError` when the body
/// cannot be decoded or breaks a limit.
#[napi(catch_unwind, ts_args_type = "body: Buffer | Uint8Array")]
pub fn decode_postback(body: BufferSlice) -> napi::Result<Vec<Event>> {
    witi::decode_postback(&body)
        .map(|events| events.into_iter().map(Event::from).collect())
        .map_err(|e| error::to_napi(&e))
}

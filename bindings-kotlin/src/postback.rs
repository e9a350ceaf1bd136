//! `decodePostback(ByteArray)`: the core's decoder for the three PostBack framings.
//!
//! Synchronous: decoding is CPU work bounded by the core's limits, with no IO to wait for, so
//! it runs on the caller's thread like any other parser.

use crate::error::WitiException;
use crate::model::Event;

/// Decodes a PostBack body (plain JSON, `BULK,` or `BULKGZ,`) into its events, in order.
/// `Postback` when it does not decode or breaks a limit.
#[uniffi::export]
pub fn decode_postback(body: Vec<u8>) -> Result<Vec<Event>, WitiException> {
    let events = witi::decode_postback(&body)?;
    Ok(events.into_iter().map(Into::into).collect())
}

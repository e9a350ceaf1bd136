//! Plain C functions for Kotlin's hot PostBack paths, called through JNA's direct mapping
//! (Witi.kt's `Direct`), beside the uniffi exports they mirror.
//!
//! Why not uniffi: every uniffi call from Kotlin allocates JNA `Structure`s (a call status,
//! each `RustBuffer` argument and the returned one) and makes extra calls to allocate and free
//! those buffers; on this project's machine that is several microseconds per call, more than
//! the whole hand-written Jackson decode of one event (3.6 µs), so `decodePostback` of one
//! event could not reach it (0.13×). These take only a byte array, ints and a long, and make
//! one call each (plus [`witi_kotlin_free`]).
//!
//! An answer is a boxed byte slice `[length: i64, native order][tag: u8][value]`, the length
//! counting the whole slice: tag 0 is success, 1 a `WitiException` and 2 a panic (its message
//! as a uniffi string, for uniffi's `InternalException`); errors and statuses are in uniffi's
//! own serialization (big-endian), which Kotlin reads with the generated converters. Nothing
//! panics across the boundary.
//!
//! Swift does not use these (its bindings call the uniffi exports). `webhook.rs` has two more,
//! for Kotlin's receiver thread, answering the same way.

use crate::error::WitiException;
use crate::model::Status;
use crate::postback::kind_letter;
use std::panic::{AssertUnwindSafe, catch_unwind};

const OK: u8 = 0;
const ERROR: u8 = 1;
const PANIC: u8 = 2;

/// `decode_postback_texts` for Kotlin's `decodePostback`: `body` is `body_len` bytes, `wid`
/// is `wid_len` bytes of UTF-8 or null (`wid_len` is then ignored). Returns an answer (module
/// doc) whose value is the events ([`Events`]); free it with [`witi_kotlin_free`].
///
/// # Safety
/// `body` points to `body_len` readable bytes (any pointer when `body_len` is 0), `wid` is
/// null or points to `wid_len` readable bytes, for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn witi_kotlin_decode_postback(
    body: *const u8,
    body_len: i32,
    wid: *const u8,
    wid_len: i32,
) -> i64 {
    // SAFETY: the caller's contract above.
    let body = unsafe { bytes(body, body_len) };
    let wid = if wid.is_null() {
        None
    } else {
        // SAFETY: the caller's contract above.
        Some(unsafe { bytes(wid, wid_len) })
    };
    answer(|| {
        let wid = match wid {
            // Kotlin wrote it from a String: always UTF-8.
            Some(wid) => Some(std::str::from_utf8(wid).map_err(|_| not_utf8("wid"))?),
            None => None,
        };
        let limits = witi::PostbackLimits::default();
        let events = witi::postback::decode_postback_texts_for(body, wid, &limits)?;
        Ok(Events(events))
    })
}

/// The value of a decode's answer, written in one piece (Witi.kt's `Direct.events` reads it):
/// the count (`i32`, big-endian), the kinds (one byte per event, `s` or `u`), the ids (32
/// ASCII hex digits per event), then each event's JSON text as its length in bytes (`i32`,
/// big-endian) and its UTF-8.
pub(crate) struct Events(Vec<witi::postback::EventText>);

impl Events {
    /// The bytes [`Events::write_of`] writes for events of these ids and texts.
    pub(crate) fn size_of<'a>(events: impl Iterator<Item = (&'a str, &'a str)>) -> usize {
        4 + events
            .map(|(id, json)| 1 + id.len() + 4 + json.len())
            .sum::<usize>()
    }

    /// Writes `events`, each seen through `part` (its kind, id and JSON text).
    pub(crate) fn write_of<T>(
        events: &[T],
        part: impl Fn(&T) -> (witi::EventKind, &str, &str),
        out: &mut Vec<u8>,
    ) {
        out.extend_from_slice(&len_i32(events.len()).to_be_bytes());
        out.extend(events.iter().map(|e| kind_letter(part(e).0) as u8));
        for event in events {
            out.extend_from_slice(part(event).1.as_bytes());
        }
        for event in events {
            let json = part(event).2;
            out.extend_from_slice(&len_i32(json.len()).to_be_bytes());
            out.extend_from_slice(json.as_bytes());
        }
    }
}

impl Answer for Events {
    fn size(&self) -> usize {
        Events::size_of(self.0.iter().map(|e| (e.id.as_str(), e.json.as_str())))
    }

    fn write(self, out: &mut Vec<u8>) {
        Events::write_of(&self.0, |e| (e.kind, &e.id, &e.json), out);
    }
}

/// A length that fits (the core's limits keep bodies far below 2 GiB).
pub(crate) fn len_i32(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

/// A successful answer's value.
pub(crate) trait Answer {
    /// The bytes [`Answer::write`] writes, or an estimate (it only sizes the buffer).
    fn size(&self) -> usize;
    fn write(self, out: &mut Vec<u8>);
}

impl Answer for Option<Status> {
    fn size(&self) -> usize {
        // Exact for no status; for one, about what a real one takes (it only sizes the buffer).
        self.as_ref().map_or(1, |_| 1024)
    }

    fn write(self, out: &mut Vec<u8>) {
        <Option<Status> as uniffi::Lower<crate::UniFfiTag>>::write(self, out);
    }
}

/// `event_status` for Kotlin's `Event.status`: `json` is `json_len` bytes of UTF-8. Returns an
/// answer (module doc) whose value is the status (`Option<Status>`) with an empty `raw_json`:
/// that is `json` itself, which Kotlin already holds and sets back. Free it with
/// [`witi_kotlin_free`].
///
/// # Safety
/// `json` points to `json_len` readable bytes for the duration of the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn witi_kotlin_event_status(json: *const u8, json_len: i32) -> i64 {
    // SAFETY: the caller's contract above.
    let json = unsafe { bytes(json, json_len) };
    answer(|| -> Result<Option<Status>, WitiException> {
        let json = std::str::from_utf8(json).map_err(|_| not_utf8("json"))?;
        Ok(witi::postback::event_status(json).map(|status| {
            let mut status = Status::from(status);
            status.raw_json = String::new();
            status
        }))
    })
}

/// Frees an answer of the functions above (null does nothing).
///
/// # Safety
/// `answer` is null or was returned by one of them and not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn witi_kotlin_free(answer: i64) {
    // The address as `answer` gave it (see `finish`).
    let answer = answer as usize as *mut u8;
    if answer.is_null() {
        return;
    }
    // SAFETY: `answer` starts a boxed slice whose first 8 bytes hold its length (`finish`).
    unsafe {
        let len = usize::try_from(std::ptr::read_unaligned(answer.cast::<i64>())).unwrap_or(0);
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            answer, len,
        )));
    }
}

/// The `len` bytes at `ptr` (empty for a length of 0 or less).
///
/// # Safety
/// As the exported functions': `ptr` points to `len` readable bytes when `len > 0`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: i32) -> &'a [u8] {
    match usize::try_from(len) {
        Ok(len) if len > 0 && !ptr.is_null() => {
            // SAFETY: the caller's contract.
            unsafe { std::slice::from_raw_parts(ptr, len) }
        }
        _ => &[],
    }
}

fn not_utf8(what: &str) -> WitiException {
    WitiException::InvalidArgument {
        code: witi::ErrorCode::InvalidArgument.as_str().to_owned(),
        detail: format!("invalid argument: {what} is not UTF-8"),
    }
}

/// Runs `work` and writes its outcome as an answer, panics caught.
pub(crate) fn answer<T, F>(work: F) -> i64
where
    T: Answer,
    F: FnOnce() -> Result<T, WitiException>,
{
    let mut out = Vec::new();
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(value)) => {
            out.reserve_exact(9 + value.size());
            out.extend_from_slice(&[0; 8]);
            out.push(OK);
            value.write(&mut out);
        }
        Ok(Err(e)) => {
            out.extend_from_slice(&[0; 8]);
            out.push(ERROR);
            let error = <WitiException as uniffi::LowerError<crate::UniFfiTag>>::lower_error(e);
            out.extend_from_slice(&error.destroy_into_vec());
        }
        Err(panic) => {
            out.extend_from_slice(&[0; 8]);
            out.push(PANIC);
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "Rust panic".to_owned());
            <String as uniffi::Lower<crate::UniFfiTag>>::write(text, &mut out);
        }
    }
    finish(out)
}

/// The answer's length into its first 8 bytes, and the slice handed over as its address in
/// an `i64`: Kotlin declares every pointer a `Long`, which is what a 32-bit ABI (Android's
/// armeabi-v7a, x86) must also be given, not a 32-bit pointer whose high half is garbage.
fn finish(mut out: Vec<u8>) -> i64 {
    let len = i64::try_from(out.len()).unwrap_or(i64::MAX);
    out[..8].copy_from_slice(&len.to_ne_bytes());
    Box::into_raw(out.into_boxed_slice()).cast::<u8>() as usize as i64
}

//! Core errors as they cross into JS.
//!
//! A napi error carries only a message, so the message is `witi:` + a JSON object with the
//! error's stable fields (`code`, `message`, `status`, `retryAfter`, `serverMessage`,
//! `command`, `lastStatus`). `index.js` turns it into the `WitiError` subclass of its code; nothing else
//! ever sees the raw form. The texts are the core's, already redacted (the key never appears).

use serde_json::json;

/// What `index.js` looks for at the start of a native error's message.
const PREFIX: &str = "witi:";

fn encode(fields: serde_json::Value) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, format!("{PREFIX}{fields}"))
}

/// A core error, with every field a `WitiError` exposes.
pub(crate) fn to_napi(e: &witi::Error) -> napi::Error {
    encode(json!({
        "code": e.code().as_str(),
        "message": e.to_string(),
        "status": e.http_status(),
        "retryAfter": e.retry_after().map(|d| d.as_secs_f64()),
        "serverMessage": e.server_message(),
        "command": e.command(),
        // The JS `Status` shape (camelCase), for a flow's timeout.
        "lastStatus": e.last_status().cloned().map(crate::model::Status::from),
    }))
}

/// A call cancelled through its `CancelToken`.
pub(crate) fn aborted() -> napi::Error {
    encode(json!({"code": "aborted", "message": "the call was aborted"}))
}

/// A panic inside the core: reported, never a crash of Node.
pub(crate) fn panicked() -> napi::Error {
    encode(json!({"code": "panic", "message": "internal error in witi (a bug): please report it"}))
}

/// The caller's input is wrong (found by this binding while translating, e.g. an address).
pub(crate) fn invalid(message: impl Into<String>) -> napi::Error {
    to_napi(&witi::Error::InvalidArgument {
        message: message.into(),
    })
}

//! `witi::Error` as one uniffi error enum: a sealed `WitiException` in Kotlin (one subclass
//! per code of `sdk-surface.md`), the `WitiError` enum (conforming to `Error`) in Swift (`uniffi.toml` renames it).
//!
//! Every variant carries `code` (the shared code string, so a `when` is not needed to log it)
//! and `detail` (the core's text, already redacted by the core: the key never reaches here);
//! the variants that have them add `status`, `retry_after`, `server_message` and (`Timeout`)
//! `last_status`. (uniffi
//! builds the Kotlin `message` from the fields, so no field may itself be named `message`.)

use std::time::Duration;

/// The one exception of the SDK. `code` is the stable code string of `sdk-surface.md`.
/// `toString()` (Swift: `description`) is the core's text, `detail`.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
// `Timeout` carries a whole `Status` record by value (uniffi lifts records, not boxes); an
// error is rare, so its size costs nothing that matters.
#[allow(clippy::large_enum_variant)]
pub enum WitiException {
    /// The server answered and said no; `server_message` is its text.
    #[error("{detail}")]
    Api {
        code: String,
        detail: String,
        server_message: String,
    },
    /// The server rejected the API key (HTTP 401/403).
    #[error("{detail}")]
    Auth {
        code: String,
        detail: String,
        status: i32,
    },
    /// HTTP 429; `retry_after` when the server sent one.
    #[error("{detail}")]
    RateLimited {
        code: String,
        detail: String,
        status: i32,
        retry_after: Option<Duration>,
    },
    /// Any other non-2xx answer; `retry_after` when a 5xx said how long to wait and that
    /// was longer than the client waits by itself.
    #[error("{detail}")]
    HttpStatus {
        code: String,
        detail: String,
        status: i32,
        retry_after: Option<Duration>,
    },
    /// No full answer within the timeout; for `connect` and `wait_for_status`, the target was
    /// not reached in time and `last_status` is the last status the flow received (null when
    /// none was answered).
    #[error("{detail}")]
    Timeout {
        code: String,
        detail: String,
        last_status: Option<crate::model::Status>,
    },
    /// The request could not be sent or the connection broke.
    #[error("{detail}")]
    Connection { code: String, detail: String },
    /// The body is not the JSON the command answers with.
    #[error("{detail}")]
    Decode { code: String, detail: String },
    /// The caller's input is wrong, found before any request.
    #[error("{detail}")]
    InvalidArgument { code: String, detail: String },
    /// A PostBack body could not be decoded or broke a limit.
    #[error("{detail}")]
    Postback { code: String, detail: String },
    /// The caller's own callback (`onQr`) threw. The Kotlin `connect` extension rethrows the
    /// caller's original exception instead; Swift and the raw callback interface see this.
    #[error("{detail}")]
    Callback { code: String, detail: String },
}

impl From<witi::Error> for WitiException {
    fn from(e: witi::Error) -> Self {
        let code = e.code().as_str().to_owned();
        let detail = e.to_string();
        let status = i32::from(e.http_status().unwrap_or(0));
        match e.code() {
            witi::ErrorCode::Api => WitiException::Api {
                server_message: e.server_message().unwrap_or_default().to_owned(),
                code,
                detail,
            },
            witi::ErrorCode::Auth => WitiException::Auth {
                code,
                detail,
                status,
            },
            witi::ErrorCode::RateLimited => WitiException::RateLimited {
                retry_after: e.retry_after(),
                code,
                detail,
                status,
            },
            witi::ErrorCode::HttpStatus => WitiException::HttpStatus {
                retry_after: e.retry_after(),
                code,
                detail,
                status,
            },
            witi::ErrorCode::Timeout => WitiException::Timeout {
                last_status: e.last_status().cloned().map(Into::into),
                code,
                detail,
            },
            witi::ErrorCode::Connection => WitiException::Connection { code, detail },
            witi::ErrorCode::Decode => WitiException::Decode { code, detail },
            witi::ErrorCode::InvalidArgument => WitiException::InvalidArgument { code, detail },
            witi::ErrorCode::Postback => WitiException::Postback { code, detail },
            // `callback` (a failing `onQr`); and since `ErrorCode` is non-exhaustive, a code
            // added to the core later is reported here with its own code string until it
            // gets a variant of its own.
            _ => WitiException::Callback { code, detail },
        }
    }
}

/// A callback interface method that threw something other than a `WitiException`: uniffi
/// hands over the host's text of it (a Kotlin stack trace).
impl From<uniffi::UnexpectedUniFFICallbackError> for WitiException {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        WitiException::Callback {
            code: witi::ErrorCode::Callback.as_str().to_owned(),
            detail: e.reason,
        }
    }
}

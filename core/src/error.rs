//! One error type for the whole SDK, with the stable codes of `sdk-surface.md`.
//!
//! Every binding maps [`Error::code`] to its own base error (`witi.WitiError`, `WitiError`,
//! `WitiException`), so the code strings here are a public contract: never rename one.
//!
//! No text in here may ever contain the API key. The key travels in the URL's query string, so
//! every message that could carry a URL or a server's echo of it is passed through
//! [`crate::redact::Redactor`] before it is stored in an `Error` (see `transport.rs`).

use crate::model::Status;
use std::fmt;
use std::time::Duration;

/// The stable machine-readable code of an [`Error`]; the same strings in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The server answered and said no (`status` 0 with an `error` text, `sucesso` false, ...).
    Api,
    /// The server rejected the key (HTTP 401/403).
    Auth,
    /// HTTP 429.
    RateLimited,
    /// Any other non-2xx answer.
    HttpStatus,
    /// No full answer within the timeout.
    Timeout,
    /// The request could not be sent or the connection broke.
    Connection,
    /// The body is not the JSON the command answers with.
    Decode,
    /// The caller's input is wrong, found before any request.
    InvalidArgument,
    /// A PostBack body could not be decoded or broke a limit.
    Postback,
    /// Rust only: the caller's own callback failed (bindings re-raise the original exception).
    Callback,
}

impl ErrorCode {
    /// Every code, for bindings and tests that check none is missed.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Api,
        ErrorCode::Auth,
        ErrorCode::RateLimited,
        ErrorCode::HttpStatus,
        ErrorCode::Timeout,
        ErrorCode::Connection,
        ErrorCode::Decode,
        ErrorCode::InvalidArgument,
        ErrorCode::Postback,
        ErrorCode::Callback,
    ];

    /// The code as the string every language shares (`"rate_limited"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Api => "api",
            ErrorCode::Auth => "auth",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::HttpStatus => "http_status",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Connection => "connection",
            ErrorCode::Decode => "decode",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::Postback => "postback",
            ErrorCode::Callback => "callback",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A boxed error from a caller's callback (see [`crate::Client::connect`]).
pub type CallbackError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in witi. `command` names the API command
/// (`"status.aspx"`) or the flow (`"connect"`) that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered and said no; `message` is the server's text.
    #[error("{command}: the server refused: {message}")]
    Api {
        command: &'static str,
        message: String,
    },
    /// The server rejected the API key.
    #[error("{command}: the server rejected the API key (HTTP {status})")]
    Auth { command: &'static str, status: u16 },
    /// HTTP 429, with the server's `Retry-After` when it sent one.
    #[error("{command}: rate limited (HTTP 429){}", fmt_retry_after(.retry_after))]
    RateLimited {
        command: &'static str,
        retry_after: Option<Duration>,
    },
    /// Any other non-2xx answer; `snippet` is the start of the body, redacted; `retry_after`
    /// is a 5xx's `Retry-After` (capped at one day) when the server sent one.
    #[error("{command}: the server answered HTTP {status}{}", fmt_retry_after(.retry_after))]
    HttpStatus {
        command: &'static str,
        status: u16,
        snippet: String,
        retry_after: Option<Duration>,
    },
    /// No full answer within `after` (one HTTP attempt), or a flow (`connect`,
    /// `wait_for_status`) whose target was not reached within `after`.
    #[error("{command}: {}", fmt_timeout(.after, .summary))]
    Timeout {
        command: &'static str,
        after: Duration,
        /// For a flow, what was not reached and the last status seen, already redacted:
        /// `not paired within 10s (last status 3 waitForQRAuthentication)`. `None` for one
        /// HTTP attempt, whose text is `no answer within 10s`.
        summary: Option<String>,
        /// For a flow, the last status it received before giving up (see
        /// [`Error::last_status`]); `None` when no status was answered at all.
        last_status: Option<Box<Status>>,
    },
    /// The request could not be sent or the connection broke; `message` walks the cause chain.
    #[error("{command}: connection failed: {message}")]
    Connection {
        command: &'static str,
        message: String,
    },
    /// The body is not the JSON that the command answers with.
    #[error("{command}: {message} (content-type {}, body starts {snippet:?})", .content_type.as_deref().unwrap_or("none"))]
    Decode {
        command: &'static str,
        message: String,
        content_type: Option<String>,
        snippet: String,
    },
    /// The caller's input is wrong, found before any request.
    #[error("invalid argument: {message}")]
    InvalidArgument { message: String },
    /// A PostBack body could not be decoded or broke a limit.
    #[error("postback: {message}")]
    Postback { message: String },
    /// The caller's callback returned an error; it is kept as the source.
    #[error("{command}: the callback failed: {source}")]
    Callback {
        command: &'static str,
        #[source]
        source: CallbackError,
    },
}

fn fmt_timeout(after: &Duration, summary: &Option<String>) -> String {
    match summary {
        Some(summary) => summary.clone(),
        None => format!("no answer within {after:?}"),
    }
}

fn fmt_retry_after(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {}s", d.as_secs_f64()),
        None => String::new(),
    }
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Api { .. } => ErrorCode::Api,
            Error::Auth { .. } => ErrorCode::Auth,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::HttpStatus { .. } => ErrorCode::HttpStatus,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Connection { .. } => ErrorCode::Connection,
            Error::Decode { .. } => ErrorCode::Decode,
            Error::InvalidArgument { .. } => ErrorCode::InvalidArgument,
            Error::Postback { .. } => ErrorCode::Postback,
            Error::Callback { .. } => ErrorCode::Callback,
        }
    }

    /// The HTTP status, for `auth`, `rate_limited` and `http_status`.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Auth { status, .. } | Error::HttpStatus { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The server's `Retry-After` (capped at one day), for `rate_limited` and a 5xx
    /// `http_status`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } | Error::HttpStatus { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// The server's own words, for `api` errors.
    pub fn server_message(&self) -> Option<&str> {
        match self {
            Error::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// For a `timeout` of `connect` or `wait_for_status`: the last status the flow received
    /// before giving up (its code, e.g. 3 `waitForQRAuthentication`, says where it stopped).
    /// `None` for other errors, and when no status was answered at all.
    pub fn last_status(&self) -> Option<&Status> {
        match self {
            Error::Timeout { last_status, .. } => last_status.as_deref(),
            _ => None,
        }
    }

    /// The command or flow that failed, when there is one.
    pub fn command(&self) -> Option<&'static str> {
        match self {
            Error::Api { command, .. }
            | Error::Auth { command, .. }
            | Error::RateLimited { command, .. }
            | Error::HttpStatus { command, .. }
            | Error::Timeout { command, .. }
            | Error::Connection { command, .. }
            | Error::Decode { command, .. }
            | Error::Callback { command, .. } => Some(command),
            Error::InvalidArgument { .. } | Error::Postback { .. } => None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            message: message.into(),
        }
    }

    pub(crate) fn postback(message: impl Into<String>) -> Self {
        Error::Postback {
            message: message.into(),
        }
    }
}

/// `Result` with witi's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_shared_strings() {
        let strings: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            strings,
            [
                "api",
                "auth",
                "rate_limited",
                "http_status",
                "timeout",
                "connection",
                "decode",
                "invalid_argument",
                "postback",
                "callback"
            ]
        );
    }

    #[test]
    fn a_flow_timeout_says_what_was_missed_and_one_attempt_says_no_answer() {
        let attempt = Error::Timeout {
            command: "status.aspx",
            after: Duration::from_secs(30),
            summary: None,
            last_status: None,
        };
        assert_eq!(attempt.to_string(), "status.aspx: no answer within 30s");
        assert!(attempt.last_status().is_none());
        assert_eq!(attempt.code(), ErrorCode::Timeout);
    }

    #[test]
    fn rate_limited_message_names_the_wait() {
        let e = Error::RateLimited {
            command: "status.aspx",
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            e.to_string(),
            "status.aspx: rate limited (HTTP 429), retry after 3s"
        );
        assert_eq!(e.http_status(), Some(429));
        assert_eq!(e.code().as_str(), "rate_limited");
    }
}

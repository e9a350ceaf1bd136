//! What can end a command, how it is printed, and its exit code (the table in `--help`).

use std::fmt;

use serde_json::json;
use witi::ErrorCode;

/// The exit code of a "no" answer (`Failure::No`), beside the error codes.
pub const NO: u8 = 12;

/// An error of the API (with its stable code) or of the machine (a file, a port).
#[derive(Debug)]
pub enum Failure {
    Api(witi::Error),
    Local(String),
    /// Input the CLI itself refuses before any request (a `--body` that is not JSON): the
    /// `invalid_argument` of the core, exit code 10.
    Invalid(String),
    /// Not an error: the call succeeded and its answer is "no" (`profile` found no profile,
    /// `check` found a number not on WhatsApp). The answer is already on stdout; exit code 12,
    /// and `message` on stderr only without `--json`.
    No(String),
}

impl From<witi::Error> for Failure {
    fn from(e: witi::Error) -> Self {
        Failure::Api(e)
    }
}

impl Failure {
    pub fn local(what: impl fmt::Display) -> Self {
        Failure::Local(what.to_string())
    }

    /// The exit code, as documented in `args::EXIT_CODES`.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Local(_) => 1,
            Failure::Invalid(_) => 10,
            Failure::No(_) => NO,
            Failure::Api(e) => match e.code() {
                ErrorCode::Api => 3,
                ErrorCode::Auth => 4,
                ErrorCode::RateLimited => 5,
                ErrorCode::HttpStatus => 6,
                ErrorCode::Timeout => 7,
                ErrorCode::Connection => 8,
                ErrorCode::Decode => 9,
                ErrorCode::InvalidArgument => 10,
                ErrorCode::Postback => 11,
                // Our own callback (drawing the QR) failed: a local failure.
                _ => 1,
            },
        }
    }

    /// The text for stderr (empty: nothing to print). The core's error texts never contain
    /// the key.
    pub fn render(&self, as_json: bool) -> String {
        match (self, as_json) {
            (Failure::No(_), true) => String::new(),
            (Failure::No(message), false) => format!("witi: {message}"),
            (Failure::Invalid(message), false) => format!("witi: [invalid_argument] {message}"),
            (Failure::Invalid(message), true) => {
                json!({"error": {"code": "invalid_argument", "message": message}}).to_string()
            }
            (Failure::Local(message), false) => format!("witi: {message}"),
            (Failure::Local(message), true) => {
                json!({"error": {"code": "local", "message": message}}).to_string()
            }
            (Failure::Api(e), false) => {
                let mut text = format!("witi: [{}] {e}", e.code().as_str());
                if let Some(after) = e.retry_after() {
                    text.push_str(&format!(" (retry after {} s)", after.as_secs_f64()));
                }
                text
            }
            (Failure::Api(e), true) => json!({"error": {
                "code": e.code().as_str(),
                "message": e.to_string(),
                "http_status": e.http_status(),
                "retry_after_seconds": e.retry_after().map(|d| d.as_secs_f64()),
                "server_message": e.server_message(),
                "command": e.command(),
                "last_status": e.last_status(),
            }})
            .to_string(),
        }
    }
}

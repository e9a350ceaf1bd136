//! [`Client`]: the commands of the connection API (the Messages, Contacts and Groups
//! chapters and the generic [`Client::call`] are in `client/messages.rs`).
//!
//! Each command is a [`Command`] (path, method, whether it changes state) and one line naming
//! the body it sends and the parser of its answer in `parse.rs`. Adding a command to the SDK
//! starts here (see CONTRIBUTING.md).

use crate::config::ClientBuilder;
use crate::error::{Error, Result};
use crate::model::{ClearResult, Config, QrCode, SessionResult, Status};
use crate::parse;
use crate::transport::{Command, Transport};
use serde_json::{Map, Value};
use std::fmt;
use std::sync::Arc;

mod command_name;
mod messages;

pub use messages::{FileMessage, FileSource, MAX_BODY_DEPTH, MAX_INLINE_FILE_BYTES};

// `Command::read` only reads (retried on timeouts, 429, 5xx); `Command::change` changes state
// (retried only when the request surely never left).
const GENERATE_QRCODE: Command = Command::change("generate_qrcode.aspx").post();
const STATUS: Command = Command::read("status.aspx");
const DISCONNECT: Command = Command::change("disconnect.aspx");
const CLOSE_SESSION: Command = Command::change("close_session.aspx");
const SAVE_SESSION: Command = Command::change("save_session.aspx");
const RESTORE_SESSION: Command = Command::change("restore_session.aspx");
const CLEAR: Command = Command::change("clear.aspx");
const SET_CONFIG: Command = Command::change("set_config.aspx").post();

/// The browser `User-Agent` that `generate_qrcode` presents when the caller gives none: the
/// API wants a full browser string, and a current desktop Chrome is what WhatsApp Web expects.
pub const DEFAULT_BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// A client of one witi.me instance (one API key).
///
/// Cheap to clone and to share between threads and tasks: clones share one connection pool,
/// and so do clients built with the same connection settings (see `pool.rs`); each client
/// keeps its own connection cap ([`ClientBuilder::max_connections`]).
/// Every method is `async` and cancel-safe to drop; run them on any tokio runtime, or on
/// witi's own through [`crate::runtime`].
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    // The key never shows: only where the client points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.transport.base_url())
            .field("api_key", &crate::redact::REDACTED)
            .field("timeout", &self.transport.timeout())
            .field("retry", &self.transport.retry)
            .field("max_connections", &self.transport.max_connections)
            .finish()
    }
}

impl Client {
    /// A client for `api_key` with every default (base URL from `WITI_BASE_URL` or
    /// `https://api.witi.me/`).
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `WITI_API_KEY` and `WITI_BASE_URL`.
    pub fn from_env() -> Result<Client> {
        Client::builder().build()
    }

    pub(crate) fn from_parts(
        key: String,
        base: reqwest::Url,
        builder: ClientBuilder,
    ) -> Result<Client> {
        Ok(Client {
            transport: Arc::new(Transport::new(key, base, &builder)?),
        })
    }

    /// The base URL every command is joined onto (always ends in `/`).
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// `generate_qrcode.aspx`: a QR code to scan with the phone. `user_agent` is the browser
    /// the session presents (default [`DEFAULT_BROWSER_USER_AGENT`]). While a phone is already
    /// paired the server refuses with an `api` error ("Connection already established").
    pub async fn generate_qrcode(&self, user_agent: Option<&str>) -> Result<QrCode> {
        let user_agent = user_agent
            .filter(|u| !u.trim().is_empty())
            .unwrap_or(DEFAULT_BROWSER_USER_AGENT);
        let body = serde_json::json!({ "user_agent": user_agent });
        self.call_with(&GENERATE_QRCODE, Some(&body), parse::qrcode_response)
            .await
    }

    /// `status.aspx`: the connection information. Retried on timeouts, 429 and 5xx.
    pub async fn status(&self) -> Result<Status> {
        self.call_with(&STATUS, None, parse::status_response).await
    }

    /// `disconnect.aspx`: logs the phone out for good; a new QR code is needed afterwards.
    pub async fn disconnect(&self) -> Result<Status> {
        self.call_with(&DISCONNECT, None, parse::status_response)
            .await
    }

    /// `close_session.aspx`: closes the session so that [`Client::restore_session`] can resume it
    /// without a QR code.
    pub async fn close_session(&self) -> Result<SessionResult> {
        self.call_with(&CLOSE_SESSION, None, parse::session_response)
            .await
    }

    /// `save_session.aspx`: saves the session so it can be restored (the server also does it
    /// by itself after a scan).
    pub async fn save_session(&self) -> Result<SessionResult> {
        self.call_with(&SAVE_SESSION, None, parse::session_response)
            .await
    }

    /// `restore_session.aspx`: resumes a session closed with [`Client::close_session`].
    pub async fn restore_session(&self) -> Result<SessionResult> {
        self.call_with(&RESTORE_SESSION, None, parse::session_response)
            .await
    }

    /// `clear.aspx`: wipes the instance's stored files and cache (not WhatsApp data).
    pub async fn clear(&self) -> Result<ClearResult> {
        self.call_with(&CLEAR, None, parse::clear_response).await
    }

    /// `set_config.aspx`: changes the PostBack URL, the browser name, the API version and bulk
    /// delivery; fields left `None` are not sent. Note the API's warning: changing the webhook
    /// here stops the witi.me browser UI from working for the instance.
    pub async fn set_config(&self, config: &Config) -> Result<Status> {
        let body = config_body(config)?;
        self.call_with(&SET_CONFIG, Some(&body), parse::status_response)
            .await
    }

    /// `text` with the key redacted, for flows that quote a server's words in an error.
    pub(crate) fn redact(&self, text: &str) -> String {
        self.transport.redactor.redact(text)
    }

    /// The per-attempt HTTP timeout, which bounds the flows' last status check.
    pub(crate) fn request_timeout(&self) -> std::time::Duration {
        self.transport.timeout()
    }

    /// Sends `command` and parses its answer; a parse error's texts (which quote the body, and
    /// a body may echo the key) are redacted.
    async fn call_with<T>(
        &self,
        command: &Command,
        body: Option<&Value>,
        parse: fn(&parse::Body<'_>) -> Result<T>,
    ) -> Result<T> {
        let response = self.transport.send(command, body).await?;
        parse(&response.body(&self.transport.redactor))
            .map_err(|e| self.transport.redactor.scrub(e))
    }
}

/// The JSON of `set_config.aspx`, with the wire's names; checks what can be checked.
fn config_body(config: &Config) -> Result<Value> {
    let mut body = Map::new();
    if let Some(webhook) = &config.webhook {
        let webhook = webhook.trim();
        // An empty webhook is allowed: it is how a PostBack URL is removed.
        if !webhook.is_empty() {
            let url = reqwest::Url::parse(webhook)
                .map_err(|_| Error::invalid("the webhook is not an absolute URL"))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(Error::invalid("the webhook must be an http(s) URL"));
            }
        }
        body.insert("webhook".into(), Value::from(webhook));
    }
    if let Some(user_agent) = &config.user_agent {
        body.insert("user_agent".into(), Value::from(user_agent.as_str()));
    }
    if let Some(can_bulk) = config.api_version_can_bulk {
        body.insert("APIVersionCanBulk".into(), Value::from(can_bulk));
    }
    if let Some(version) = &config.api_version {
        if version.trim().is_empty() {
            return Err(Error::invalid(
                "the API version is empty (use \"1.0\" or \"1.1\")",
            ));
        }
        body.insert("APIVersion".into(), Value::from(version.trim()));
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_body_uses_the_wire_names_and_skips_none() {
        let body = config_body(&Config {
            webhook: Some("https://erp.example/hook".into()),
            api_version: Some("1.1".into()),
            api_version_can_bulk: Some(true),
            user_agent: None,
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"webhook": "https://erp.example/hook", "APIVersion": "1.1", "APIVersionCanBulk": true})
        );
        assert_eq!(
            config_body(&Config::default()).unwrap(),
            serde_json::json!({})
        );
    }

    #[test]
    fn bad_config_is_an_invalid_argument() {
        for config in [
            Config {
                webhook: Some("not a url".into()),
                ..Config::default()
            },
            Config {
                webhook: Some("ftp://x/".into()),
                ..Config::default()
            },
            Config {
                api_version: Some(" ".into()),
                ..Config::default()
            },
        ] {
            assert_eq!(
                config_body(&config).unwrap_err().code().as_str(),
                "invalid_argument"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder()
            .api_key("SECRET-KEY-123")
            .base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains("SECRET-KEY-123"), "{debug}");
        assert!(debug.contains("127.0.0.1:9"), "{debug}");
    }
}

//! One HTTP exchange with the API, with timeouts, retries and redaction.
//!
//! This is the only place that sees the URL with the key in it. reqwest errors are stripped
//! of their URL (`without_url`) before anything reads them, and every text that leaves here
//! is passed through the client's [`Redactor`].

use crate::config::{ClientBuilder, RetryPolicy};
use crate::error::{Error, Result};
use crate::parse::Body;
use crate::pool::{self, Pool, PoolKey};
use crate::proxy::{ProxyConfig, Target};
use crate::redact::Redactor;
use crate::retry::Retry;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The largest response body read; the API's answers are a few KB (a QR code is the largest),
/// so anything near this is not an answer and must not exhaust memory.
pub(crate) const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// The largest answer of a list command (`chats.aspx`, `contacts.aspx`): a contact is about
/// 400 bytes of JSON, so a CRM phone's 20,000 contacts are 8 MB; 64 MiB holds 100,000 of
/// them (the parsers' item cap, `parse/messages.rs`).
pub(crate) const MAX_LIST_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// One API command: its path segment, its HTTP method, and whether it changes state (which
/// decides what may be retried).
#[derive(Debug)]
pub(crate) struct Command {
    pub name: &'static str,
    pub post: bool,
    pub changes_state: bool,
    /// The largest answer read ([`MAX_RESPONSE_BYTES`], or [`MAX_LIST_RESPONSE_BYTES`]).
    pub max_response_bytes: usize,
}

impl Command {
    /// A GET that only reads.
    pub(crate) const fn read(name: &'static str) -> Self {
        Command {
            name,
            post: false,
            changes_state: false,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// A GET that changes the instance's state.
    pub(crate) const fn change(name: &'static str) -> Self {
        Command {
            name,
            post: false,
            changes_state: true,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// The same command sent as a POST with a JSON body.
    pub(crate) const fn post(self) -> Self {
        Command { post: true, ..self }
    }

    /// The same command answering with a list that may be large.
    pub(crate) const fn list(self) -> Self {
        Command {
            max_response_bytes: MAX_LIST_RESPONSE_BYTES,
            ..self
        }
    }
}

/// A 2xx answer.
pub(crate) struct Response {
    pub command: &'static str,
    pub text: String,
    pub content_type: Option<String>,
}

impl Response {
    pub(crate) fn body<'a>(&'a self, redactor: &'a Redactor) -> Body<'a> {
        Body {
            command: self.command,
            text: &self.text,
            content_type: self.content_type.as_deref(),
            redactor,
        }
    }
}

/// The HTTP side of a client: connection pool, base URL, key, policy.
pub(crate) struct Transport {
    http: Mutex<Arc<Pool>>,
    pool_key: PoolKey,
    base: reqwest::Url,
    key: String,
    pub(crate) redactor: Redactor,
    timeout: Duration,
    pub(crate) retry: RetryPolicy,
    /// This client's connection cap: one permit per request in flight (see `attempt`).
    connections: Arc<Semaphore>,
    pub(crate) max_connections: usize,
}

impl Transport {
    pub(crate) fn new(key: String, base: reqwest::Url, b: &ClientBuilder) -> Result<Self> {
        let proxy = match &b.proxy {
            Some(url) => ProxyConfig::Explicit(Target::parse(url, "proxy")?),
            None => ProxyConfig::from_env()?,
        };
        let secrets = proxy.secrets();
        let redactor = Redactor::with_secrets(&key, secrets.iter().map(String::as_str));
        let pool_key = PoolKey {
            connect_timeout: b.connect_timeout,
            user_agent: b.user_agent.clone(),
            proxy,
            pid: std::process::id(),
        };
        let t = Transport {
            http: Mutex::new(pool::shared(pool_key.clone())?),
            pool_key,
            base,
            redactor,
            key,
            timeout: b.timeout,
            retry: b.retry.clone(),
            connections: Arc::new(Semaphore::new(
                b.max_connections.min(Semaphore::MAX_PERMITS),
            )),
            max_connections: b.max_connections,
        };
        Ok(t)
    }

    /// Whether `text` holds the API key (ASCII case ignored, as IIS reads paths), for a name
    /// the caller chose that errors and logs would print as it is. A key shorter than 4
    /// characters is not looked for (it would match ordinary names and tells no one anything).
    pub(crate) fn holds_key(&self, text: &str) -> bool {
        self.key.len() >= 4
            && text
                .to_ascii_lowercase()
                .contains(&self.key.to_ascii_lowercase())
    }

    pub(crate) fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The shared pool, or in a forked child a pool of the child's own.
    fn http(&self) -> Result<reqwest::Client> {
        let pid = std::process::id();
        let mut pool = self.http.lock().unwrap_or_else(|p| p.into_inner());
        if pool.pid != pid {
            *pool = pool::shared(PoolKey {
                pid,
                ..self.pool_key.clone()
            })?;
        }
        Ok(pool.client.clone())
    }

    fn url(&self, command: &Command) -> reqwest::Url {
        let mut url = self
            .base
            .join(command.name)
            .expect("a command name is a relative path that joins onto any http(s) base");
        url.query_pairs_mut().append_pair("wid", &self.key);
        url
    }

    /// Sends the command, retrying per policy, and gives the 2xx answer.
    pub(crate) async fn send(
        &self,
        command: &Command,
        body: Option<&serde_json::Value>,
    ) -> Result<Response> {
        let payload =
            body.map(|b| serde_json::to_vec(b).expect("a serde_json::Value always serializes"));
        let url = self.url(command);
        let mut retry = 0;
        loop {
            let started = Instant::now();
            let outcome = self.attempt(command, &url, payload.as_deref()).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (error, failure) = match outcome {
                Ok(response) => {
                    tracing::debug!(command = command.name, retry, elapsed_ms, "answered");
                    return Ok(response);
                }
                Err(failed) => failed,
            };
            match self
                .retry
                .wait_before(retry, failure, command.changes_state)
            {
                Some(wait) => {
                    tracing::warn!(
                        command = command.name,
                        retry,
                        elapsed_ms,
                        wait_ms = wait.as_millis() as u64,
                        code = error.code().as_str(),
                        "attempt failed, retrying: {error}"
                    );
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                None => {
                    tracing::debug!(
                        command = command.name,
                        retry,
                        elapsed_ms,
                        code = error.code().as_str(),
                        "failed: {error}"
                    );
                    return Err(error);
                }
            }
        }
    }

    async fn attempt(
        &self,
        command: &Command,
        url: &reqwest::Url,
        payload: Option<&[u8]>,
    ) -> Result<Response, (Error, Retry)> {
        // The connection cap: a permit per attempt, held until its body is read. Waiting for
        // one counts against the attempt's own timeout; a call that gets none in time has
        // spent it, and fails as a timeout without being retried.
        let deadline = Instant::now() + self.timeout;
        let _permit = match tokio::time::timeout(
            self.timeout,
            self.connections.clone().acquire_owned(),
        )
        .await
        {
            Ok(permit) => permit.expect("the connection semaphore is never closed"),
            Err(_) => return Err((self.timeout_error(command), Retry::Final)),
        };
        let http = self.http().map_err(|e| (e, Retry::Final))?;
        let mut request = if command.post {
            http.post(url.clone())
        } else {
            http.get(url.clone())
        };
        let left = deadline.saturating_duration_since(Instant::now());
        request = request.timeout(left.max(Duration::from_millis(1)));
        if let Some(payload) = payload {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(payload.to_vec());
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| self.transport_error(command, url, e))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);

        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(command, url, e))?
        {
            if bytes.len() + chunk.len() > command.max_response_bytes {
                return Err((
                    Error::Decode {
                        command: command.name,
                        message: format!("a body larger than {} bytes", command.max_response_bytes),
                        content_type,
                        snippet: self.redactor.snippet(&String::from_utf8_lossy(&bytes)),
                    },
                    Retry::Final,
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let body = Body {
                    command: command.name,
                    text: &lossy,
                    content_type: content_type.as_deref(),
                    redactor: &self.redactor,
                };
                return Err((
                    self.redactor
                        .scrub(body.decode_error("a body that is not UTF-8")),
                    Retry::Final,
                ));
            }
        };
        let code = status.as_u16();
        let snippet = || self.redactor.snippet(&text);
        match code {
            200..=299 => Ok(Response {
                command: command.name,
                text,
                content_type,
            }),
            401 | 403 => Err((
                Error::Auth {
                    command: command.name,
                    status: code,
                },
                Retry::Final,
            )),
            429 => Err((
                Error::RateLimited {
                    command: command.name,
                    retry_after,
                },
                Retry::Asked(retry_after),
            )),
            // Every 5xx's `Retry-After` is honoured, not only 503's (RFC 9110 names 503): a
            // server that says when to come back knows better than our backoff.
            500..=599 => Err((
                Error::HttpStatus {
                    command: command.name,
                    status: code,
                    snippet: snippet(),
                    retry_after,
                },
                Retry::Asked(retry_after),
            )),
            _ => Err((
                Error::HttpStatus {
                    command: command.name,
                    status: code,
                    snippet: snippet(),
                    retry_after: None,
                },
                Retry::Final,
            )),
        }
    }

    /// The one place a transport timeout is made: no full answer within the attempt's time.
    fn timeout_error(&self, command: &Command) -> Error {
        Error::Timeout {
            command: command.name,
            after: self.timeout,
            summary: None,
            last_status: None,
        }
    }

    /// A reqwest error as a witi error, without the URL and with the cause chain spelled out
    /// (reqwest's own `Display` hides the cause).
    fn transport_error(
        &self,
        command: &Command,
        url: &reqwest::Url,
        error: reqwest::Error,
    ) -> (Error, Retry) {
        let error = error.without_url();
        if error.is_timeout() && !error.is_connect() {
            return (self.timeout_error(command), Retry::Transient);
        }
        let mut message = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        // A proxy in the way is the first thing to suspect, so the error names it (never its
        // credentials: `shown` has none, and the redactor knows the password).
        if let Some(proxy) = self.pool_key.proxy.proxy_for(url) {
            message = format!("through proxy {}: {message}", proxy.shown);
        }
        let message = self.redactor.redact(&message);
        let retry = if error.is_connect() {
            Retry::NeverSent
        } else {
            Retry::Transient
        };
        (
            Error::Connection {
                command: command.name,
                message,
            },
            retry,
        )
    }
}

/// The longest `Retry-After` reported: a larger one (`99999999999`, `1e30`, a date in year
/// 9999) saturates here, so it still says "not now" and is never mistaken for absent.
pub(crate) const MAX_REPORTED_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// `Retry-After` as delta-seconds (integer or decimal, RFC 9110 §10.2.3) or as an HTTP-date
/// (the wait until then, zero when it has passed), saturated at [`MAX_REPORTED_RETRY_AFTER`].
/// Anything else (negative, not a number, not a date) is treated as absent, so the policy's own
/// backoff applies.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        if let Ok(secs) = value.parse::<f64>() {
            // Digits only, so never negative or NaN; 1e30 or a 40-digit number is infinite
            // or huge, and saturates.
            return Some(
                Duration::try_from_secs_f64(secs)
                    .unwrap_or(MAX_REPORTED_RETRY_AFTER)
                    .min(MAX_REPORTED_RETRY_AFTER),
            );
        }
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(MAX_REPORTED_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        // A date in the past: retry now. One in the future: the wait until then.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        let in_a_minute = std::time::SystemTime::now() + Duration::from_secs(61);
        let wait = parse_retry_after(&httpdate::fmt_http_date(in_a_minute)).expect("a date");
        assert!((59..=61).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(parse_retry_after("Someday, soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("inf"), None);
        assert_eq!(parse_retry_after(""), None);
    }

    #[test]
    fn huge_retry_after_saturates_at_a_day() {
        for huge in [
            "99999999999",
            "1e30",
            "1e400",
            "86401",
            "123456789012345678901234567890123456789012345678901234567890",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(
                parse_retry_after(huge),
                Some(MAX_REPORTED_RETRY_AFTER),
                "{huge}"
            );
        }
        assert_eq!(parse_retry_after("86400"), Some(MAX_REPORTED_RETRY_AFTER));
        assert_eq!(parse_retry_after("3600"), Some(Duration::from_secs(3600)));
    }
}

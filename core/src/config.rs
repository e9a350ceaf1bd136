//! Building a [`Client`]: key, base URL, timeouts and the retry policy.
//!
//! Everything the caller can get wrong is checked here, before any request, and reported as
//! `invalid_argument`: an empty key, a base URL that is not http(s), a zero timeout.

use crate::client::Client;
use crate::error::{Error, Result};
use std::time::Duration;

/// The API's address when none is given.
pub const DEFAULT_BASE_URL: &str = "https://api.witi.me/";

/// How failed calls are retried. Defaults follow Stripe's and OpenAI's SDKs: 2 retries,
/// backoff from 0.5 s doubling up to 8 s with jitter, `Retry-After` honoured up to a cap.
///
/// Only `status()` (which changes nothing) is retried on timeouts, 429 and 5xx. The
/// state-changing commands are retried only when the connection could not be made, so the
/// request surely never reached the server: a timeout never repeats a `disconnect`.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off).
    pub max_retries: u32,
    /// The wait before the first retry; it doubles each time.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts.
    pub max_backoff: Duration,
    /// A server's `Retry-After` is honoured up to this; a longer one is not waited for and
    /// the `rate_limited` error is returned at once.
    pub max_retry_after: Duration,
    /// Randomise each backoff to 75–100 % so that many clients don't retry in lockstep.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(20),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
}

/// Builds a [`Client`]. Start from [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    pub(crate) api_key: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) max_connections: usize,
    pub(crate) proxy: Option<String>,
}

/// The default of [`ClientBuilder::max_connections`], as in httpx and aiohttp.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;

impl std::fmt::Debug for ClientBuilder {
    // Never the key: only whether there is one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field(
                "api_key",
                &self.api_key.as_ref().map(|_| crate::redact::REDACTED),
            )
            .field(
                "base_url",
                &self
                    .base_url
                    .as_deref()
                    .map(crate::redact::redact_wid_params),
            )
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("max_connections", &self.max_connections)
            .field(
                "proxy",
                &self.proxy.as_deref().map(|p| {
                    crate::proxy::Target::parse(p, "proxy")
                        .map_or_else(|_| crate::redact::REDACTED.to_owned(), |t| t.shown)
                }),
            )
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: format!("witi-rust/{}", env!("CARGO_PKG_VERSION")),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            proxy: None,
        }
    }
}

impl ClientBuilder {
    /// The instance's API key (`wid`). Falls back to `WITI_API_KEY` when not set.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API's base URL, with or without a trailing slash or a path prefix. Falls back to
    /// `WITI_BASE_URL`, then to [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time one attempt may take, from sending to the whole body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The time to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries after the first attempt (default 2); shorthand for the policy's `max_retries`.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The HTTP `User-Agent` header (bindings name themselves: `witi-python/0.1.0`). Not the
    /// WhatsApp browser name, which is `generate_qrcode`'s and `set_config`'s `user_agent`.
    pub fn http_user_agent(mut self, value: impl Into<String>) -> Self {
        self.user_agent = value.into();
        self
    }

    /// At most this many connections (so requests in flight) from this client at once
    /// (default [`DEFAULT_MAX_CONNECTIONS`], 100, as in httpx and aiohttp). A call beyond it
    /// waits for a free one, within its own `timeout`; past that it fails with `timeout`.
    /// The cap is per client even when clients share a connection pool. Zero is refused.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max;
        self
    }

    /// Sends every request through this proxy (`http://`, `https://`, `socks5://` or
    /// `socks5h://`, credentials in the URL), loopback included. Without it, the environment
    /// decides (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`), and loopback hosts are
    /// always reached directly.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Checks everything and builds the client. Reads `WITI_API_KEY` and `WITI_BASE_URL` for
    /// what was not set.
    pub fn build(mut self) -> Result<Client> {
        if self.api_key.is_none() {
            self.api_key = std::env::var("WITI_API_KEY").ok();
        }
        if self.base_url.is_none() {
            self.base_url = std::env::var("WITI_BASE_URL")
                .ok()
                .filter(|u| !u.trim().is_empty());
        }
        let key = match self.api_key.take() {
            Some(k) if !k.trim().is_empty() => k,
            Some(_) => return Err(Error::invalid("the API key is empty")),
            None => {
                return Err(Error::invalid("no API key: pass one or set WITI_API_KEY"));
            }
        };
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::invalid("timeouts must be greater than zero"));
        }
        if self.max_connections == 0 {
            return Err(Error::invalid("max_connections must be at least 1"));
        }
        let base = parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        Client::from_parts(key, base, self)
    }
}

/// A host language's number of seconds (`name` for the message) as a `Duration`: finite and
/// not negative, else `invalid_argument`. Bindings and the CLI convert every timeout and
/// interval with this, so every language accepts and refuses the same values (whether zero
/// is allowed is for the setting's own check: a zero timeout is refused by `build`).
pub fn duration_from_secs(name: &str, secs: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(secs).map_err(|_| {
        Error::invalid(format!(
            "{name} must be a finite number of seconds, at least 0, not {secs}"
        ))
    })
}

/// [`duration_from_secs`] for languages that count in milliseconds (JavaScript).
pub fn duration_from_millis(name: &str, ms: f64) -> Result<Duration> {
    Duration::try_from_secs_f64(ms / 1000.0).map_err(|_| {
        Error::invalid(format!(
            "{name} must be a finite number of milliseconds, at least 0, not {ms}"
        ))
    })
}

/// A base URL that ends in `/`, so commands join under its path prefix
/// (`https://h/api` + `status.aspx` = `https://h/api/status.aspx`).
fn parse_base_url(raw: &str) -> Result<reqwest::Url> {
    let trimmed = raw.trim();
    let mut url = reqwest::Url::parse(trimmed).map_err(|e| {
        Error::invalid(format!(
            "the base URL {:?} is not a URL: {e}",
            crate::redact::redact_wid_params(trimmed)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(format!(
            "the base URL must be http(s)://host[/prefix], not {:?}",
            crate::redact::redact_wid_params(trimmed)
        )));
    }
    // A query or fragment on the base would be lost or mixed with `wid`: refuse it.
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "the base URL must not have a query or a fragment",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_from_a_host_number() {
        assert_eq!(
            duration_from_secs("t", 1.5).expect("ok"),
            Duration::from_millis(1500)
        );
        assert_eq!(duration_from_secs("t", 0.0).expect("ok"), Duration::ZERO);
        assert_eq!(
            duration_from_millis("t", 250.0).expect("ok"),
            Duration::from_millis(250)
        );
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e300] {
            let e = duration_from_secs("timeout", bad).expect_err("refused");
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
            assert!(e.to_string().contains("timeout"), "{e}");
            let e = duration_from_millis("timeoutMs", bad * 1e3).expect_err("refused");
            assert!(
                e.to_string()
                    .contains("timeoutMs must be a finite number of milliseconds")
            );
        }
    }

    #[test]
    fn base_urls_join_under_their_prefix() {
        for (raw, want) in [
            ("https://api.witi.me", "https://api.witi.me/"),
            ("https://api.witi.me/", "https://api.witi.me/"),
            ("http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api/v1/"),
            (
                "  http://127.0.0.1:9/api/v1/ ",
                "http://127.0.0.1:9/api/v1/",
            ),
        ] {
            assert_eq!(parse_base_url(raw).expect(raw).as_str(), want);
        }
    }

    #[test]
    fn unusable_base_urls_are_invalid_arguments() {
        for raw in [
            "",
            "api.witi.me",
            "ftp://x/",
            "http://",
            "http://h/?wid=secret",
            "http://h/#x",
        ] {
            let e = parse_base_url(raw).expect_err(raw);
            assert_eq!(e.code().as_str(), "invalid_argument", "{raw}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }
}

//! `Client`: its construction, `waitForStatus` and `connect`, as suspend functions (Kotlin) /
//! `async throws` (Swift). The calls of the core's table (the connection commands, messages,
//! contacts, groups, `call`) are added to `Client` by `calls.rs`.
//!
//! Every call clones the core client (an `Arc`) into a future that runs on the core's runtime
//! (`runtime::on_core`), so cancelling the coroutine aborts the request. Options are read
//! here and handed to `witi::ClientBuilder`, which checks them.

use crate::error::WitiException;
use crate::model::{QrCode, Status, StatusCode};
use crate::runtime::on_core;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// How a `Client` is built; every field is optional. The key and base URL fall back to
/// `WITI_API_KEY` and `WITI_BASE_URL`; timeout 30 s, 2 retries.
#[derive(Clone, Default, uniffi::Record)]
#[uniffi::export(Display)]
pub struct ClientOptions {
    /// The instance's API key. Never shown by `toString()`.
    #[uniffi(default)]
    pub api_key: Option<String>,
    /// The API's base URL (`https://api.witi.me/` by default; a path prefix is kept).
    #[uniffi(default)]
    pub base_url: Option<String>,
    /// The time one attempt may take, from sending to the whole body (30 s).
    #[uniffi(default)]
    pub timeout: Option<Duration>,
    /// Retries after the first attempt (2); see the core's retry rules in the README.
    #[uniffi(default)]
    pub max_retries: Option<u32>,
    /// The wait before the first retry, doubling each time (0.5 s). For tests and tuning.
    #[uniffi(default)]
    pub initial_backoff: Option<Duration>,
    /// At most this many connections (requests in flight) at once from this client (100);
    /// further calls wait within their timeout. Zero is an `InvalidArgument`.
    #[uniffi(default)]
    pub max_connections: Option<u32>,
    /// A proxy for every request (`http://`, `https://`, `socks5://`, `socks5h://`); without
    /// it `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` decide, loopback always direct.
    /// Never shown by `toString()` (it may hold a password).
    #[uniffi(default)]
    pub proxy: Option<String>,
}

/// Hand-written (and exported as the Kotlin `toString()` / Swift `description`) so that the
/// key never shows: only whether there is one.
impl fmt::Display for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Kotlin's way of showing an absent value, since this is Kotlin's toString().
        fn show<T: fmt::Debug>(value: &Option<T>) -> String {
            value.as_ref().map_or("null".into(), |v| format!("{v:?}"))
        }
        write!(
            f,
            "ClientOptions(apiKey={}, baseUrl={}, timeout={}, maxRetries={}, initialBackoff={}, \
             maxConnections={}, proxy={})",
            self.api_key.as_ref().map_or("null", |_| "<redacted>"),
            show(&self.base_url),
            show(&self.timeout),
            show(&self.max_retries),
            show(&self.initial_backoff),
            show(&self.max_connections),
            self.proxy.as_ref().map_or("null", |_| "<redacted>"),
        )
    }
}

/// Receives each QR code of `connect`, to show to the user. Called on a core thread: return
/// quickly (hand slow work to another thread); throwing ends `connect` with that error.
#[uniffi::export(with_foreign)]
pub trait QrHandler: Send + Sync {
    fn on_qr(&self, qr: QrCode) -> Result<(), WitiException>;
}

/// A client of one witi.me instance. Thread-safe; share one per key: it reuses connections.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Client {
    pub(crate) inner: witi::Client,
}

/// The core's `Debug` of the client, which shows where it points and never the key.
impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.inner)
    }
}

impl Client {
    /// Runs `call` with a clone of the core client on the core's runtime.
    async fn run<T, U, F, Fut>(&self, call: F) -> Result<U, WitiException>
    where
        F: FnOnce(witi::Client) -> Fut,
        Fut: Future<Output = witi::Result<T>> + Send + 'static,
        T: Into<U> + Send + 'static,
    {
        let result = on_core(call(self.inner.clone())).await;
        result.map(Into::into).map_err(Into::into)
    }
}

#[uniffi::export]
impl Client {
    /// Builds a client; `InvalidArgument` for an empty key, a bad base URL or a zero timeout.
    #[uniffi::constructor]
    pub fn new(options: ClientOptions) -> Result<Arc<Self>, WitiException> {
        let mut builder = witi::Client::builder()
            .http_user_agent(concat!("witi-kotlin/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(timeout) = options.timeout {
            builder = builder.timeout(timeout);
        }
        let mut policy = witi::RetryPolicy::default();
        if let Some(retries) = options.max_retries {
            policy.max_retries = retries;
        }
        if let Some(backoff) = options.initial_backoff {
            policy.initial_backoff = backoff;
        }
        if let Some(max) = options.max_connections {
            builder = builder.max_connections(max as usize);
        }
        if let Some(proxy) = options.proxy {
            builder = builder.proxy(proxy);
        }
        let inner = builder.retry_policy(policy).build()?;
        Ok(Arc::new(Client { inner }))
    }

    /// The base URL every command is joined onto (always ends in `/`).
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }
}

export_async! {
impl Client {
    /// Polls `status` every `pollInterval` until its code is one of `targets`; `Timeout`
    /// (with `lastStatus`) when `timeout` runs out first.
    #[uniffi::method(default(poll_interval = None))]
    pub async fn wait_for_status(
        &self,
        targets: Vec<StatusCode>,
        timeout: Duration,
        poll_interval: Option<Duration>,
    ) -> Result<Status, WitiException> {
        let targets: Vec<witi::StatusCode> = targets.into_iter().map(StatusCode::to_core).collect();
        let poll_interval = poll_interval.unwrap_or(witi::DEFAULT_POLL_INTERVAL);
        self.run(|c| async move { c.wait_for_status(&targets, timeout, poll_interval).await })
            .await
    }

    /// Pairs a phone: hands each fresh QR code to `onQr` until the status is `Authenticated`,
    /// and returns that status. In status 11, or 0 with a saved session, it first tries
    /// `restoreSession` (unless `restoreSession` is false). A `Timeout` (with `lastStatus`)
    /// after `timeout`; an exception thrown by `onQr` ends it as `WitiException.Callback` (the
    /// Kotlin `connect { }` extension rethrows the original exception instead).
    #[uniffi::method(default(poll_interval = None, user_agent = None, restore_session = true))]
    pub async fn connect(
        &self,
        on_qr: Arc<dyn QrHandler>,
        timeout: Duration,
        poll_interval: Option<Duration>,
        user_agent: Option<String>,
        restore_session: bool,
    ) -> Result<Status, WitiException> {
        let defaults = witi::ConnectOptions::default();
        let options = witi::ConnectOptions {
            timeout,
            poll_interval: poll_interval.unwrap_or(defaults.poll_interval),
            user_agent,
            restore_session,
        };
        let on_qr = move |qr: &witi::QrCode| -> Result<(), witi::CallbackError> {
            on_qr.on_qr(qr.clone().into()).map_err(|e| Box::new(e) as witi::CallbackError)
        };
        self.run(|c| async move { c.connect_with(on_qr, options).await }).await
    }
}
}

/// Test-only: panics inside Rust, in a sync call (`async == false`) or inside a core task
/// (`async == true`), so the tests can show a panic becomes an exception, not a JVM crash.
/// Not part of the API (hidden from the README); harmless to call.
#[uniffi::export]
pub fn test_only_panic(message: String) {
    panic!("test_only_panic: {message}");
}

export_async! {
/// Test-only: like `testOnlyPanic`, inside a task on the core's runtime.
pub async fn test_only_panic_async(message: String) {
    on_core(async move { panic!("test_only_panic_async: {message}") }).await
}
}

//! `Client`: its construction and the two flows, `waitForStatus` and `connect`, each a promise.
//! The API calls (the eight commands and the rest) are generated from core's table in
//! `calls.rs`.
//!
//! Every method hands its core future to `runtime::promise` with the call's optional
//! `CancelToken`. The native arguments are positional; `index.js` maps the public options
//! objects onto them, which is why each method declares its public TypeScript signature with
//! `ts_args_type` (the types named there are in `ts-header.d.ts`).

use crate::error;
use crate::model::{QrCode, Status};
use crate::runtime::{CancelToken, promise};
use napi::bindgen_prelude::{Env, External, Function, Object};
use napi::threadsafe_function::{ThreadsafeFunctionCallMode, UnknownReturnValue};
use napi_derive::napi;
use std::time::Duration;

/// How a client is built; every field is optional (`WITI_API_KEY` / `WITI_BASE_URL` fill in).
#[napi(object)]
pub struct ClientOptions {
    /// The instance's API key; default `process.env.WITI_API_KEY`.
    pub api_key: Option<String>,
    /// Default `process.env.WITI_BASE_URL`, else `https://api.witi.me/`.
    pub base_url: Option<String>,
    /// The time one attempt may take (default 30000).
    pub timeout_ms: Option<f64>,
    /// Retries after the first attempt (default 2).
    pub max_retries: Option<u32>,
    /// The wait before the first retry, doubling after (default 500). Mostly for tests.
    pub initial_backoff_ms: Option<f64>,
    /// At most this many connections (requests in flight) at once from this client (default
    /// 100); further calls wait within their timeout. Below 1 is an `InvalidArgumentError`.
    pub max_connections: Option<i64>,
    /// A proxy for every request (`http://`, `https://`, `socks5://`, `socks5h://`); without
    /// it `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` decide, loopback always direct.
    pub proxy: Option<String>,
}

/// The settings of `setConfig`; a field left out is not sent.
// Declared for index.d.ts only: calls.js reads the public object into the table's
// `set_config` arguments.
#[napi(object)]
#[allow(dead_code)]
pub struct Config {
    /// The PostBack URL (`''` removes it).
    pub webhook: Option<String>,
    /// The browser name the instance presents.
    pub user_agent: Option<String>,
    /// `'1.0'` or `'1.1'` (1.1 compresses bulk PostBacks).
    pub api_version: Option<String>,
    /// Batch PostBacks.
    pub api_version_can_bulk: Option<bool>,
}

/// A client of one witi.me instance. Cheap to share; reuses its connections. An idle client
/// holds nothing that keeps Node running.
#[napi]
pub struct Client {
    pub(crate) inner: witi::Client,
}

/// A duration in milliseconds from JS, checked by the core's one rule (`invalid_argument`).
pub(crate) fn millis(name: &str, ms: Option<f64>, default: Duration) -> napi::Result<Duration> {
    match ms {
        None => Ok(default),
        Some(ms) => witi::duration_from_millis(name, ms).map_err(|e| error::to_napi(&e)),
    }
}

#[napi]
impl Client {
    #[napi(constructor, catch_unwind, ts_args_type = "options?: ClientOptions")]
    pub fn new(options: Option<ClientOptions>) -> napi::Result<Self> {
        let options = options.unwrap_or(ClientOptions {
            api_key: None,
            base_url: None,
            timeout_ms: None,
            max_retries: None,
            initial_backoff_ms: None,
            max_connections: None,
            proxy: None,
        });
        let mut builder = witi::Client::builder()
            .http_user_agent(concat!("witi-node/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(n) = options.max_connections {
            // A negative count becomes 0, which the core refuses as `invalid_argument`.
            builder = builder.max_connections(usize::try_from(n).unwrap_or(0));
        }
        if let Some(proxy) = options.proxy {
            builder = builder.proxy(proxy);
        }
        if let Some(ms) = options.timeout_ms {
            let timeout = witi::duration_from_millis("timeoutMs", ms);
            builder = builder.timeout(timeout.map_err(|e| error::to_napi(&e))?);
        }
        let mut policy = witi::RetryPolicy::default();
        if let Some(n) = options.max_retries {
            policy.max_retries = n;
        }
        policy.initial_backoff = millis(
            "initialBackoffMs",
            options.initial_backoff_ms,
            policy.initial_backoff,
        )?;
        let inner = builder
            .retry_policy(policy)
            .build()
            .map_err(|e| error::to_napi(&e))?;
        Ok(Client { inner })
    }

    /// The base URL every command is joined onto (always ends in `/`).
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    /// Polls `status()` until its code is one of `targets` (default timeout 60 s, poll 1 s).
    #[napi(
        catch_unwind,
        ts_args_type = "targets: StatusCode | StatusCode[], options?: WaitOptions",
        ts_return_type = "Promise<Status>"
    )]
    pub fn wait_for_status<'env>(
        &self,
        env: &'env Env,
        targets: Vec<i64>,
        timeout_ms: Option<f64>,
        poll_interval_ms: Option<f64>,
        cancel: Option<&External<CancelToken>>,
    ) -> napi::Result<Object<'env>> {
        let c = self.inner.clone();
        let targets: Vec<witi::StatusCode> = targets
            .into_iter()
            .map(witi::StatusCode::from_code)
            .collect();
        let timeout = millis("timeoutMs", timeout_ms, witi::DEFAULT_WAIT_TIMEOUT)?;
        let poll = millis(
            "pollIntervalMs",
            poll_interval_ms,
            witi::DEFAULT_POLL_INTERVAL,
        )?;
        let work = async move { c.wait_for_status(&targets, timeout, poll).await };
        promise(env, cancel, work, Status::from)
    }

    /// Pairs a phone: QR codes go to `onQr` until the status is authenticated (default
    /// timeout 5 minutes, poll 1 s). `onQr` is called without waiting for it; `index.js`
    /// cancels the flow and rejects with the callback's own error when it throws.
    #[napi(
        catch_unwind,
        ts_args_type = "options: ConnectOptions",
        ts_return_type = "Promise<Status>"
    )]
    // The arguments are index.js's, one per option of `connect({ ... })`; an object here
    // would be a second, internal options type in index.d.ts.
    #[allow(clippy::too_many_arguments)]
    pub fn connect<'env>(
        &self,
        env: &'env Env,
        on_qr: Function<'env, QrCode, UnknownReturnValue>,
        timeout_ms: Option<f64>,
        poll_interval_ms: Option<f64>,
        user_agent: Option<String>,
        restore_session: Option<bool>,
        cancel: Option<&External<CancelToken>>,
    ) -> napi::Result<Object<'env>> {
        let defaults = witi::ConnectOptions::default();
        let options = witi::ConnectOptions {
            timeout: millis("timeoutMs", timeout_ms, defaults.timeout)?,
            poll_interval: millis("pollIntervalMs", poll_interval_ms, defaults.poll_interval)?,
            user_agent,
            restore_session: restore_session.unwrap_or(defaults.restore_session),
        };
        // Weak: a pending connect is kept alive by its promise, not by the callback.
        let on_qr = on_qr
            .build_threadsafe_function::<QrCode>()
            .weak::<true>()
            .build()?;
        let c = self.inner.clone();
        let work = async move {
            let forward = move |qr: &witi::QrCode| -> Result<(), witi::CallbackError> {
                on_qr.call(qr.clone().into(), ThreadsafeFunctionCallMode::NonBlocking);
                Ok(())
            };
            c.connect_with(forward, options).await
        };
        promise(env, cancel, work, Status::from)
    }
}

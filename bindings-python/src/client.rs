//! `Client` (blocking) and `AsyncClient` (asyncio) over one `witi::Client`.
//!
//! Both take the same options and call the same core methods; they differ only in how the
//! core future is driven (`runtime::wait` on the caller's thread without the GIL, or
//! `aio::future` as an asyncio awaitable). The table's calls go through one method, `invoke`
//! (`calls.rs`); `connect` and `wait_for_status` (callbacks, durations) are written here.
//! The Python classes of `witi/_client.py` and `_calls.py` wrap these with signatures,
//! docstrings and the context-manager protocol.

use crate::calls;
use crate::error::{callback_error, to_pyerr};
use crate::model::{Outcome, ToPy};
use crate::runtime;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::future::Future;

/// The `User-Agent` header this binding sends (the WhatsApp browser name is another thing).
const HTTP_USER_AGENT: &str = concat!("witi-python/", env!("CARGO_PKG_VERSION"));

/// The constructor's options, as Python passes them.
struct Options {
    api_key: Option<String>,
    base_url: Option<String>,
    timeout: f64,
    max_retries: u32,
    initial_backoff: Option<f64>,
    max_connections: i64,
    proxy: Option<String>,
}

fn build(o: Options) -> witi::Result<witi::Client> {
    let Options {
        api_key,
        base_url,
        timeout,
        max_retries,
        initial_backoff,
        max_connections,
        proxy,
    } = o;
    let mut policy = witi::RetryPolicy {
        max_retries,
        ..witi::RetryPolicy::default()
    };
    if let Some(backoff) = initial_backoff {
        policy.initial_backoff = witi::duration_from_secs("initial_backoff", backoff)?;
    }
    let mut builder = witi::Client::builder()
        .timeout(witi::duration_from_secs("timeout", timeout)?)
        .retry_policy(policy)
        // A negative count becomes 0, which the core refuses as `invalid_argument`.
        .max_connections(usize::try_from(max_connections).unwrap_or(0))
        .http_user_agent(HTTP_USER_AGENT);
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy);
    }
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build()
}

fn new_client(py: Python<'_>, options: Options) -> PyResult<witi::Client> {
    build(options).map_err(|e| to_pyerr(py, e))
}

fn connect_options(
    timeout: f64,
    poll_interval: f64,
    user_agent: Option<String>,
    restore_session: bool,
) -> witi::Result<witi::ConnectOptions> {
    Ok(witi::ConnectOptions {
        timeout: witi::duration_from_secs("timeout", timeout)?,
        poll_interval: witi::duration_from_secs("poll_interval", poll_interval)?,
        user_agent,
        restore_session,
    })
}

fn targets(codes: Vec<i64>) -> Vec<witi::StatusCode> {
    codes.into_iter().map(witi::StatusCode::from_code).collect()
}

/// `on_qr` as the core wants it. `from_runtime` is for calls made on a runtime worker (the
/// async client): those threads enter Python through `runtime::with_python`.
///
/// The call runs in `block_in_place`: a worker hands its other tasks off before it waits for
/// the GIL, and the blocking client's thread (inside `block_on`) leaves the runtime context,
/// so that `on_qr` may itself make blocking calls (`client.status()`), which would otherwise
/// be a nested `block_on`, a tokio panic.
fn on_qr(
    callback: Py<PyAny>,
    from_runtime: bool,
) -> impl FnMut(&witi::QrCode) -> Result<(), witi::CallbackError> + Send {
    move |qr| {
        let call = |py: Python<'_>| -> PyResult<()> {
            callback.bind(py).call1((qr.to_py(py)?,))?;
            Ok(())
        };
        tokio::task::block_in_place(|| {
            if from_runtime {
                runtime::with_python(call).unwrap_or_else(|| Err(shutting_down()))
            } else {
                // The caller's own thread, a Python thread: no exit hazard.
                Python::attach(call)
            }
        })
        .map_err(callback_error)
    }
}

fn shutting_down() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("the interpreter is shutting down")
}

/// Runs a core call on the caller's thread (GIL released) and converts its outcome.
pub(crate) fn blocking<'py, T, F>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    T: ToPy + Send,
    F: Future<Output = witi::Result<T>> + Send,
{
    match runtime::wait(py, fut)? {
        Ok(value) => value.to_py(py),
        Err(e) => Err(to_pyerr(py, e)),
    }
}

/// The blocking client.
#[pyclass(frozen, module = "witi._native")]
pub struct Client {
    inner: witi::Client,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (api_key, base_url, timeout, max_retries, initial_backoff, max_connections, proxy))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: f64,
        max_retries: u32,
        initial_backoff: Option<f64>,
        max_connections: i64,
        proxy: Option<String>,
    ) -> PyResult<Self> {
        let options = Options {
            api_key,
            base_url,
            timeout,
            max_retries,
            initial_backoff,
            max_connections,
            proxy,
        };
        let inner = new_client(py, options)?;
        Ok(Client { inner })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// The table's call `name` (`calls.rs`) with every parameter, in the table's order.
    fn invoke<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        calls::invoke(&calls::Blocking, py, &self.inner, name, args)
    }

    fn wait_for_status<'py>(
        &self,
        py: Python<'py>,
        codes: Vec<i64>,
        timeout: f64,
        poll_interval: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let targets = targets(codes);
        blocking(py, async move {
            let (timeout, poll) = (
                witi::duration_from_secs("timeout", timeout)?,
                witi::duration_from_secs("poll_interval", poll_interval)?,
            );
            self.inner.wait_for_status(&targets, timeout, poll).await
        })
    }

    #[pyo3(signature = (callback, timeout, poll_interval, user_agent, restore_session))]
    fn connect<'py>(
        &self,
        py: Python<'py>,
        callback: Py<PyAny>,
        timeout: f64,
        poll_interval: f64,
        user_agent: Option<String>,
        restore_session: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        blocking(py, async move {
            let options = connect_options(timeout, poll_interval, user_agent, restore_session)?;
            self.inner
                .connect_with(on_qr(callback, false), options)
                .await
        })
    }

    fn __repr__(&self) -> String {
        format!("<witi._native.Client base_url={:?}>", self.inner.base_url())
    }
}

/// The asyncio client: every method returns an awaitable bound to the running loop.
#[pyclass(frozen, module = "witi._native")]
pub struct AsyncClient {
    inner: witi::Client,
}

/// Spawns `call(client)` on the core runtime as an awaitable.
fn spawn<'py, T, F, Fut>(
    py: Python<'py>,
    client: &witi::Client,
    call: F,
) -> PyResult<Bound<'py, PyAny>>
where
    T: ToPy + Send + 'static,
    F: FnOnce(witi::Client) -> Fut,
    Fut: Future<Output = witi::Result<T>> + Send + 'static,
{
    let fut = call(client.clone());
    crate::aio::future(py, async move { Ok(Outcome(fut.await)) })
}

#[pymethods]
impl AsyncClient {
    #[new]
    #[pyo3(signature = (api_key, base_url, timeout, max_retries, initial_backoff, max_connections, proxy))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: f64,
        max_retries: u32,
        initial_backoff: Option<f64>,
        max_connections: i64,
        proxy: Option<String>,
    ) -> PyResult<Self> {
        let options = Options {
            api_key,
            base_url,
            timeout,
            max_retries,
            initial_backoff,
            max_connections,
            proxy,
        };
        let inner = new_client(py, options)?;
        Ok(AsyncClient { inner })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    /// The table's call `name` as an awaitable (see `Client.invoke`).
    fn invoke<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        calls::invoke(&calls::Async, py, &self.inner, name, args)
    }

    fn wait_for_status<'py>(
        &self,
        py: Python<'py>,
        codes: Vec<i64>,
        timeout: f64,
        poll_interval: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let targets = targets(codes);
        spawn(py, &self.inner, |c| async move {
            let (timeout, poll) = (
                witi::duration_from_secs("timeout", timeout)?,
                witi::duration_from_secs("poll_interval", poll_interval)?,
            );
            c.wait_for_status(&targets, timeout, poll).await
        })
    }

    /// `callback` is called on a runtime thread; the Python layer makes it hop to the loop.
    #[pyo3(signature = (callback, timeout, poll_interval, user_agent, restore_session))]
    fn connect<'py>(
        &self,
        py: Python<'py>,
        callback: Py<PyAny>,
        timeout: f64,
        poll_interval: f64,
        user_agent: Option<String>,
        restore_session: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        spawn(py, &self.inner, |c| async move {
            let options = connect_options(timeout, poll_interval, user_agent, restore_session)?;
            c.connect_with(on_qr(callback, true), options).await
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<witi._native.AsyncClient base_url={:?}>",
            self.inner.base_url()
        )
    }
}

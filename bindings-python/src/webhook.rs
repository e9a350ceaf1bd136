//! `WebhookServer`: the core's PostBack receiver, calling a Python handler once per event.
//!
//! The core decodes, answers, orders and logs; this file only makes the handler a core
//! `Handler`. Each call runs on the runtime's blocking pool with the GIL (a slow handler
//! holds no runtime worker). The Python layer wraps the user's handler so that an async one
//! is awaited; a handler's exception travels back as the core's callback error, which the
//! core logs (tracing -> the `witi` logger) before it acknowledges the event and goes on.

use crate::error::{callback_error, to_pyerr};
use crate::model::ToPy;
use crate::runtime;
use pyo3::prelude::*;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use witi::webhook::{Handler, WebhookOptions};

fn handler(callback: Py<PyAny>) -> Handler {
    let callback = Arc::new(callback);
    Arc::new(move |event: witi::Event| {
        let callback = callback.clone();
        Box::pin(async move {
            let call = tokio::task::spawn_blocking(move || {
                runtime::with_python(|py| -> PyResult<()> {
                    callback.bind(py).call1((event.to_py(py)?,))?;
                    Ok(())
                })
            });
            match call.await {
                Ok(Some(done)) => done.map_err(callback_error),
                Ok(None) => Err("the interpreter is shutting down".into()),
                // A panic inside the call: hand it on as the core's panic report does.
                Err(e) => Err(Box::new(e) as witi::CallbackError),
            }
        })
    })
}

/// A running receiver; `close()` stops it and waits for the handler to finish.
#[pyclass(frozen, module = "witi._native")]
pub struct WebhookServer {
    inner: Mutex<Option<witi::webhook::WebhookServer>>,
    addr: SocketAddr,
}

#[pymethods]
impl WebhookServer {
    #[new]
    #[pyo3(signature = (callback, host, port, token, body_timeout))]
    fn new(
        py: Python<'_>,
        callback: Py<PyAny>,
        host: &str,
        port: u16,
        token: Option<String>,
        body_timeout: f64,
    ) -> PyResult<Self> {
        let ip: IpAddr = host.parse().map_err(|_| {
            to_pyerr(
                py,
                witi::Error::InvalidArgument {
                    message: format!("host must be an IP address, not {host:?}"),
                },
            )
        })?;
        let body_timeout =
            witi::duration_from_secs("body_timeout", body_timeout).map_err(|e| to_pyerr(py, e))?;
        let options = WebhookOptions {
            token,
            body_timeout,
            ..WebhookOptions::default()
        };
        let bound = runtime::wait(
            py,
            witi::webhook::WebhookServer::bind_handler(
                SocketAddr::new(ip, port),
                options,
                handler(callback),
            ),
        )?
        .map_err(|e| to_pyerr(py, e))?;
        let addr = bound.local_addr();
        Ok(WebhookServer {
            inner: Mutex::new(Some(bound)),
            addr,
        })
    }

    /// `(host, port)` actually bound.
    #[getter]
    fn address(&self) -> (String, u16) {
        (self.addr.ip().to_string(), self.addr.port())
    }

    /// `http://HOST:PORT/`.
    #[getter]
    fn url(&self) -> String {
        match self.addr {
            SocketAddr::V4(a) => format!("http://{a}/"),
            SocketAddr::V6(a) => format!("http://[{}]:{}/", a.ip(), a.port()),
        }
    }

    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// Stops accepting, finishes what was received, frees the port; idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let server = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(server) = server {
            runtime::wait(py, server.shutdown())?;
        }
        Ok(())
    }

    /// Stops without waiting (the core winds down in the background): for a caller that must
    /// not block, such as the event loop an async handler needs to finish.
    fn stop(&self) {
        drop(self.inner.lock().unwrap_or_else(|p| p.into_inner()).take());
    }

    fn __repr__(&self) -> String {
        format!("<witi.WebhookServer url={:?}>", self.url())
    }
}

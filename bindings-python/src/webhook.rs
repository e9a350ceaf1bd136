//! `WebhookServer`: the core's PostBack receiver, calling a Python handler once per event.
//!
//! The core decodes, answers, orders and logs; this file only makes the handler a core
//! `BatchHandler`: each request's events cross into Python at once (taking the GIL once per
//! request, not per event, which cost more than a hand-written receiver's whole work,
//! bench/README.md), built as `decode_postback` builds them (each status on first access).
//! The handler itself runs on a Python daemon thread owned by the Python layer
//! (`_webhook.py`'s worker), once per event, in order: a runtime thread only hands it the
//! events (briefly, with the GIL) and then waits, without the GIL and without being inside
//! Python, for the worker to call the [`HandlerDone`] it was given. So a handler that runs for long (or forever) never holds
//! the interpreter's exit (the exit hook of `runtime.rs` waits only for threads inside
//! Python), and Ctrl-C can leave a busy receiver: CPython stops its daemon threads at exit.
//! A handler's exception travels back as the core's callback error, which the core logs
//! (tracing -> the `witi` logger) before it acknowledges the event and goes on.

use crate::error::{callback_error, to_pyerr};
use crate::runtime;
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;
use witi::webhook::{BatchHandler, WebhookOptions};

/// What the handler raised, one error per event that failed.
type Outcome = Vec<witi::CallbackError>;

/// The Python worker (`submit(event, done)`, `stop()`); told to stop when the core drops the
/// handler, i.e. once the server has wound down and no event can come any more.
struct Worker(Option<Py<PyAny>>);

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(worker) = self.0.take() {
            // Off the runtime's workers: taking the GIL may wait.
            witi::runtime::handle().spawn_blocking(move || {
                runtime::with_python(|py| {
                    if let Err(e) = worker.bind(py).call_method0("stop") {
                        e.write_unraisable(py, None);
                    }
                })
            });
        }
    }
}

fn handler(worker: Py<PyAny>) -> BatchHandler {
    let worker = Arc::new(Worker(Some(worker)));
    Arc::new(move |events: Vec<witi::Event>| {
        let worker = worker.clone();
        Box::pin(async move {
            let (done, handled) = oneshot::channel::<Outcome>();
            let done = HandlerDone {
                tx: Mutex::new(Some(done)),
            };
            // A BatchHandler's events come without typed statuses: Python builds one on
            // first access from the event's text.
            let texts: Vec<_> = events
                .into_iter()
                .map(|e| witi::postback::EventText {
                    kind: e.kind,
                    json: e.json,
                    wid: e.wid,
                    id: e.id,
                })
                .collect();
            let submit = tokio::task::spawn_blocking(move || {
                runtime::with_python(|py| -> PyResult<()> {
                    let worker = worker.0.as_ref().expect("taken only when dropped");
                    let events = crate::postback::event_objects(py, texts)?;
                    worker.bind(py).call_method1("submit", (events, done))?;
                    Ok(())
                })
            });
            match submit.await {
                Ok(Some(Ok(()))) => {}
                Ok(Some(Err(e))) => return vec![callback_error(e)],
                Ok(None) => return vec!["the interpreter is shutting down".into()],
                Err(e) => return vec![Box::new(e) as witi::CallbackError],
            }
            handled
                .await
                .unwrap_or_else(|_| vec!["the handler's thread ended before the events".into()])
        })
    })
}

#[pyclass(frozen, module = "witi._native")]
pub struct HandlerDone {
    tx: Mutex<Option<oneshot::Sender<Outcome>>>,
}

#[pymethods]
impl HandlerDone {
    /// Called once, when the handler is done with every event: with what it raised.
    #[pyo3(signature = (errors))]
    fn __call__(&self, errors: Vec<Bound<'_, PyBaseException>>) {
        let outcome = errors
            .into_iter()
            .map(|e| callback_error(PyErr::from_value(e.into_any())))
            .collect();
        if let Some(tx) = self.tx.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = tx.send(outcome);
        }
    }
}

#[pyclass(frozen, module = "witi._native")]
pub struct WebhookServer {
    inner: Mutex<Option<witi::webhook::WebhookServer>>,
    addr: SocketAddr,
}

#[pymethods]
impl WebhookServer {
    #[new]
    #[pyo3(signature = (worker, host, port, token, body_timeout))]
    fn new(
        py: Python<'_>,
        worker: Py<PyAny>,
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
            witi::webhook::WebhookServer::bind_batch_handler(
                SocketAddr::new(ip, port),
                options,
                handler(worker),
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

    /// Stops accepting, finishes what was received, frees the port; idempotent. With
    /// `grace` (seconds), returns after at most that long: what is left winds down in the
    /// background, as after `stop()`.
    #[pyo3(signature = (grace=None))]
    fn close(&self, py: Python<'_>, grace: Option<f64>) -> PyResult<()> {
        let grace = grace
            .map(|g| witi::duration_from_secs("grace", g))
            .transpose()
            .map_err(|e| to_pyerr(py, e))?;
        let server = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(server) = server {
            match grace {
                None => runtime::wait(py, server.shutdown())?,
                // Dropping the unfinished `shutdown` leaves the server winding down on its own.
                Some(grace) => {
                    // The timer is made inside the future: it needs the runtime's context.
                    let shutdown =
                        async move { tokio::time::timeout(grace, server.shutdown()).await };
                    let _ = runtime::wait(py, shutdown)?;
                }
            }
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

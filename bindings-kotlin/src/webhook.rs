//! `WebhookServer`: the core's PostBack receiver, calling a Kotlin/Swift handler (a uniffi
//! callback interface), in order.
//!
//! Two handlers, one per language (`uniffi.toml` excludes the other from each):
//!
//! - Swift: [`WebhookHandler`], called once per event with an `Event` record.
//! - Kotlin: [`WebhookBatchHandler`], called once per request (or per group of requests that
//!   queued up meanwhile: `witi::webhook::BatchHandler`) with the events as the texts of
//!   `decode_postback_texts` plus their `wid`s; Witi.kt builds its `Event`s (each typed
//!   status on first access) and calls the user's handler once per event, in order. A
//!   crossing per event, each with its typed status, cost more than the hand-written JDK
//!   receiver's whole work (bench/README.md).
//!
//! The handler is the host's code and may block (a JVM callback through JNA), so each call
//! runs on tokio's blocking pool rather than on a core worker thread. A handler that throws
//! is reported by the core (a `tracing` warning) and the event is acknowledged; the server
//! keeps serving. `stop()` shuts down gracefully; `close()` / dropping the object stops it
//! without waiting.

use crate::error::WitiException;
use crate::model::Event;
use crate::runtime::on_core;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use witi::webhook::{BatchHandler, Handler, WebhookOptions};

/// Receives each PostBack event. Called on a background thread, one event at a time; the
/// next event waits until this returns.
#[uniffi::export(with_foreign)]
pub trait WebhookHandler: Send + Sync {
    fn on_event(&self, event: Event) -> Result<(), WitiException>;
}

/// Kotlin's `listen` and `WebhookServer(address, handler, token)` implement this; implement
/// `WebhookHandler` instead. Called on a background thread with the events of one request or
/// of several that queued up meanwhile, in order, as texts: `[kinds, ids, wids, json 0,
/// json 1, ...]`, those of `decodePostbackTexts` with the events' `wid`s third (`""` when
/// none has one, `=` followed by the `wid` when all have that one, else a JSON array of each
/// event's `wid` or null). The next call waits until this returns. Returns one text per event
/// whose handling failed (the receiver logs each at WARN and acknowledges the events anyway).
#[uniffi::export(with_foreign)]
pub trait WebhookBatchHandler: Send + Sync {
    fn on_events(&self, events: Vec<String>) -> Vec<String>;
}

/// A running PostBack receiver: POSTs on any path, decoded in any framing.
#[derive(uniffi::Object)]
pub struct WebhookServer {
    local_addr: SocketAddr,
    /// `None` once stopped.
    server: Mutex<Option<witi::webhook::WebhookServer>>,
}

#[uniffi::export]
impl WebhookServer {
    /// Listens on `address` (`"127.0.0.1:0"` picks a free port). With `token`, every request
    /// must carry `token=<it>` (else 401). `InvalidArgument` for an address that is not
    /// `IP:PORT`; `Connection` when the port cannot be bound.
    #[uniffi::constructor(default(token = None))]
    pub fn new(
        address: String,
        handler: Arc<dyn WebhookHandler>,
        token: Option<String>,
    ) -> Result<Arc<Self>, WitiException> {
        bind(&address, token, Dispatch::Each(core_handler(handler)))
    }

    /// Kotlin's `listen` calls this; use `listen`. The constructor's receiver, calling
    /// `handler` once per request (or group of requests) instead of once per event; the same
    /// errors.
    #[uniffi::constructor(default(token = None))]
    pub fn with_batch_handler(
        address: String,
        handler: Arc<dyn WebhookBatchHandler>,
        token: Option<String>,
    ) -> Result<Arc<Self>, WitiException> {
        bind(
            &address,
            token,
            Dispatch::Batch(core_batch_handler(handler)),
        )
    }

    /// `http://IP:PORT/` of the bound address.
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// The port actually bound.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }
}

export_async! {
impl WebhookServer {
    /// Stops gracefully: no new requests, in-flight ones finish, every received event has
    /// been handled, the port is free. Calling it again does nothing.
    pub async fn stop(&self) {
        // A poisoned lock only means a panic elsewhere while it was held; the Option is whole.
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(server) = server {
            on_core(server.shutdown()).await;
        }
    }
}
}

/// Which of the core's handler shapes a server calls.
enum Dispatch {
    Each(Handler),
    Batch(BatchHandler),
}

/// The constructors' common part.
fn bind(
    address: &str,
    token: Option<String>,
    handler: Dispatch,
) -> Result<Arc<WebhookServer>, WitiException> {
    let addr: SocketAddr = address
        .trim()
        .parse()
        .map_err(|_| WitiException::InvalidArgument {
            code: witi::ErrorCode::InvalidArgument.as_str().to_owned(),
            detail: format!("invalid argument: {address:?} is not an IP:PORT address"),
        })?;
    let options = WebhookOptions {
        token,
        ..WebhookOptions::default()
    };
    use witi::webhook::WebhookServer as Core;
    // Binding is immediate (no IO to wait for), so the constructor can stay synchronous.
    let server = witi::runtime::block_on(async move {
        match handler {
            Dispatch::Each(handler) => Core::bind_handler(addr, options, handler).await,
            Dispatch::Batch(handler) => Core::bind_batch_handler(addr, options, handler).await,
        }
    })?;
    Ok(Arc::new(WebhookServer {
        local_addr: server.local_addr(),
        server: Mutex::new(Some(server)),
    }))
}

/// The core's handler shape around the host's callback.
fn core_handler(handler: Arc<dyn WebhookHandler>) -> Handler {
    Arc::new(move |event: witi::Event| {
        let handler = handler.clone();
        Box::pin(async move {
            let outcome = tokio::task::spawn_blocking(move || handler.on_event(event.into()))
                .await
                .map_err(|e| Box::new(e) as witi::CallbackError)?;
            outcome.map_err(|e| Box::new(e) as witi::CallbackError)
        })
    })
}

/// The core's batch handler shape around the host's batch callback: one crossing per call.
fn core_batch_handler(handler: Arc<dyn WebhookBatchHandler>) -> BatchHandler {
    Arc::new(move |events: Vec<witi::Event>| {
        let handler = handler.clone();
        Box::pin(async move {
            let texts = batch_texts(events);
            match tokio::task::spawn_blocking(move || handler.on_events(texts)).await {
                Ok(failures) => failures.into_iter().map(Into::into).collect(),
                // The callback panicked (uniffi turns a host exception into a panic here).
                Err(e) => vec![Box::new(e) as witi::CallbackError],
            }
        })
    })
}

/// `[kinds, ids, wids, json 0, json 1, ...]`: see [`WebhookBatchHandler`]. The core has built
/// each status; Kotlin builds it again from the same text on first access, which costs less
/// than carrying every one across.
fn batch_texts(events: Vec<witi::Event>) -> Vec<String> {
    let wids = wids(&events);
    let texts = events
        .into_iter()
        .map(|e| witi::postback::EventText {
            kind: e.kind,
            json: e.json,
            wid: None,
            id: e.id,
        })
        .collect();
    let mut parts = crate::postback::texts(texts);
    parts.insert(2, wids);
    parts
}

/// The `wids` part of [`batch_texts`].
fn wids(events: &[witi::Event]) -> String {
    let first = events.first().and_then(|e| e.wid.as_deref());
    if events.iter().all(|e| e.wid.as_deref() == first) {
        return first.map_or_else(String::new, |w| format!("={w}"));
    }
    let each: Vec<Option<&str>> = events.iter().map(|e| e.wid.as_deref()).collect();
    // A list of strings and nulls always serializes.
    serde_json::to_string(&each).unwrap_or_else(|_| String::from("[]"))
}

//! `WebhookServer`: the core's PostBack receiver, calling a Kotlin/Swift handler (a uniffi
//! callback interface) once per event, in order.
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
use witi::webhook::{Handler, WebhookOptions};

/// Receives each PostBack event. Called on a background thread, one event at a time; the
/// next event waits until this returns.
#[uniffi::export(with_foreign)]
pub trait WebhookHandler: Send + Sync {
    fn on_event(&self, event: Event) -> Result<(), WitiException>;
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
        let addr: SocketAddr =
            address
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
        // Binding is immediate (no IO to wait for), so the constructor can stay synchronous.
        let server = witi::runtime::block_on(witi::webhook::WebhookServer::bind_handler(
            addr,
            options,
            core_handler(handler),
        ))?;
        Ok(Arc::new(WebhookServer {
            local_addr: server.local_addr(),
            server: Mutex::new(Some(server)),
        }))
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

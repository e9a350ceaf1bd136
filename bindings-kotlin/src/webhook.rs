//! `WebhookServer`: the core's PostBack receiver, handing each event to Kotlin/Swift code, in
//! order.
//!
//! Two ways, one per language (`uniffi.toml` excludes the other from each):
//!
//! - Swift: [`WebhookHandler`], a uniffi callback interface called once per event with an
//!   `Event` record. The handler is the host's code and may block, so each call runs on
//!   tokio's blocking pool rather than on a core worker thread.
//! - Kotlin: [`WebhookServer::with_queue`]. The core gives each request's events (or those of
//!   the requests that queued up meanwhile: `witi::webhook::BatchHandler`) to a queue, and a
//!   Kotlin thread of the server's own takes them with two plain C functions
//!   ([`witi_kotlin_webhook_next`], [`witi_kotlin_webhook_done`], called through JNA's direct
//!   mapping like `direct.rs`), builds its `Event`s (each typed status on first read) and
//!   calls the user's handler once per event, in order. A uniffi callback per event, or even
//!   per request, costs more on the JVM than the hand-written JDK receiver's whole work; and
//!   the core decodes no status for a `BatchHandler`, so none is built twice.
//!
//! A handler that throws is reported by the core (a `tracing` warning) and the event is
//! acknowledged; the server keeps serving. `stop()` shuts down gracefully; `close()` / dropping
//! the object stops it without waiting.

use crate::direct::{Answer, Events, answer, bytes};
use crate::error::WitiException;
use crate::model::Event;
use crate::runtime::on_core;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, mpsc};
use tokio::sync::oneshot;
use witi::webhook::{BatchHandler, Handler, WebhookOptions};

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
    /// The queue Kotlin's thread takes events from ([`WebhookServer::with_queue`]); 0 for none.
    queue: u64,
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
        let server = bind(&address, token, Dispatch::Each(core_handler(handler)))?;
        Ok(Arc::new(WebhookServer::from_core(server, 0)))
    }

    /// Kotlin's `listen` calls this; use `listen`. As the constructor, but the events wait in
    /// a queue (its number is `queue()`) for a thread of the caller's to take them (each
    /// request is answered once they are handled): start that thread at once.
    #[uniffi::constructor(default(token = None))]
    pub fn with_queue(address: String, token: Option<String>) -> Result<Arc<Self>, WitiException> {
        let (sender, receiver) = mpsc::channel::<Batch>();
        let server = bind(&address, token, Dispatch::Texts(queue_handler(sender)))?;
        let id = NEXT_QUEUE.fetch_add(1, Ordering::Relaxed);
        queues().insert(id, Arc::new(Queue::new(receiver)));
        Ok(Arc::new(WebhookServer::from_core(server, id)))
    }

    /// Kotlin's `listen` reads this: the number of the queue of a server made by `withQueue`,
    /// 0 for one made by the constructor. (An `i64`, Kotlin's `Long`, as the C functions take.)
    pub fn queue(&self) -> i64 {
        i64::try_from(self.queue).unwrap_or(0)
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

impl WebhookServer {
    fn from_core(server: witi::webhook::WebhookServer, queue: u64) -> Self {
        WebhookServer {
            local_addr: server.local_addr(),
            server: Mutex::new(Some(server)),
            queue,
        }
    }
}

/// Which of the core's handler shapes a server calls.
enum Dispatch {
    Each(Handler),
    /// Each event's status left out (Kotlin builds it from the text when read).
    Texts(BatchHandler),
}

/// The constructors' common part.
fn bind(
    address: &str,
    token: Option<String>,
    handler: Dispatch,
) -> Result<witi::webhook::WebhookServer, WitiException> {
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
            Dispatch::Texts(handler) => Core::bind_batch_handler(addr, options, handler).await,
        }
    })?;
    Ok(server)
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

/// Events given to Kotlin's thread, and where it says it is done with them (one text per
/// event that failed).
struct Batch {
    events: Vec<witi::Event>,
    done: oneshot::Sender<Vec<String>>,
}

/// The core's batch handler shape around a queue: each call waits until Kotlin's thread says
/// it is done. When the server ends, the core drops this handler and with it the sender: the
/// thread then learns the queue is closed.
fn queue_handler(sender: mpsc::Sender<Batch>) -> BatchHandler {
    Arc::new(move |events: Vec<witi::Event>| {
        let (done, handled) = oneshot::channel();
        let sent = sender.send(Batch { events, done });
        Box::pin(async move {
            if sent.is_err() {
                return vec![
                    "the Kotlin receiver thread is gone; the events were not handled".into(),
                ];
            }
            match handled.await {
                Ok(failures) => failures.into_iter().map(Into::into).collect(),
                Err(_) => {
                    vec!["the Kotlin receiver thread ended before handling the events".into()]
                }
            }
        })
    })
}

/// One server's queue, as Kotlin's thread sees it.
struct Queue {
    batches: Mutex<mpsc::Receiver<Batch>>,
    /// Where to say the batch last taken is done.
    done: Mutex<Option<oneshot::Sender<Vec<String>>>>,
}

impl Queue {
    fn new(batches: mpsc::Receiver<Batch>) -> Self {
        Queue {
            batches: Mutex::new(batches),
            done: Mutex::new(None),
        }
    }
}

/// The queues by number (a number, not a pointer, crosses to Kotlin: a wrong one is only
/// an unknown queue).
static QUEUES: LazyLock<Mutex<HashMap<u64, Arc<Queue>>>> = LazyLock::new(Default::default);
static NEXT_QUEUE: AtomicU64 = AtomicU64::new(1);

fn queues() -> std::sync::MutexGuard<'static, HashMap<u64, Arc<Queue>>> {
    // A poisoned lock only means a panic elsewhere while it was held; the map is whole.
    QUEUES.lock().unwrap_or_else(|p| p.into_inner())
}

/// What [`witi_kotlin_webhook_next`] answers: the events, or that the queue is closed.
enum Next {
    Events(Vec<witi::Event>),
    Closed,
}

impl Answer for Next {
    fn size(&self) -> usize {
        match self {
            Next::Events(events) => {
                1 + Events::size_of(events.iter().map(|e| (e.id.as_str(), e.json.as_str())))
                    + events
                        .iter()
                        .map(|e| 4 + e.wid.as_ref().map_or(0, String::len))
                        .sum::<usize>()
            }
            Next::Closed => 1,
        }
    }

    /// `1` when closed; else `0`, the events as `direct.rs`' `Events`, then each event's `wid`:
    /// its length in bytes (`i32`, big-endian) and its UTF-8, or the length -1 for none and
    /// -2 for the previous event's.
    fn write(self, out: &mut Vec<u8>) {
        let Next::Events(events) = self else {
            out.push(1);
            return;
        };
        out.push(0);
        Events::write_of(&events, |e| (e.kind, &e.id, &e.json), out);
        let mut previous: Option<&str> = None;
        for (i, event) in events.iter().enumerate() {
            let wid = event.wid.as_deref();
            match wid {
                _ if i > 0 && wid == previous => out.extend_from_slice(&(-2i32).to_be_bytes()),
                None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                Some(w) => {
                    out.extend_from_slice(&crate::direct::len_i32(w.len()).to_be_bytes());
                    out.extend_from_slice(w.as_bytes());
                }
            }
            previous = wid;
        }
    }
}

/// Kotlin's receiver thread: waits for the next events of the queue `queue`
/// (`WebhookServer.queue()`) and answers them (see `Next::write`), or that the queue is closed
/// (its server ended, or no such queue); free the answer with `witi_kotlin_free`. Call
/// [`witi_kotlin_webhook_done`] once done with the events, before calling this again.
#[unsafe(no_mangle)]
pub extern "C" fn witi_kotlin_webhook_next(queue: i64) -> i64 {
    answer(|| {
        let id = u64::try_from(queue).unwrap_or(0);
        let Some(found) = queues().get(&id).cloned() else {
            return Ok(Next::Closed);
        };
        let batch = found
            .batches
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recv();
        match batch {
            Ok(batch) => {
                *found.done.lock().unwrap_or_else(|p| p.into_inner()) = Some(batch.done);
                Ok(Next::Events(batch.events))
            }
            // The server ended and dropped its handler: no more events, ever.
            Err(mpsc::RecvError) => {
                queues().remove(&id);
                Ok(Next::Closed)
            }
        }
    })
}

/// Kotlin's receiver thread is leaving (its loop ended, normally or by a throw it could not
/// report): the queue is forgotten, so that the core is never left waiting for it. A batch
/// it took and did not finish, and any sent later, then fail as "thread ended" / "thread is
/// gone" (logged), and their requests are answered, instead of waiting forever.
#[unsafe(no_mangle)]
pub extern "C" fn witi_kotlin_webhook_abandon(queue: i64) {
    let _ = std::panic::catch_unwind(|| {
        let id = u64::try_from(queue).unwrap_or(0);
        if let Some(found) = queues().remove(&id) {
            drop(found.done.lock().unwrap_or_else(|p| p.into_inner()).take());
        }
    });
}

/// Kotlin's receiver thread is done with the events [`witi_kotlin_webhook_next`] gave last:
/// `failures` is `failures_len` bytes, each failure's text as its length in bytes (`i32`,
/// big-endian) and its UTF-8 (none: zero bytes). The receiver logs each at WARN.
///
/// # Safety
/// `failures` points to `failures_len` readable bytes (any pointer when it is 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn witi_kotlin_webhook_done(
    queue: i64,
    failures: *const u8,
    failures_len: i32,
) {
    // SAFETY: the caller's contract above.
    let mut rest = unsafe { bytes(failures, failures_len) };
    let _ = std::panic::catch_unwind(move || {
        let mut texts = Vec::new();
        while let Some((len, tail)) = rest.split_first_chunk::<4>() {
            let len = usize::try_from(i32::from_be_bytes(*len))
                .unwrap_or(0)
                .min(tail.len());
            texts.push(String::from_utf8_lossy(&tail[..len]).into_owned());
            rest = &tail[len..];
        }
        let id = u64::try_from(queue).unwrap_or(0);
        let Some(found) = queues().get(&id).cloned() else {
            return;
        };
        let done = found.done.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(done) = done {
            // The core stopped waiting only if the server was dropped meanwhile.
            let _ = done.send(texts);
        }
    });
}

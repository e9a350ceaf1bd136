//! The PostBack receiver: a small HTTP server that decodes PostBacks and calls a handler once
//! per event, in order.
//!
//! It lives in core so that every binding shares one receiver, with one set of limits and one
//! answer to each hostile request. What it does, and why:
//!
//! - POST on **any** path: the gateway appends `&wid=<WebID>` to the registered URL with no
//!   `?`, so the path it calls is not the one the user registered. Other methods get 405.
//! - With [`WebhookOptions::token`] set, a `token` parameter must match (constant-time
//!   compare), else 401. It is looked for in the query string and, because of the same quirk,
//!   in the `&`-separated part of the path (a URL registered as `http://host/hook&token=...`).
//! - Bodies over [`PostbackLimits::max_body_bytes`] get 413 (from `Content-Length` before
//!   reading, or while streaming a chunked body, which then stops being read); a body not in
//!   full within [`WebhookOptions::body_timeout`] gets 408; a body that does not decode gets
//!   400 with the decoder's short reason (it never quotes the body).
//! - `Content-Encoding: gzip`/`deflate` bodies are decoded under the same caps; any other
//!   coding gets 415 naming it.
//! - What a request holds (its body, its decoded body, its events until they are handled) is
//!   drawn from the process-wide decoding budget (`crate::postback::set_decode_budget`); a
//!   request that cannot get it gets 503 with `Retry-After: 1`, and the gateway re-sends.
//! - Every event gets the request's `wid` (query, or `&wid=` at the end of the path).
//! - Events go to the handler one at a time, in order of arrival across all requests: one
//!   dispatcher task reads a queue that every request feeds. A request is answered 200 once
//!   the handler has finished with each of its events, so a 200 means "handled". (A
//!   [`BatchHandler`] is given the requests that queued up while it was busy in one call, and
//!   each of them is answered when that call ends.)
//! - A redelivery (the same events for the same `wid`, see `redelivery`) never runs the handler
//!   again: it waits for the first delivery's handling, or, within
//!   [`WebhookOptions::redelivery_window`] after it, is answered 200 at once.
//! - A handler that fails or panics is logged (`tracing::warn!`) and the request still gets
//!   200. The gateway resends a whole batch on a non-2xx answer, so failing the request would
//!   deliver again every event of the batch that *was* handled; the handler is the one place
//!   that knows how to retry its own work.
//! - Logs (`tracing`, debug per request) never contain the path or query: they carry the
//!   token and the `wid`, which is the instance's key.

mod catch;
mod encoding;
mod redelivery;
mod request;

use crate::error::{CallbackError, Error, Result};
use crate::postback::{Detail, Event, Grant, PostbackLimits};
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinHandle;

/// A boxed, sendable future (the shape of `futures::future::BoxFuture`, without the crate).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The event handler, as bindings build it: called once per event; the next event waits until
/// the returned future completes.
pub type Handler =
    Arc<dyn Fn(Event) -> BoxFuture<'static, std::result::Result<(), CallbackError>> + Send + Sync>;

/// The handler of one request's events at once, in order, for bindings whose every call
/// crosses to another thread (a JS event loop, Python's GIL): one crossing per request
/// instead of one per event, and one for several requests when they queued up while it was
/// busy (at most [`MERGE_EVENTS`] events, each request whole, in order; the events may then
/// carry different `wid`s). It calls the user's handler once per event, in order, each after
/// the previous one has finished, and returns the failures (one per event that failed), which
/// the receiver logs like a [`Handler`]'s.
pub type BatchHandler =
    Arc<dyn Fn(Vec<Event>) -> BoxFuture<'static, Vec<CallbackError>> + Send + Sync>;

/// Who gets the events: one call per event, or one per request.
enum Dispatch {
    Each(Handler),
    Batch(BatchHandler),
}

/// Wraps an `async` closure (`|event| async move { ...; Ok(()) }`) as a [`Handler`].
pub fn handler_fn<F, Fut>(f: F) -> Handler
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<(), CallbackError>> + Send + 'static,
{
    Arc::new(move |event| Box::pin(f(event)))
}

/// How many decoded requests may wait for the dispatcher before further requests wait to
/// enqueue (backpressure instead of unbounded memory when the handler is slow).
const QUEUE: usize = 64;

/// What the receiver accepts.
#[derive(Clone)]
pub struct WebhookOptions {
    /// When set, every request must carry `token=<this>`; else 401.
    pub token: Option<String>,
    /// Body size, decompressed size and event count bounds, per request.
    pub limits: PostbackLimits,
    /// How long a client may take to send a whole body; then 408. Default 30 s.
    pub body_timeout: Duration,
    /// Connections served at once; further ones wait in the kernel's backlog until one
    /// closes, so a flood of idle connections cannot exhaust file descriptors. Default 1024.
    pub max_connections: usize,
    /// How long after its events were handled a repeated delivery (the same events for the
    /// same `wid`, see [`Event::id`]) is still recognised as a redelivery and answered 200
    /// without running the handler again. A repeat while the first is still being handled
    /// always waits for it instead. Default 60 s; zero turns recognition off.
    pub redelivery_window: Duration,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            token: None,
            limits: PostbackLimits::default(),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            redelivery_window: Duration::from_secs(60),
        }
    }
}

/// Hand-written so the token never shows in logs or panics.
impl fmt::Debug for WebhookOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookOptions")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("limits", &self.limits)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("redelivery_window", &self.redelivery_window)
            .finish()
    }
}

/// A running receiver. Dropping it stops it (like [`WebhookServer::shutdown`], but without
/// waiting); keep it alive as long as events should be received.
pub struct WebhookServer {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for WebhookServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl WebhookServer {
    /// Listens on `addr` (port 0 picks a free port) and calls `handler` for each event.
    ///
    /// ```no_run
    /// # async fn demo() -> witi::Result<()> {
    /// use witi::webhook::{WebhookOptions, WebhookServer};
    /// let server = WebhookServer::bind("0.0.0.0:8080".parse().unwrap(), WebhookOptions::default(),
    ///     |event| async move {
    ///         println!("{}: {}", event.kind, event.json);
    ///         Ok(())
    ///     }).await?;
    /// # server.shutdown().await; Ok(()) }
    /// ```
    pub async fn bind<F, Fut>(addr: SocketAddr, options: WebhookOptions, handler: F) -> Result<Self>
    where
        F: Fn(Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), CallbackError>> + Send + 'static,
    {
        Self::bind_handler(addr, options, handler_fn(handler)).await
    }

    /// [`WebhookServer::bind`] with an already boxed [`Handler`] (what bindings use).
    ///
    /// Runs on the current tokio runtime, or on [`crate::runtime`]'s when called outside one.
    /// A failure to listen (port taken, no permission, address not on this host) is
    /// [`Error::Connection`]: it is the network stack's state, which may change (free the
    /// port, pick another), not malformed input, which the `SocketAddr` type already rules out.
    pub async fn bind_handler(
        addr: SocketAddr,
        options: WebhookOptions,
        handler: Handler,
    ) -> Result<Self> {
        Self::bind_dispatch(addr, options, Dispatch::Each(handler), Detail::Full).await
    }

    /// [`WebhookServer::bind_handler`] with a [`BatchHandler`]: the same receiver (limits,
    /// order, redeliveries, answers), the handler given each request's events at once.
    pub async fn bind_batch_handler(
        addr: SocketAddr,
        options: WebhookOptions,
        handler: BatchHandler,
    ) -> Result<Self> {
        Self::bind_dispatch(addr, options, Dispatch::Batch(handler), Detail::Full).await
    }

    /// [`WebhookServer::bind_batch_handler`] for a handler that reads no [`Event::status`]:
    /// each event's `status` is left `None` (its `kind` still says whether it is connection
    /// information; [`crate::postback::event_status`] builds the status from its `json`, the
    /// same one). For a binding that builds a status only when its user reads one (Kotlin's):
    /// a receiver then decodes a batch of status events in about 40% less time.
    pub async fn bind_text_batch_handler(
        addr: SocketAddr,
        options: WebhookOptions,
        handler: BatchHandler,
    ) -> Result<Self> {
        Self::bind_dispatch(addr, options, Dispatch::Batch(handler), Detail::Kind).await
    }

    async fn bind_dispatch(
        addr: SocketAddr,
        options: WebhookOptions,
        handler: Dispatch,
        detail: Detail,
    ) -> Result<Self> {
        let runtime =
            tokio::runtime::Handle::try_current().unwrap_or_else(|_| crate::runtime::handle());
        let listener = {
            // Registering the socket with the reactor needs the runtime's context.
            let _entered = runtime.enter();
            listen(addr).map_err(|e| Error::Connection {
                command: "webhook",
                message: format!("could not listen on {addr}: {e}"),
            })?
        };
        let local_addr = listener.local_addr().map_err(|e| Error::Connection {
            command: "webhook",
            message: format!("could not read the listening address: {e}"),
        })?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        let dispatcher = runtime.spawn(dispatch(queue, handler));
        let shared = Arc::new(Shared {
            token: options.token,
            limits: options.limits,
            detail,
            body_timeout: options.body_timeout,
            jobs,
            deliveries: redelivery::Deliveries::new(options.redelivery_window),
            decoders: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            )),
        });
        let (stop, stopped) = watch::channel(false);
        let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
        let task = runtime.spawn(serve(listener, shared, slots, stopped, dispatcher));
        tracing::debug!(%local_addr, "webhook receiver listening");
        Ok(WebhookServer {
            local_addr,
            stop,
            task: Some(task),
        })
    }

    /// The address actually bound (with the real port when 0 was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://IP:PORT/`. For the PostBack URL, use the address the gateway can reach (this
    /// shows `0.0.0.0` when bound to all interfaces).
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// Stops gracefully: stops accepting, closes idle connections, lets in-flight requests
    /// finish (a body still arriving gets at most `body_timeout`) and waits until the handler
    /// is done with every event already received. The port is free when this returns.
    /// A handler that never completes keeps this waiting.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        // The serve task sees this and winds down on its own, as in `shutdown`.
        self.stop.send_replace(true);
    }
}

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // So a restarted receiver can take its port back while old connections sit in TIME_WAIT.
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// What every connection shares.
struct Shared {
    token: Option<String>,
    limits: PostbackLimits,
    /// How much of each event the decode builds (statuses or not).
    detail: Detail,
    body_timeout: Duration,
    /// The dispatcher's queue; the dispatcher ends when the last clone is gone.
    jobs: mpsc::Sender<Job>,
    /// Deliveries being handled or handled recently, to recognise a redelivery.
    deliveries: redelivery::Deliveries,
    /// One permit per CPU: the large bodies decoded on the blocking pool at once (more only
    /// thrash the caches and hold more decoded batches in memory).
    decoders: Arc<Semaphore>,
}

/// One request's events, and how to tell the request they are handled.
struct Job {
    events: Vec<Event>,
    /// What the events cost of the decoding budget, given back once they are handled.
    grant: Grant,
    /// Told when the events are handled (a redelivery of them waits on it too).
    done: watch::Sender<Option<Instant>>,
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which only happens after it said stop.
    let _ = stop.wait_for(|stop| *stop).await;
}

async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    slots: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
    dispatcher: JoinHandle<()>,
) {
    // Each connection task holds a clone; `recv` returns `None` once they have all ended.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    loop {
        // A free connection slot first: at the cap, new connections wait in the backlog.
        let slot = tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed; ends the loop rather than spin
            },
        };
        tokio::select! {
            biased;
            () = stopped(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let (shared, stop, alive) = (shared.clone(), stop.clone(), alive.clone());
                    tokio::spawn(async move {
                        request::connection(stream, shared, stop, alive).await;
                        drop(slot);
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "webhook receiver: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    drop(alive);
    let _ = all_closed.recv().await;
    // The last queue sender: the dispatcher finishes what is queued, then ends.
    drop(shared);
    let _ = dispatcher.await;
    tracing::debug!("webhook receiver stopped");
}

/// The most events one [`BatchHandler`] call is given when requests have queued up while it
/// was busy: they are merged into one call (one crossing into the binding's language instead
/// of one per request, which is most of what a binding's receiver spends on one-event bodies:
/// bench/README.md). A request's answer then waits for the whole merged call, so the merge
/// stays small; a request is never split, and one larger than this goes alone.
pub const MERGE_EVENTS: usize = 256;

/// The one task that calls the handler, so events are handled one at a time, in order. The
/// handler runs in this task, its panics caught (`catch`): a task per event cost more than a
/// cheap handler.
async fn dispatch(mut queue: mpsc::Receiver<Job>, handler: Dispatch) {
    // A request taken from the queue that did not fit in the previous merged call.
    let mut held: Option<Job> = None;
    loop {
        let job = match held.take() {
            Some(job) => job,
            None => match queue.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        match &handler {
            Dispatch::Each(handler) => {
                let mut job = job;
                for event in std::mem::take(&mut job.events) {
                    let kind = event.kind.as_str();
                    match catch::CatchUnwind::new(|| handler(event)).await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => failed(&e, kind),
                        Err(payload) => panicked(payload.as_ref(), kind),
                    }
                }
                job.handled();
            }
            Dispatch::Batch(handler) => {
                let mut jobs = vec![job];
                let mut count = jobs[0].events.len();
                while count < MERGE_EVENTS {
                    match queue.try_recv() {
                        Ok(next) if count + next.events.len() <= MERGE_EVENTS => {
                            count += next.events.len();
                            jobs.push(next);
                        }
                        Ok(next) => {
                            held = Some(next);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                let mut events = Vec::with_capacity(count);
                for job in &mut jobs {
                    events.append(&mut job.events);
                }
                match catch::CatchUnwind::new(|| handler(events)).await {
                    Ok(failures) => failures.iter().for_each(|e| failed(e, "batch")),
                    Err(payload) => panicked(payload.as_ref(), "batch"),
                }
                jobs.into_iter().for_each(Job::handled);
            }
        }
    }
}

impl Job {
    /// Gives the request's budget back and tells it (and any redelivery) it is handled.
    fn handled(self) {
        drop(self.grant);
        self.done.send_replace(Some(Instant::now()));
    }
}

fn failed(error: &CallbackError, kind: &str) {
    tracing::warn!(
        error = %error,
        kind,
        "webhook handler failed; the event is acknowledged anyway"
    );
}

fn panicked(payload: &(dyn std::any::Any + Send), kind: &str) {
    tracing::warn!(
        panic = panic_text(payload),
        kind,
        "webhook handler panicked; the event is acknowledged anyway"
    );
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(not a string)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_debug_hides_the_token() {
        let options = WebhookOptions {
            token: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{options:?}").contains("hunter2"));
    }
}

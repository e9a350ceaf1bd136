//! The HTTP/1.1 server: accept loop, per-connection hyper service, routing of the commands
//! and fault application. The hot path (status.aspx without faults) takes one lock
//! and allocates only its answer.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::command::Command;
use crate::config::{Settings, SimConfig, SimError};
use crate::faults::{FaultKind, FaultStore, HTML_PAGE};
use crate::messages::FileRequest;
use crate::state::{Ctx, Instance, Registry};
use crate::wire;

pub(crate) type Resp = Response<Full<Bytes>>;
pub(crate) const JSON: &str = "application/json; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
/// Longest accepted `wid`; longer ones are refused like an empty one.
const MAX_KEY_LEN: usize = 512;
/// Largest body accepted by the POST commands but send_message_file.aspx.
const API_BODY_LIMIT: usize = 64 * 1024;
/// Largest body of send_message_file.aspx: inline files up to about 6 MiB (base64 is 4/3 of
/// the bytes). The data is hashed and dropped, never stored.
const FILE_BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Everything the server and the control API share.
pub(crate) struct Shared {
    registry: Mutex<Registry>,
    pub faults: FaultStore,
    pub ctx: Ctx,
    /// The defaults given at start, restored by /_sim/reset.
    pub initial_defaults: Settings,
}

impl Shared {
    pub(crate) fn new(config: &SimConfig, ctx: Ctx) -> Self {
        Shared {
            registry: Mutex::new(Registry {
                instances: Default::default(),
                defaults: config.defaults.clone(),
                max_instances: config.max_instances,
            }),
            faults: FaultStore::default(),
            ctx,
            initial_defaults: config.defaults.clone(),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Registry> {
        // Instance methods do not panic midway through an update; if one ever did, serving the
        // state as left is better than poisoning every later request.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on `key`'s instance (created when `create`), after applying due transitions,
    /// then makes sure a timer covers its next deadline.
    pub(crate) fn with_instance<T>(
        self: &Arc<Self>,
        key: &str,
        create: bool,
        f: impl FnOnce(&mut Instance, &Ctx) -> T,
    ) -> Result<T, SimError> {
        let mut reg = self.lock();
        let inst = if create {
            reg.get_or_create(key)?
        } else {
            reg.instances
                .get_mut(key)
                .ok_or(SimError::UnknownInstance)?
        };
        inst.advance(Instant::now(), &self.ctx);
        let out = f(inst, &self.ctx);
        arm(self, key, inst);
        Ok(out)
    }
}

/// Spawns a timer for the instance's next deadline unless one already sleeps for an earlier
/// or equal time (which will re-arm for later deadlines when it fires).
fn arm(shared: &Arc<Shared>, key: &str, inst: &mut Instance) {
    let Some(deadline) = inst.next_deadline() else {
        return;
    };
    if inst.armed.is_some_and(|a| a <= deadline) {
        return;
    }
    inst.armed = Some(deadline);
    let weak = Arc::downgrade(shared);
    let key = key.to_owned();
    let mut shutdown = shared.ctx.shutdown.clone();
    shared.ctx.handle.spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep_until(deadline.into()) => {}
            _ = crate::stopped(&mut shutdown) => return,
        }
        if let Some(shared) = weak.upgrade() {
            // The instance may be gone (reset): nothing to do then.
            let _ = shared.with_instance(&key, false, |inst, _| {
                if inst.armed == Some(deadline) {
                    inst.armed = None;
                }
            });
        }
    });
}

/// Accepts connections until shutdown, then gives open ones a moment to finish.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small request/answer exchanges: Nagle would add latency to each.
                    let _ = stream.set_nodelay(true);
                    conns.spawn(serve_conn(stream, shared.clone(), shutdown.clone()));
                }
                Err(e) => {
                    // E.g. out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = crate::stopped(&mut shutdown) => break,
        }
    }
    drop(listener);
    let drain = async { while conns.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    conns.abort_all();
}

async fn serve_conn(stream: TcpStream, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: reset.clone(),
    });
    let svc = service_fn(move |req| handle(shared.clone(), reset.clone(), req));
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).keep_alive(true);
    let conn = builder.serve_connection(io, svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = crate::stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.as_mut()).await;
        }
    }
}

/// A TCP stream that, when flagged, closes with SO_LINGER 0 so the peer sees a reset
/// (ECONNRESET), not an orderly end of stream.
struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Acquire) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Returned by the service to make hyper drop the connection without answering.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (fault injection)")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) fn respond(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

fn api_error(status: u16, error: &str) -> Resp {
    let body = wire::to_json(&wire::ErrorAnswer {
        status: 0,
        error,
        ttl: None,
    });
    respond(status, JSON, body)
}

/// Where the control API starts in a path: `/_sim/...`, also under a prefix.
fn control_path(path: &str) -> Option<&str> {
    if let Some(rest) = path.strip_prefix("/_sim/") {
        return Some(rest);
    }
    path.find("/_sim/").map(|i| &path[i + "/_sim/".len()..])
}

async fn handle(
    shared: Arc<Shared>,
    reset: Arc<AtomicBool>,
    req: Request<Incoming>,
) -> Result<Resp, DropConnection> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    if let Some(rest) = control_path(path) {
        return Ok(crate::control::handle(&shared, &parts, rest, body).await);
    }
    // Route by the last segment so that base URLs with a path prefix work.
    let segment = path.rsplit('/').next().unwrap_or("");
    let Some(cmd) = Command::from_path_segment(segment) else {
        return Ok(api_error(404, "Unknown command"));
    };
    let expected = if cmd.is_post() {
        Method::POST
    } else {
        Method::GET
    };
    if parts.method != expected {
        let mut resp = api_error(405, &format!("Method not allowed: use {expected}"));
        let allow = if cmd.is_post() { "POST" } else { "GET" };
        resp.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
        return Ok(resp);
    }
    let key = match wire::query_param(parts.uri.query(), "wid") {
        Some(k) if k.len() <= MAX_KEY_LEN => k,
        _ => return Ok(api_error(401, "Invalid wid")),
    };
    let base = if cmd.needs_base_url() {
        base_url(&parts, path)
    } else {
        String::new()
    };
    let Some(fault) = shared.faults.take(cmd, &key) else {
        return Ok(execute(&shared, cmd, &key, body, true, &base).await);
    };
    // Faulted calls still count, whether or not the command then runs.
    if let Err(e) = shared.with_instance(&key, true, |inst, _| inst.count_call(cmd)) {
        return Ok(api_error(e.http_status(), &e.to_string()));
    }
    let mut shutdown = shared.ctx.shutdown.clone();
    let status = |default: u16| fault.status.unwrap_or(default);
    // after_handling: the command runs first (its effects happen); the fault then delays,
    // replaces or withholds its answer. A truncated answer always needs the real one.
    let pending = if fault.after_handling || fault.kind == FaultKind::Truncated {
        Pending::Ran(execute(&shared, cmd, &key, body, false, &base).await)
    } else {
        Pending::NotYet(body)
    };
    let (sh, k, b) = (&shared, &*key, base.as_str());
    let run = move |pending: Pending| async move {
        match pending {
            Pending::Ran(resp) => resp,
            Pending::NotYet(body) => execute(sh, cmd, k, body, false, b).await,
        }
    };
    match fault.kind {
        FaultKind::Latency => {
            let wait = Duration::from_millis(fault.latency_ms.unwrap_or(0));
            tokio::select! {
                _ = tokio::time::sleep(wait) => Ok(run(pending).await),
                _ = crate::stopped(&mut shutdown) => Err(DropConnection),
            }
        }
        FaultKind::HttpStatus => {
            let code = status(500);
            let body = match fault.body {
                Some(b) => b,
                None => format!(r#"{{"status":0,"error":"Simulated HTTP {code}"}}"#),
            };
            let ct = if serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok() {
                JSON
            } else {
                TEXT
            };
            let mut resp = respond(code, ct, body);
            if let Some(v) = fault.retry_after.as_deref() {
                // Validated when the fault was added.
                if let Ok(v) = HeaderValue::from_str(v) {
                    resp.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Ok(resp)
        }
        FaultKind::Html => {
            let body = fault.body.unwrap_or_else(|| HTML_PAGE.to_owned());
            Ok(respond(status(200), HTML, body))
        }
        FaultKind::Empty => Ok(respond(status(200), JSON, Bytes::new())),
        FaultKind::Truncated => {
            let resp = run(pending).await;
            let (parts, full) = resp.into_parts();
            let bytes = full
                .collect()
                .await
                .map(|c| c.to_bytes())
                .unwrap_or_default();
            // Half of a JSON object is never valid JSON: its closing brace is gone.
            let cut = bytes.slice(..bytes.len() / 2);
            Ok(Response::from_parts(parts, Full::new(cut)))
        }
        FaultKind::Reset => {
            reset.store(true, Ordering::Release);
            Err(DropConnection)
        }
        FaultKind::Stall => {
            match fault.stall_ms {
                Some(ms) => tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
                    _ = crate::stopped(&mut shutdown) => {}
                },
                None => crate::stopped(&mut shutdown).await,
            }
            reset.store(true, Ordering::Release);
            Err(DropConnection)
        }
    }
}

/// A faulted call's command: already run, or still to run with its body.
enum Pending {
    Ran(Resp),
    NotYet(Incoming),
}

/// `http://<Host><path prefix>/`: the base URL the client used, for the URLs in answers.
fn base_url(parts: &hyper::http::request::Parts, path: &str) -> String {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let prefix = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let prefix = if prefix.is_empty() { "/" } else { prefix };
    format!("http://{host}{prefix}")
}

/// Runs one command and answers it.
async fn execute(
    shared: &Arc<Shared>,
    cmd: Command,
    key: &str,
    body: Incoming,
    count: bool,
    base: &str,
) -> Resp {
    let bytes = if cmd.is_post() {
        let limit = if cmd == Command::SendMessageFile {
            FILE_BODY_LIMIT
        } else {
            API_BODY_LIMIT
        };
        match read_body(body, limit).await {
            Ok(b) => b,
            Err((status, error)) => return api_error(status, error),
        }
    } else {
        Bytes::new()
    };
    // Decoding and hashing an inline file is done outside the state lock.
    let file = (cmd == Command::SendMessageFile).then(|| FileRequest::parse(&bytes));
    let outcome = shared.with_instance(key, true, |inst, ctx| {
        if count {
            inst.count_call(cmd);
        }
        Ok::<_, String>(match cmd {
            Command::Status => inst.status_answer(),
            Command::GenerateQrcode => {
                let ua = wire::parse_user_agent(&bytes)?;
                inst.generate_qrcode(ua, ctx)
            }
            Command::SetConfig => {
                let cfg = wire::parse_set_config(&bytes)?;
                inst.set_config(cfg, ctx)
            }
            Command::Disconnect => inst.disconnect(ctx),
            Command::CloseSession => inst.close_session(ctx),
            Command::SaveSession => inst.save_session(ctx),
            Command::RestoreSession => inst.restore_session(ctx),
            Command::Clear => inst.clear(ctx),
            Command::Chats => inst.chats_answer(base),
            Command::Contacts => inst.contacts_answer(base),
            Command::SendMessage => inst.send_message(&bytes)?,
            Command::SendMessageFile => {
                let req = file.unwrap_or_else(|| Err("no file request".to_owned()))?;
                inst.send_file(req, base)
            }
            Command::GetProfile => inst.profile(&bytes, base, false)?,
            Command::QueryProfile => inst.profile(&bytes, base, true)?,
            Command::GroupCreate => inst.group_create(&bytes, base)?,
            Command::GroupAdd => inst.group_change(&bytes, base, true)?,
            Command::GroupRemove => inst.group_change(&bytes, base, false)?,
        })
    });
    match outcome {
        Ok(Ok(json)) => respond(200, JSON, json),
        Ok(Err(bad_body)) => api_error(400, &bad_body),
        Err(e) => api_error(e.http_status(), &e.to_string()),
    }
}

/// Reads a request body up to `limit` bytes; on failure, the HTTP status (413 past the limit)
/// and a message.
pub(crate) async fn read_body(body: Incoming, limit: usize) -> Result<Bytes, (u16, &'static str)> {
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err((413, "Request body too large"))
        }
        Err(_) => Err((400, "Could not read the request body")),
    }
}

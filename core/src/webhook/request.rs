//! One connection and its requests: the HTTP side of the receiver (see the parent module for
//! the rules it applies).

use super::{Job, Shared, stopped};
use crate::postback::decode_postback_with;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{ALLOW, CONNECTION, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};

/// How long a client may take to send a request's headers. Fixed rather than tied to
/// `body_timeout`: hyper also applies it to idle keep-alive connections, and a short value
/// there makes clients race a server-side close when they reuse a pooled connection.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) async fn connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    // Answers are small and the gateway waits for each one: don't let Nagle delay them.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(respond(&shared, req).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "webhook connection ended with an error");
            }
        }
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// What the per-request log line reports besides the method and the answer.
#[derive(Default)]
struct Seen {
    body_bytes: usize,
    events: usize,
}

/// Handles one request and logs it (never the path or query: they hold secrets).
async fn respond(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    let mut seen = Seen::default();
    let response = handle(shared, req, &mut seen).await;
    tracing::debug!(
        %method,
        body_bytes = seen.body_bytes,
        events = seen.events,
        status = response.status().as_u16(),
        "webhook request"
    );
    response
}

async fn handle(shared: &Shared, req: Request<Incoming>, seen: &mut Seen) -> Response<Full<Bytes>> {
    if req.method() != Method::POST {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "only POST is accepted");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if let Some(expected) = &shared.token {
        if !token_matches(req.uri(), expected) {
            return text(StatusCode::UNAUTHORIZED, "missing or wrong token");
        }
    }
    let max = shared.limits.max_body_bytes;
    if req.body().size_hint().lower() > max as u64 {
        return too_large(max);
    }
    let reading = tokio::time::timeout(shared.body_timeout, read_body(req.into_body(), max));
    let body = match reading.await {
        Ok(Ok(body)) => body,
        Ok(Err(BodyError::TooLarge)) => return too_large(max),
        Ok(Err(BodyError::Broken)) => {
            return text(StatusCode::BAD_REQUEST, "the body could not be read");
        }
        Err(_) => {
            let mut response = text(StatusCode::REQUEST_TIMEOUT, "the body took too long");
            close(&mut response);
            return response;
        }
    };
    seen.body_bytes = body.len();
    // Decoding may inflate up to the decompressed limit (tens of MB): keep it off the
    // threads that serve other connections.
    let limits = shared.limits;
    let decoded = tokio::task::spawn_blocking(move || decode_postback_with(&body, &limits)).await;
    let events = match decoded {
        Ok(Ok(events)) => events,
        Ok(Err(e)) => return text(StatusCode::BAD_REQUEST, &e.to_string()),
        Err(_) => return text(StatusCode::INTERNAL_SERVER_ERROR, "decoding failed"),
    };
    seen.events = events.len();
    if !events.is_empty() {
        let (done, handled) = oneshot::channel();
        if shared.jobs.send(Job { events, done }).await.is_err() {
            return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
        }
        // If the client hangs up meanwhile, this future is dropped; the events are queued
        // and still reach the handler.
        let _ = handled.await;
    }
    text(StatusCode::OK, "OK")
}

fn text(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("{message}\n"))));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The rest of the body is not read, so the connection can't carry another request.
fn close(response: &mut Response<Full<Bytes>>) {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
}

fn too_large(max: usize) -> Response<Full<Bytes>> {
    let mut response = text(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the body exceeds the limit of {max} bytes"),
    );
    close(&mut response);
    response
}

enum BodyError {
    TooLarge,
    Broken,
}

/// Reads the body, stopping as soon as it passes `max` bytes (chunked bodies announce no
/// size, so counting is the only bound).
async fn read_body(mut body: Incoming, max: usize) -> std::result::Result<Vec<u8>, BodyError> {
    let hint = usize::try_from(body.size_hint().lower()).unwrap_or(max);
    // Don't trust a header with the allocation: grow past 1 MiB only as data arrives.
    let mut buf = Vec::with_capacity(hint.min(max).min(1 << 20));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if data.len() > max - buf.len() {
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf)
}

/// Whether the request carries `token=<expected>`, in the query string or in the
/// `&`-separated tail of the path. The first `token` found is compared in constant time (only
/// the length can leak, which a token of a fixed length makes moot).
fn token_matches(uri: &hyper::Uri, expected: &str) -> bool {
    let in_path = uri.path().split_once('&').map(|(_, tail)| tail);
    let found = [uri.query(), in_path]
        .into_iter()
        .flatten()
        .flat_map(|params| params.split('&'))
        .find_map(|pair| match pair.split_once('=') {
            Some(("token", value)) => Some(percent_decode(value)),
            _ => None,
        });
    match found {
        Some(got) => got.ct_eq(expected.as_bytes()).into(),
        None => false,
    }
}

/// `%XX` escapes decoded; anything else (including `+` and a bad escape) kept as is, so a
/// token with `+` in it works whether or not the user encoded it.
fn percent_decode(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_in_query_or_path_tail() {
        let uri = |s: &str| s.parse::<hyper::Uri>().expect("valid uri");
        assert!(token_matches(&uri("/hook?token=s3cr%2Bt&wid=X"), "s3cr+t"));
        assert!(token_matches(&uri("/hook?token=s3cr+t&wid=X"), "s3cr+t"));
        assert!(token_matches(&uri("/hook&token=abc&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook?token=abd&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook?xtoken=abc"), "abc"));
    }
}

//! One connection and its requests: the HTTP side of the receiver (see the parent module for
//! the rules it applies).

use super::{Job, Shared, encoding, redelivery, stopped};
use crate::postback::{
    ByteBuf, Detail, Event, Exhausted, Failure, Grant, PostbackLimits, decode_events,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{ACCEPT_ENCODING, ALLOW, CONNECTION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

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
    /// A redelivery of events already handled or being handled.
    redelivery: bool,
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
        redelivery = seen.redelivery,
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
    let codings = match encoding::codings(req.headers()) {
        Ok(codings) => codings,
        Err(name) => {
            let mut response = text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("unsupported Content-Encoding `{name}`; gzip and deflate are accepted"),
            );
            response
                .headers_mut()
                .insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate"));
            close(&mut response);
            return response;
        }
    };
    let wid = wid_param(req.uri()).map(|v| String::from_utf8_lossy(&v).into_owned());
    let limits = shared.limits;
    let detail = shared.detail;
    let max = limits.max_body_bytes;
    if req.body().size_hint().lower() > max as u64 {
        return too_large(max);
    }
    // A large body (or one of unknown size) is read only once a decoder is free for it. Read
    // first and decoded later, 50 senders' bodies of 1.6 MB filled the whole decoding budget
    // while they waited for a decoder, every decode then found no budget left and was
    // refused (503), and the receiver handled nothing at all (bench/receivers.py, bulk-1000
    // x50). Waiting here costs nothing: the sender's bytes wait in the socket.
    let large = req
        .body()
        .size_hint()
        .exact()
        .is_none_or(|n| n > INLINE_PLAIN_BYTES as u64);
    let mut slot = None;
    if large {
        let Ok(permit) = shared.decoders.clone().acquire_owned().await else {
            return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
        };
        slot = Some(permit);
    }
    let mut grant = Grant::empty();
    let reading = tokio::time::timeout(
        shared.body_timeout,
        read_body(req.into_body(), max, &mut grant, limits.budget_wait),
    );
    let body = match reading.await {
        Ok(Ok(body)) => body,
        Ok(Err(BodyError::TooLarge)) => return too_large(max),
        Ok(Err(BodyError::Busy)) => return busy(),
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
    let decoded = if codings.is_empty() && cheap_to_decode(&body) {
        Ok(decode_body(
            body,
            &codings,
            wid.as_deref(),
            &limits,
            detail,
            grant,
        ))
    } else {
        // Inflating and decoding may take milliseconds: keep them off the threads that serve
        // other connections, one per CPU at a time. The grant travels with the bytes it pays
        // for.
        let _slot = match slot.take() {
            Some(permit) => permit,
            None => match shared.decoders.clone().acquire_owned().await {
                Ok(permit) => permit,
                Err(_) => return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down"),
            },
        };
        tokio::task::spawn_blocking(move || {
            decode_body(body, &codings, wid.as_deref(), &limits, detail, grant)
        })
        .await
    };
    // A decoder is free again once the body is decoded (not when its events are handled).
    drop(slot);
    let (events, grant) = match decoded {
        Ok(Ok(decoded)) => decoded,
        Ok(Err(Refusal::TooLarge)) => return too_large(max),
        Ok(Err(Refusal::Busy)) => return busy(),
        Ok(Err(Refusal::Invalid(why))) => return text(StatusCode::BAD_REQUEST, &why),
        Err(_) => return text(StatusCode::INTERNAL_SERVER_ERROR, "decoding failed"),
    };
    seen.events = events.len();
    if events.is_empty() {
        return text(StatusCode::OK, "OK");
    }
    let key = redelivery::key(&events);
    let mut handled = match shared.deliveries.begin(key) {
        redelivery::Seen::Recent => {
            seen.redelivery = true;
            return text(StatusCode::OK, "OK (already handled)");
        }
        redelivery::Seen::InFlight(handled) => {
            seen.redelivery = true;
            handled
        }
        redelivery::Seen::New(done, handled) => {
            let job = Job {
                events,
                grant,
                done,
            };
            if shared.jobs.send(job).await.is_err() {
                shared.deliveries.forget(&key);
                return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
            }
            handled
        }
    };
    // If the client hangs up meanwhile, this future is dropped; the events are queued and
    // still reach the handler, and a redelivery waits for them instead of running them again.
    if handled.wait_for(Option::is_some).await.is_err() {
        shared.deliveries.forget(&key);
        return text(StatusCode::SERVICE_UNAVAILABLE, "shutting down");
    }
    text(StatusCode::OK, "OK")
}

/// A read body to its events, and the grant that now pays for them (the body's own bytes
/// leave it).
fn decode_body(
    body: ByteBuf,
    codings: &[encoding::Coding],
    wid: Option<&str>,
    limits: &PostbackLimits,
    detail: Detail,
    mut grant: Grant,
) -> Result<(Vec<Event>, Grant), Refusal> {
    let max = limits.max_body_bytes;
    let body = if codings.is_empty() {
        body
    } else {
        encoding::decode(body, codings, max, &mut grant).map_err(|e| match e {
            encoding::DecodeError::TooLarge => Refusal::TooLarge,
            encoding::DecodeError::Budget => Refusal::Busy,
            encoding::DecodeError::Corrupt(name) => {
                Refusal::Invalid(format!("the body is not valid {name} data"))
            }
        })?
    };
    let events = decode_events(&body, wid, limits, &mut grant, detail);
    // The body is freed here; what it cost leaves the grant, the events' cost stays.
    grant.release(body.footprint());
    drop(body);
    match events {
        Ok(events) => Ok((events, grant)),
        Err(Failure::Invalid(why)) => Err(Refusal::Invalid(format!("postback: {why}"))),
        Err(Failure::Busy { .. }) => Err(Refusal::Busy),
        Err(e @ Failure::OverBudget { .. }) => Err(Refusal::Invalid(e.to_string())),
    }
}

/// Uncompressed bodies up to this size are decoded on the connection's own task: their cost
/// is linear in their size (tens of µs), below what a hand-off to the blocking pool costs.
const INLINE_PLAIN_BYTES: usize = 64 * 1024;
/// Compressed (`BULKGZ`) bodies up to this size too: zlib expands at most about 1,000 times,
/// so at most about 2 MB of text (a millisecond or two); a one-event body is about 1.3 KB.
const INLINE_COMPRESSED_BYTES: usize = 2 * 1024;

/// Whether the body is small enough to decode without leaving the connection's task. A body
/// that may be compressed (`gz` in its framing prefix, in any case) gets the lower bound.
fn cheap_to_decode(body: &[u8]) -> bool {
    if body.len() <= INLINE_COMPRESSED_BYTES {
        return true;
    }
    let head = &body[..body.len().min(16)];
    body.len() <= INLINE_PLAIN_BYTES && !head.windows(2).any(|w| w.eq_ignore_ascii_case(b"gz"))
}

/// Why a read body was not turned into events.
enum Refusal {
    TooLarge,
    Busy,
    Invalid(String),
}

/// 503 with `Retry-After`: the process-wide decoding budget is held by other requests.
fn busy() -> Response<Full<Bytes>> {
    let mut response = text(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy decoding other PostBacks; retry shortly",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    close(&mut response);
    response
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
    Busy,
}

/// Reads the body, stopping as soon as it passes `max` bytes (chunked bodies announce no
/// size, so counting is the only bound). Every byte buffered is drawn from `grant` first: a
/// body with a `Content-Length` takes it all before reading (waiting up to `wait` while the
/// request holds nothing, so a request that must wait leaves its bytes in the kernel's socket
/// buffer, not in ours); a chunked body takes a first chunk that way, then grows only with
/// what is free at once.
async fn read_body(
    mut body: Incoming,
    max: usize,
    grant: &mut Grant,
    wait: Duration,
) -> std::result::Result<ByteBuf, BodyError> {
    let hint = usize::try_from(body.size_hint().lower()).unwrap_or(max);
    let exact = body.size_hint().exact().is_some();
    // Don't trust a header past the limit; without one, start with one chunk.
    let first = if exact {
        hint.min(max)
    } else {
        hint.min(max).min(1 << 16)
    };
    reserve_waiting(grant, first.max(1), wait).await?;
    let mut buf = ByteBuf::with_max(max);
    let mut accounted = first.max(1);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if !buf.extend_from_slice(&data) {
                return Err(BodyError::TooLarge);
            }
            let footprint = buf.footprint();
            if footprint > accounted {
                grant
                    .reserve(footprint - accounted, Duration::ZERO)
                    .map_err(|_| BodyError::Busy)?;
                accounted = footprint;
            }
        }
    }
    // Keep the grant equal to what `buf` holds, which is what the caller gives back.
    if accounted > buf.footprint() {
        grant.release(accounted - buf.footprint());
    }
    Ok(buf)
}

/// The first reservation of a request, which may wait: on a blocking thread, since the
/// budget is shared with synchronous `decode_postback` calls.
async fn reserve_waiting(
    grant: &mut Grant,
    bytes: usize,
    wait: Duration,
) -> std::result::Result<(), BodyError> {
    // Usually free: no thread hop then.
    match grant.reserve(bytes, Duration::ZERO) {
        Ok(()) => return Ok(()),
        Err(Exhausted::OverTotal { .. }) => return Err(BodyError::TooLarge),
        Err(Exhausted::Busy) if grant.held() > 0 || wait.is_zero() => {
            return Err(BodyError::Busy);
        }
        Err(Exhausted::Busy) => {}
    }
    let mut taken = std::mem::replace(grant, Grant::empty());
    let (result, taken) = tokio::task::spawn_blocking(move || {
        let result = taken.reserve(bytes, wait);
        (result, taken)
    })
    .await
    .map_err(|_| BodyError::Busy)?;
    *grant = taken;
    match result {
        Ok(()) => Ok(()),
        Err(Exhausted::Busy) => Err(BodyError::Busy),
        Err(Exhausted::OverTotal { .. }) => Err(BodyError::TooLarge),
    }
}

/// The first `name` parameter, percent-decoded, from the query string or the `&`-separated
/// tail of the path (the gateway appends `&wid=<WebID>` to the PostBack URL without a `?`).
fn param(uri: &hyper::Uri, name: &str) -> Option<Vec<u8>> {
    let in_path = uri.path().split_once('&').map(|(_, tail)| tail);
    [uri.query(), in_path]
        .into_iter()
        .flatten()
        .flat_map(|params| params.split('&'))
        .find_map(|pair| match pair.split_once('=') {
            Some((key, value)) if key == name => Some(percent_decode(value)),
            _ => None,
        })
}

/// The instance: the **last** `wid` parameter (any case, as the `.aspx` gateway reads its own
/// parameters), percent-decoded. The gateway appends `&wid=<WebID>` after whatever the
/// registered URL holds, so a `wid=` of the user's own in that URL comes before it.
fn wid_param(uri: &hyper::Uri) -> Option<Vec<u8>> {
    let in_path = uri.path().split_once('&').map(|(_, tail)| tail);
    // In the URL's order (a path tail comes before a query), the last one.
    [in_path, uri.query()]
        .into_iter()
        .flatten()
        .flat_map(|params| params.split('&'))
        .filter_map(|pair| match pair.split_once('=') {
            Some((key, value)) if key.eq_ignore_ascii_case("wid") => Some(percent_decode(value)),
            _ => None,
        })
        .next_back()
}

/// Whether the request carries `token=<expected>`, in the query string or in the
/// `&`-separated tail of the path. The first `token` found is compared in constant time (only
/// the length can leak, which a token of a fixed length makes moot).
fn token_matches(uri: &hyper::Uri, expected: &str) -> bool {
    match param(uri, "token") {
        Some(got) => got.ct_eq(expected.as_bytes()).into(),
        None => false,
    }
}

/// `%XX` escapes decoded (the `percent-encoding` crate, what `url` uses); anything else
/// (including `+` and a bad escape such as `%+A`) kept as is, so a token with `+` in it works
/// whether or not the user encoded it.
fn percent_decode(value: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_small_bodies_are_decoded_inline() {
        assert!(cheap_to_decode(b"BULKGZ,eJzLSM3JyQcABiwCFQ=="));
        assert!(cheap_to_decode(&[b' '; INLINE_PLAIN_BYTES]));
        assert!(!cheap_to_decode(&[b' '; INLINE_PLAIN_BYTES + 1]));
        let mut gz = b"bulkGz,".to_vec();
        gz.resize(INLINE_COMPRESSED_BYTES + 1, b'A');
        assert!(!cheap_to_decode(&gz));
        let mut plain = b"BULK,[".to_vec();
        plain.resize(INLINE_COMPRESSED_BYTES + 1, b' ');
        assert!(cheap_to_decode(&plain));
    }

    #[test]
    fn token_in_query_or_path_tail() {
        let uri = |s: &str| s.parse::<hyper::Uri>().expect("valid uri");
        assert!(token_matches(&uri("/hook?token=s3cr%2Bt&wid=X"), "s3cr+t"));
        assert!(token_matches(&uri("/hook?token=s3cr+t&wid=X"), "s3cr+t"));
        assert!(token_matches(&uri("/hook&token=abc&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook?token=abd&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook&wid=X"), "abc"));
        assert!(!token_matches(&uri("/hook?xtoken=abc"), "abc"));
        // A sign is not a hex digit (found by fuzzing: `%+A` once decoded as a newline).
        assert!(!token_matches(&uri("/hook?token=%+A"), "\n"));
        assert!(token_matches(&uri("/hook?token=%+A"), "%+A"));
        assert!(token_matches(&uri("/hook?token=abc%41"), "abcA"));
    }

    #[test]
    fn wid_in_query_or_path_tail_percent_decoded() {
        let uri = |s: &str| s.parse::<hyper::Uri>().expect("valid uri");
        assert_eq!(
            param(&uri("/hook?wid=K3y%2B%2f"), "wid"),
            Some(b"K3y+/".to_vec())
        );
        assert_eq!(
            param(&uri("/hook&token=t&wid=abc"), "wid"),
            Some(b"abc".to_vec())
        );
        assert_eq!(param(&uri("/hook?token=t"), "wid"), None);
        assert_eq!(param(&uri("/hook?xwid=1"), "wid"), None);
        // The instance is the gateway's `wid`: appended last, after any of the user's own.
        assert_eq!(
            wid_param(&uri("/hook?wid=tenant-7&wid=GW")),
            Some(b"GW".to_vec())
        );
        assert_eq!(
            wid_param(&uri("/hook?token=t&WID=GW")),
            Some(b"GW".to_vec())
        );
        assert_eq!(wid_param(&uri("/hook&wid=GW")), Some(b"GW".to_vec()));
        assert_eq!(
            wid_param(&uri("/hook?x=1&wid=K3y%2b")),
            Some(b"K3y+".to_vec())
        );
        assert_eq!(wid_param(&uri("/hook?xwid=1&widx=2")), None);
        assert_eq!(
            wid_param(&uri("/hook&wid=mine?x=1&wid=GW")),
            Some(b"GW".to_vec())
        );
    }
}

//! The PostBack receiver's request handling, through the public API only: a
//! `witi::webhook::WebhookServer` bound in-process on 127.0.0.1:0 gets, for each fuzz input,
//! one HTTP/1 request built from it (method, path bytes, query, token, headers, framing,
//! body) on a fresh TCP connection. Whatever the request, the receiver must answer with one
//! well-formed HTTP response whose status is one the receiver (or hyper, for a request line or
//! head it cannot parse) is documented to give, in bounded time; and never panic.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use witi::PostbackLimits;
use witi::webhook::{WebhookOptions, WebhookServer};

/// The receiver's token: it has characters that must be percent-encoded in a URL.
const TOKEN: &str = "fuzz+tok/=en";
const TOKEN_ENCODED: &str = "fuzz%2Btok%2F%3Den";

/// Short, so that a body announced but never sent costs little time per run.
const BODY_TIMEOUT: Duration = Duration::from_millis(100);

/// How long an answer may take: the body timeout, decoding a body within the small limits,
/// and a wide margin for a loaded machine. Far under libFuzzer's `-timeout`.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// Small limits, so that a small input can pass each one.
const LIMITS: PostbackLimits = PostbackLimits {
    max_body_bytes: 2048,
    max_decompressed_bytes: 8192,
    max_events: 8,
    max_event_bytes: 2048,
    budget_wait: Duration::from_millis(100),
};

/// Statuses the receiver gives (200 handled, 400 undecodable, 401 token, 405 method,
/// 408 body too slow, 413 body too large, 415 content encoding not supported, 503 shutting
/// down: never here), and hyper's own answers to a head it cannot parse (400, 414 URI too
/// long, 431 header fields too large, 505 version not supported).
const EXPECTED: &[u16] = &[200, 400, 401, 405, 408, 413, 414, 415, 431, 505];

struct Receiver {
    addr: SocketAddr,
    // Kept alive for the whole process; dropping either stops the receiver.
    _server: WebhookServer,
    _runtime: tokio::runtime::Runtime,
}

fn receiver() -> &'static Receiver {
    static RECEIVER: OnceLock<Receiver> = OnceLock::new();
    RECEIVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let options = WebhookOptions {
            token: Some(TOKEN.to_owned()),
            limits: LIMITS,
            body_timeout: BODY_TIMEOUT,
            ..WebhookOptions::default()
        };
        let server = runtime
            .block_on(WebhookServer::bind(
                "127.0.0.1:0".parse().expect("an address"),
                options,
                |_event| async { Ok(()) },
            ))
            .expect("the receiver binds");
        Receiver {
            addr: server.local_addr(),
            _server: server,
            _runtime: runtime,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Method {
    Post,
    Get,
    Head,
    Put,
    Options,
    Raw(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Token {
    Absent,
    /// `?token=<encoded>` (before any other query).
    Query,
    /// Unencoded in the query (`+` kept as is).
    QueryRaw,
    /// The gateway's quirk: `/path&token=...` with no `?`.
    PathTail,
    Wrong(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
enum Name {
    ContentType,
    ContentEncoding,
    ContentLength,
    TransferEncoding,
    Expect,
    Connection,
    Host,
    Raw(Vec<u8>),
}

impl Name {
    fn bytes(&self) -> &[u8] {
        match self {
            Name::ContentType => b"Content-Type",
            Name::ContentEncoding => b"Content-Encoding",
            Name::ContentLength => b"Content-Length",
            Name::TransferEncoding => b"Transfer-Encoding",
            Name::Expect => b"Expect",
            Name::Connection => b"Connection",
            Name::Host => b"Host",
            Name::Raw(raw) => raw,
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Value {
    Json,
    Gzip,
    Deflate,
    Chunked,
    Continue,
    Close,
    Number(u64),
    Raw(Vec<u8>),
}

impl Value {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Json => b"application/json".to_vec(),
            Value::Gzip => b"gzip".to_vec(),
            Value::Deflate => b"deflate".to_vec(),
            Value::Chunked => b"chunked".to_vec(),
            Value::Continue => b"100-continue".to_vec(),
            Value::Close => b"close".to_vec(),
            Value::Number(n) => n.to_string().into_bytes(),
            Value::Raw(raw) => raw.clone(),
        }
    }
}

/// How the body is delimited.
#[derive(Arbitrary, Debug)]
enum Framing {
    /// `Content-Length` equal to the body's size.
    Length,
    /// `Content-Length` off by this much (more: the body never completes; less: the rest is
    /// read as the next request).
    WrongLength(i8),
    /// Chunked, cut into chunks of these sizes (cycled; 0 means 1), with the final chunk.
    Chunked(Vec<u8>),
    /// Chunked, without the final chunk: the body never completes.
    ChunkedUnfinished,
    /// `Transfer-Encoding: chunked` with the body sent as is (mostly a broken chunk stream).
    ChunkedRaw,
    /// No length: an empty body for the server.
    None,
}

#[derive(Arbitrary, Debug)]
enum Body {
    Raw(Vec<u8>),
    /// A status event (plain JSON).
    Status(u8),
    /// `BULK,` with these items base64-encoded as is.
    Bulk(Vec<Vec<u8>>),
}

#[derive(Arbitrary, Debug)]
struct Request {
    method: Method,
    path: Vec<u8>,
    token: Token,
    query: Option<Vec<u8>>,
    headers: Vec<(Name, Value)>,
    framing: Framing,
    body: Body,
    http10: bool,
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl Request {
    fn is_head(&self) -> bool {
        match &self.method {
            Method::Head => true,
            Method::Raw(raw) => raw == b"HEAD",
            _ => false,
        }
    }

    fn body_bytes(&self) -> Vec<u8> {
        match &self.body {
            Body::Raw(raw) => raw.clone(),
            Body::Status(code) => {
                format!(r#"{{"status":{code},"statusString":"x","WebID":"W"}}"#).into_bytes()
            }
            Body::Bulk(items) => {
                let items: Vec<String> =
                    items.iter().map(|i| format!("\"{}\"", base64(i))).collect();
                format!("BULK,[{}]", items.join(",")).into_bytes()
            }
        }
    }

    /// The request's bytes, with the head always ended, so the server never waits for it.
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(match &self.method {
            Method::Post => b"POST",
            Method::Get => b"GET",
            Method::Head => b"HEAD",
            Method::Put => b"PUT",
            Method::Options => b"OPTIONS",
            Method::Raw(raw) => raw,
        });
        out.extend_from_slice(b" /");
        out.extend_from_slice(&self.path);
        if let Token::PathTail = self.token {
            out.extend_from_slice(b"&token=");
            out.extend_from_slice(TOKEN_ENCODED.as_bytes());
        }
        let mut query: Vec<&[u8]> = Vec::new();
        let wrong;
        match &self.token {
            Token::Query => query.push(b"token=fuzz%2Btok%2F%3Den"),
            Token::QueryRaw => query.push(b"token=fuzz+tok/=en"),
            Token::Wrong(value) => {
                wrong = [b"token=".as_slice(), value].concat();
                query.push(&wrong);
            }
            Token::Absent | Token::PathTail => {}
        }
        if let Some(q) = &self.query {
            query.push(q);
        }
        if !query.is_empty() {
            out.push(b'?');
            out.extend_from_slice(&query.join(&b'&'));
        }
        out.extend_from_slice(if self.http10 {
            b" HTTP/1.0\r\n"
        } else {
            b" HTTP/1.1\r\n"
        });
        out.extend_from_slice(b"Host: 127.0.0.1\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(&value.bytes());
            out.extend_from_slice(b"\r\n");
        }
        let body = self.body_bytes();
        match &self.framing {
            Framing::Length => {
                out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                out.extend_from_slice(&body);
            }
            Framing::WrongLength(delta) => {
                let length = (body.len() as i64 + i64::from(*delta)).max(0);
                out.extend_from_slice(format!("Content-Length: {length}\r\n\r\n").as_bytes());
                out.extend_from_slice(&body);
            }
            Framing::Chunked(sizes) => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                let mut rest = body.as_slice();
                let mut sizes = sizes.iter().cycle();
                while !rest.is_empty() {
                    let size = sizes.next().map_or(rest.len(), |&s| usize::from(s.max(1)));
                    let (chunk, tail) = rest.split_at(size.min(rest.len()));
                    out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    out.extend_from_slice(chunk);
                    out.extend_from_slice(b"\r\n");
                    rest = tail;
                }
                out.extend_from_slice(b"0\r\n\r\n");
            }
            Framing::ChunkedUnfinished => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                out.extend_from_slice(format!("{:x}\r\n", body.len() + 1).as_bytes());
                out.extend_from_slice(&body);
            }
            Framing::ChunkedRaw => {
                out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
                out.extend_from_slice(&body);
            }
            Framing::None => {
                out.extend_from_slice(b"\r\n");
                out.extend_from_slice(&body);
            }
        }
        out
    }
}

/// Reads one response (skipping 1xx interim answers) and returns its status. Panics (a
/// finding) on a malformed response, a response cut short, or no answer in time.
fn read_response(stream: &mut TcpStream, head_only: bool) -> Option<u16> {
    let deadline = Instant::now() + ANSWER_WITHIN;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // Parse what is there: a complete head, then a complete body.
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let status = response.code.expect("a complete head has a status");
                // hyper answers an HTTP/1.0 request in HTTP/1.0; httparse takes nothing else.
                if (100..200).contains(&status) {
                    buf.drain(..head_len);
                    continue;
                }
                let length = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .map(|h| {
                        std::str::from_utf8(h.value)
                            .ok()
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .expect("a numeric Content-Length")
                    })
                    .expect("every answer of the receiver has a Content-Length");
                if head_only || buf.len() >= head_len + length {
                    return Some(status);
                }
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => panic!(
                "a malformed response ({e}): {:?}",
                String::from_utf8_lossy(&buf)
            ),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no complete answer within {ANSWER_WITHIN:?}: {:?}",
            String::from_utf8_lossy(&buf)
        );
        stream.set_read_timeout(Some(left)).expect("a read timeout");
        match stream.read(&mut chunk) {
            Ok(0) => {
                assert!(
                    buf.is_empty(),
                    "the answer was cut short: {:?}",
                    String::from_utf8_lossy(&buf)
                );
                return None;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset && buf.is_empty() => return None,
            Err(e) => panic!(
                "reading the answer failed: {e} after {:?}",
                String::from_utf8_lossy(&buf)
            ),
        }
    }
}

fuzz_target!(|request: Request| {
    let receiver = receiver();
    let bytes = request.bytes();
    let mut stream = TcpStream::connect(receiver.addr).expect("the receiver accepts");
    // The server may answer (401, 405, 413) and close before reading it all: a failed write is
    // not a finding, a missing answer is.
    let _ = stream.write_all(&bytes);
    match read_response(&mut stream, request.is_head()) {
        Some(status) => assert!(EXPECTED.contains(&status), "unexpected status {status}"),
        None => assert!(
            !well_formed_head(&bytes),
            "no answer to a well-formed request head: {:?}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
        ),
    }
});

/// Whether the head (up to the first blank line) is one an HTTP/1.1 server must answer:
/// a token method, a target of visible ASCII, a known version, `name: value` header lines of
/// a token name and a value without control characters. hyper may close without a word on
/// anything else (its choice, and a fine one for garbage).
fn well_formed_head(bytes: &[u8]) -> bool {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let mut lines = bytes[..end]
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let token = |s: &[u8]| {
        !s.is_empty()
            && s.iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let Some(request_line) = lines.next() else {
        return false;
    };
    let parts: Vec<&[u8]> = request_line.split(|&b| b == b' ').collect();
    let [method, target, version] = parts.as_slice() else {
        return false;
    };
    if !token(method)
        || !target.iter().all(|&b| (0x21..0x7f).contains(&b))
        || !(*version == b"HTTP/1.1" || *version == b"HTTP/1.0")
    {
        return false;
    }
    lines.all(|line| match line.iter().position(|&b| b == b':') {
        Some(colon) => {
            token(&line[..colon])
                && line[colon + 1..]
                    .iter()
                    .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80)
        }
        None => false,
    })
}

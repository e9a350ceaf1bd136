//! The PostBack receiver, over real HTTP on 127.0.0.1.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use witi::webhook::{WebhookOptions, WebhookServer};
use witi::{EventKind, PostbackLimits};

mod webhook_support;
use webhook_support::{bulk_array, drain, local, post};

const STATUS_EVENT: &str = include_str!("../../tests/fixtures/postback/status_event.json");

/// A receiver whose handler forwards each event's JSON to the returned channel; events whose
/// JSON contains `"fail"` make it return an error, `"panic"` make it panic, `"slow"` make it
/// sleep 300 ms first.
async fn recorder(options: WebhookOptions) -> (WebhookServer, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = WebhookServer::bind(local(), options, move |event| {
        let tx = tx.clone();
        async move {
            if event.json.contains("\"slow\"") {
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            if event.json.contains("\"panic\"") {
                panic!("the handler panics on purpose");
            }
            if event.json.contains("\"fail\"") {
                return Err("the handler fails on purpose".into());
            }
            let label = match event.kind {
                EventKind::Status => format!("status:{}", event.status.expect("status").code),
                EventKind::Unknown => event.json,
            };
            tx.send(label).expect("the test still listens");
            Ok(())
        }
    })
    .await
    .expect("binding 127.0.0.1:0");
    (server, rx)
}

fn bulkgz(codec: &str, text: &str) -> String {
    fn run<W: Write>(mut w: W, data: &[u8]) -> W {
        w.write_all(data).expect("in-memory write");
        w
    }
    let data = text.as_bytes();
    let level = Compression::default();
    let compressed = match codec {
        "zlib" => run(flate2::write::ZlibEncoder::new(Vec::new(), level), data).finish(),
        "gzip" => run(flate2::write::GzEncoder::new(Vec::new(), level), data).finish(),
        _ => run(flate2::write::DeflateEncoder::new(Vec::new(), level), data).finish(),
    };
    format!("BULKGZ,{}", STANDARD.encode(compressed.expect("in-memory")))
}

/// Sends raw bytes and reads until the server closes (or 5 s pass).
async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_framing_reaches_the_handler_in_order() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let url = server.url();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let mut bodies = vec![
        r#"{"n":1}"#.to_owned(),
        r#"[{"n":2},{"n":3}]"#.to_owned(),
        format!(
            "BULK,{}",
            bulk_array(&[r#"{"n":4}"#, STATUS_EVENT, r#"{"n":5}"#])
        ),
    ];
    for (i, codec) in ["zlib", "gzip", "deflate"].into_iter().enumerate() {
        let n = 6 + i;
        bodies.push(bulkgz(codec, &bulk_array(&[&format!(r#"{{"n":{n}}}"#)])));
    }
    for body in bodies {
        assert_eq!(post(&url, body).await, (200, "OK\n".to_owned()));
    }
    // Every request was answered only after its events were handled: nothing to wait for.
    let got = drain(&mut rx);
    let expected: Vec<String> = [1, 2, 3, 4]
        .iter()
        .map(|n| format!(r#"{{"n":{n}}}"#))
        .chain(["status:AUTHENTICATED(10)".to_owned()])
        .chain([5, 6, 7, 8].iter().map(|n| format!(r#"{{"n":{n}}}"#)))
        .collect();
    assert_eq!(got, expected);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_path_is_accepted_and_other_methods_get_405() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let base = server.url();
    let with_wid = format!("{base}my/hook&wid=6D6307C3-2973-4468-85FA-D047CB8E1F2E");
    assert_eq!(post(&with_wid, r#"{"n":1}"#).await.0, 200);
    let client = reqwest::Client::new();
    for method in [
        reqwest::Method::GET,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
    ] {
        let response = client
            .request(method.clone(), &base)
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status().as_u16(), 405, "{method}");
        assert_eq!(response.headers()["allow"], "POST");
    }
    assert_eq!(drain(&mut rx), [r#"{"n":1}"#]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_checked() {
    let options = WebhookOptions {
        token: Some("s3cret+token".to_owned()),
        ..Default::default()
    };
    let (server, mut rx) = recorder(options).await;
    let base = server.url();
    // As the gateway calls it: the registered URL with `&wid=<WebID>` appended.
    for (n, url) in [
        format!("{base}hook?token=s3cret%2Btoken&wid=X"),
        format!("{base}?token=s3cret+token&wid=X"),
        format!("{base}hook&token=s3cret%2Btoken&wid=X"),
    ]
    .iter()
    .enumerate()
    {
        // Distinct events: the same one again would be a redelivery, handled once.
        assert_eq!(post(url, format!(r#"{{"ok":{n}}}"#)).await.0, 200, "{url}");
    }
    for url in [
        format!("{base}hook?token=wrong&wid=X"),
        format!("{base}hook?token=s3cret%2Btoke&wid=X"),
        format!("{base}hook&wid=X"),
        base.clone(),
    ] {
        assert_eq!(post(&url, r#"{"denied":1}"#).await.0, 401, "{url}");
    }
    assert_eq!(
        drain(&mut rx),
        [r#"{"ok":0}"#, r#"{"ok":1}"#, r#"{"ok":2}"#]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_get_400_and_the_server_keeps_serving() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let url = server.url();
    let cases = [
        "not json at all".to_owned(),
        "BULK,[\"a{b}\"]".to_owned(),
        format!("BULK,[\"{}\"]", STANDARD.encode("{broken")),
        "BULKGZ,bm90IGRlZmxhdGU=".to_owned(),
        String::new(),
    ];
    for (n, body) in cases.into_iter().enumerate() {
        let (status, text) = post(&url, body.clone()).await;
        assert_eq!(status, 400, "{body:?}");
        assert!(text.starts_with("postback: "), "{text}");
        assert_eq!(post(&url, format!(r#"{{"after":{n}}}"#)).await.0, 200);
    }
    assert_eq!(drain(&mut rx).len(), 5);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413() {
    let options = WebhookOptions {
        limits: PostbackLimits {
            max_body_bytes: 1000,
            ..Default::default()
        },
        ..Default::default()
    };
    let (server, mut rx) = recorder(options).await;
    let url = server.url();
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(2000));
    // Announced by Content-Length.
    assert_eq!(post(&url, big.clone()).await.0, 413);
    // Chunked: no size announced, counted while streaming.
    let mut request = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for chunk in big.as_bytes().chunks(400) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let answer = raw(server.local_addr(), &request).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Just under the limit is fine.
    let fits = format!(r#"{{"pad":"{}"}}"#, "x".repeat(1000 - 10));
    assert_eq!(fits.len(), 1000);
    assert_eq!(post(&url, fits).await.0, 200);
    assert_eq!(drain(&mut rx).len(), 1);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_panicking_handlers_do_not_stop_the_server() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let url = server.url();
    let body = format!(
        "BULK,{}",
        bulk_array(&[
            r#"{"n":1}"#,
            r#"{"fail":1}"#,
            r#"{"n":2}"#,
            r#"{"panic":1}"#,
            r#"{"n":3}"#
        ])
    );
    // Still 200: a non-2xx would make the gateway resend the events that were handled.
    assert_eq!(post(&url, body).await.0, 200);
    assert_eq!(post(&url, r#"{"panic":2}"#).await.0, 200);
    assert_eq!(post(&url, r#"{"n":4}"#).await.0, 200);
    assert_eq!(
        drain(&mut rx),
        [r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#, r#"{"n":4}"#]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_answered_after_its_events_are_handled() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let started = Instant::now();
    assert_eq!(post(&server.url(), r#"[{"slow":1},{"n":1}]"#).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(drain(&mut rx), [r#"{"slow":1}"#, r#"{"n":1}"#]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequential_and_concurrent_requests_all_arrive_in_order() {
    let (server, mut rx) = recorder(WebhookOptions::default()).await;
    let url = server.url();
    for n in 0..20 {
        let body = format!(
            "BULK,{}",
            bulk_array(&[&format!(r#"{{"a":{n}}}"#), &format!(r#"{{"b":{n}}}"#)])
        );
        assert_eq!(post(&url, body).await.0, 200);
    }
    let expected: Vec<String> = (0..20)
        .flat_map(|n| [format!(r#"{{"a":{n}}}"#), format!(r#"{{"b":{n}}}"#)])
        .collect();
    assert_eq!(drain(&mut rx), expected);
    // Concurrent requests: each one's events stay together and in order.
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let url = url.clone();
            tokio::spawn(async move {
                let body = format!(r#"[{{"c":{n}}},{{"d":{n}}}]"#);
                post(&url, body).await.0
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("no panic"), 200);
    }
    let got = drain(&mut rx);
    assert_eq!(got.len(), 40);
    for pair in got.chunks(2) {
        assert_eq!(pair[0].replace("\"c\"", "\"d\""), pair[1]);
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_times_out_without_blocking_others() {
    let options = WebhookOptions {
        body_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let (server, mut rx) = recorder(options).await;
    let addr = server.local_addr();
    let slow = tokio::spawn(async move {
        let started = Instant::now();
        let answer = raw(
            addr,
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"never\":",
        )
        .await;
        (answer, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    assert_eq!(post(&server.url(), r#"{"n":1}"#).await.0, 200);
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "not blocked by the slow body"
    );
    let (answer, took) = slow.await.expect("no panic");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(drain(&mut rx), [r#"{"n":1}"#]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests_and_frees_the_port() {
    // The handler says when it has the event, so shutdown starts while the request is
    // surely in flight (a fixed sleep raced the request on a loaded machine).
    let (started, handling) = tokio::sync::oneshot::channel::<()>();
    let started = std::sync::Mutex::new(Some(started));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = WebhookServer::bind(local(), WebhookOptions::default(), move |event| {
        if let Some(started) = started.lock().expect("not poisoned").take() {
            let _ = started.send(());
        }
        let tx = tx.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            tx.send(event.json).expect("the test still listens");
            Ok(())
        }
    })
    .await
    .expect("binding 127.0.0.1:0");
    let addr = server.local_addr();
    let url = server.url();
    let in_flight = tokio::spawn(async move { post(&url, r#"{"slow":1}"#).await.0 });
    handling.await.expect("the handler got the event");
    server.shutdown().await;
    assert_eq!(in_flight.await.expect("no panic"), 200);
    assert_eq!(drain(&mut rx), [r#"{"slow":1}"#]);
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens any more"
    );
    std::net::TcpListener::bind(addr).expect("the port is free again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_server_stops_it() {
    let (server, _rx) = recorder(WebhookOptions::default()).await;
    let addr = server.local_addr();
    drop(server);
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still listening after drop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_cap_wait_until_one_closes() {
    let (server, mut rx) = recorder(WebhookOptions {
        max_connections: 2,
        ..WebhookOptions::default()
    })
    .await;
    let addr = server.local_addr();
    // Two idle connections take both slots.
    let first = TcpStream::connect(addr).await.expect("connect");
    let _second = TcpStream::connect(addr).await.expect("connect");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{STATUS_EVENT}",
        STATUS_EVENT.len()
    );
    let third = tokio::spawn(raw(addr, request.into_bytes().leak()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served past the cap"
    );
    assert!(drain(&mut rx).is_empty());
    drop(first);
    let answer = third.await.expect("the third request");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(drain(&mut rx).len(), 1);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_is_a_connection_error() {
    let (server, _rx) = recorder(WebhookOptions::default()).await;
    let taken = server.local_addr();
    let error = WebhookServer::bind(taken, WebhookOptions::default(), |_| async { Ok(()) })
        .await
        .expect_err("the port is taken");
    assert_eq!(error.code(), witi::ErrorCode::Connection);
    assert!(error.to_string().contains(&taken.to_string()), "{error}");
    server.shutdown().await;
}

/// Polls a future on this thread with no tokio context, as a non-tokio executor would.
fn block_on_without_tokio<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::sync::Arc::new(Unpark(std::thread::current())).into();
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

#[test]
fn outside_a_runtime_it_runs_on_the_witi_runtime() {
    let server = block_on_without_tokio(WebhookServer::bind(
        local(),
        WebhookOptions::default(),
        |_| async { Ok(()) },
    ))
    .expect("binds");
    let url = server.url();
    let status = witi::runtime::block_on(async move { post(&url, "{}").await.0 });
    assert_eq!(status, 200);
    block_on_without_tokio(server.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_panics_when_called_does_not_stop_the_server() {
    // Panics in the call itself, before any future exists (a binding's handler may): the
    // dispatcher runs handlers in its own task and must survive that too.
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler: witi::webhook::Handler = std::sync::Arc::new(move |event: witi::Event| {
        assert!(
            !event.json.contains("boom"),
            "the handler panics on purpose"
        );
        let tx = tx.clone();
        Box::pin(async move {
            tx.send(event.json).expect("the test still listens");
            Ok(())
        })
    });
    let server = WebhookServer::bind_handler(local(), WebhookOptions::default(), handler)
        .await
        .expect("binding 127.0.0.1:0");
    let url = server.url();
    let body = format!(
        "BULK,{}",
        bulk_array(&[r#"{"n":1}"#, r#"{"boom":1}"#, r#"{"n":2}"#])
    );
    assert_eq!(post(&url, body).await.0, 200);
    assert_eq!(post(&url, r#"{"n":3}"#).await.0, 200);
    assert_eq!(drain(&mut rx), [r#"{"n":1}"#, r#"{"n":2}"#, r#"{"n":3}"#]);
    server.shutdown().await;
}

//! The receiver's delivery rules over real HTTP on 127.0.0.1: one handler call per event
//! when the gateway re-sends, `wid`/`id` on every event, `Content-Encoding`, BOM runs.

use flate2::Compression;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use witi::Event;
use witi::webhook::{WebhookOptions, WebhookServer};

fn local() -> SocketAddr {
    "127.0.0.1:0".parse().expect("a valid address")
}

/// A receiver that records every event it is handed, after sleeping `delay` in the handler.
async fn recorder(
    options: WebhookOptions,
    delay: Duration,
) -> (WebhookServer, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let server = WebhookServer::bind(local(), options, move |event| {
        let record = record.clone();
        async move {
            tokio::time::sleep(delay).await;
            record.lock().expect("not poisoned").push(event);
            Ok(())
        }
    })
    .await
    .expect("binding 127.0.0.1:0");
    (server, seen)
}

fn events(seen: &Arc<Mutex<Vec<Event>>>) -> Vec<Event> {
    seen.lock().expect("not poisoned").clone()
}

/// Posts `body` the way a gateway with a `timeout` does: a timed-out attempt is sent again,
/// up to `attempts` in all. Returns the final status and how many attempts it took.
async fn gateway_post(url: &str, body: &str, timeout: Duration, attempts: usize) -> (u16, usize) {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .expect("a client");
    for attempt in 1..=attempts {
        match client.post(url).body(body.to_owned()).send().await {
            Ok(response) => return (response.status().as_u16(), attempt),
            Err(e) if e.is_timeout() => continue,
            Err(e) => panic!("attempt {attempt}: {e}"),
        }
    }
    (0, attempts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_runs_once_per_event_whatever_the_redeliveries() {
    let (server, seen) = recorder(WebhookOptions::default(), Duration::from_secs(3)).await;
    let url = format!("{}hook&wid=W1", server.url());
    let (status, attempts) = gateway_post(
        &url,
        r#"{"event":"message","n":1}"#,
        Duration::from_secs(2),
        5,
    )
    .await;
    assert_eq!(
        status, 200,
        "a redelivery is answered once the first is handled"
    );
    assert!(attempts >= 2, "the first attempt timed out ({attempts})");
    // A later repeat inside the window is answered at once, without the handler.
    let (status, attempts) = gateway_post(
        &url,
        r#"{"event":"message","n":1}"#,
        Duration::from_secs(2),
        1,
    )
    .await;
    assert_eq!((status, attempts), (200, 1));
    let got = events(&seen);
    assert_eq!(got.len(), 1, "the handler ran once: {got:?}");
    assert_eq!(got[0].wid.as_deref(), Some("W1"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_events_in_one_body_and_other_instances_are_distinct() {
    let (server, seen) = recorder(WebhookOptions::default(), Duration::ZERO).await;
    let base = server.url();
    let client = reqwest::Client::new();
    let post = |url: String, body: &'static str| {
        let client = client.clone();
        async move {
            client
                .post(url)
                .body(body)
                .send()
                .await
                .expect("answered")
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        post(format!("{base}?wid=A"), r#"[{"a":1},{"a":1}]"#).await,
        200
    );
    // Same bytes for another instance: another delivery.
    assert_eq!(
        post(format!("{base}?wid=B"), r#"[{"a":1},{"a":1}]"#).await,
        200
    );
    // Same bytes, same instance: a redelivery.
    assert_eq!(
        post(format!("{base}?wid=A"), r#"[{"a":1},{"a":1}]"#).await,
        200
    );
    let got = events(&seen);
    let wids: Vec<_> = got
        .iter()
        .map(|e| e.wid.as_deref().unwrap_or("-"))
        .collect();
    assert_eq!(wids, ["A", "A", "B", "B"]);
    assert_ne!(
        got[0].id, got[1].id,
        "two identical events in one body are two events"
    );
    assert_ne!(got[0].id, got[2].id, "ids depend on the instance");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_window_handles_every_repeat() {
    let options = WebhookOptions {
        redelivery_window: Duration::ZERO,
        ..Default::default()
    };
    let (server, seen) = recorder(options, Duration::ZERO).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let status = client
            .post(server.url())
            .body("{}")
            .send()
            .await
            .expect("answered")
            .status();
        assert_eq!(status, 200);
    }
    assert_eq!(events(&seen).len(), 3);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wid_is_percent_decoded_and_never_logged_by_debug() {
    let (server, seen) = recorder(WebhookOptions::default(), Duration::ZERO).await;
    let client = reqwest::Client::new();
    let url = format!("{}?token=x&wid=K3y%2B%2fz", server.url());
    let status = client
        .post(url)
        .body("{}")
        .send()
        .await
        .expect("answered")
        .status();
    assert_eq!(status, 200);
    let got = events(&seen);
    assert_eq!(got[0].wid.as_deref(), Some("K3y+/z"));
    let shown = format!("{:?}", got[0]);
    assert!(!shown.contains("K3y"), "{shown}");
    assert_eq!(got[0].id.len(), 32);
    server.shutdown().await;
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    w.write_all(data).expect("in-memory");
    w.finish().expect("in-memory")
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    w.write_all(data).expect("in-memory");
    w.finish().expect("in-memory")
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
    w.write_all(data).expect("in-memory");
    w.finish().expect("in-memory")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_encoding_gzip_and_deflate_are_decoded_others_get_415() {
    let (server, seen) = recorder(WebhookOptions::default(), Duration::ZERO).await;
    let client = reqwest::Client::new();
    let send = |encoding: &'static str, body: Vec<u8>| {
        let request = client
            .post(server.url())
            .header("content-encoding", encoding)
            .body(body);
        async move {
            let response = request.send().await.expect("answered");
            let status = response.status().as_u16();
            (status, response.text().await.expect("text"))
        }
    };
    assert_eq!(send("gzip", gzip(br#"{"n":1}"#)).await.0, 200);
    assert_eq!(send("x-gzip", gzip(br#"{"n":2}"#)).await.0, 200);
    assert_eq!(send("deflate", zlib(br#"{"n":3}"#)).await.0, 200);
    assert_eq!(send("deflate", raw_deflate(br#"{"n":4}"#)).await.0, 200);
    assert_eq!(send("identity", br#"{"n":5}"#.to_vec()).await.0, 200);
    let json: Vec<String> = events(&seen).into_iter().map(|e| e.json).collect();
    assert_eq!(
        json,
        [
            r#"{"n":1}"#,
            r#"{"n":2}"#,
            r#"{"n":3}"#,
            r#"{"n":4}"#,
            r#"{"n":5}"#
        ]
    );
    for name in ["br", "zstd", "compress", "made-up"] {
        let (status, text) = send(name, b"whatever".to_vec()).await;
        assert_eq!(status, 415, "{name}");
        assert!(text.contains(&format!("`{name}`")), "{text}");
    }
    // Not gzip at all.
    let (status, text) = send("gzip", b"{\"n\":6}".to_vec()).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("gzip"), "{text}");
    // A gzip bomb: 64 KiB that decode past the body limit are cut there (413).
    let bomb = gzip(&vec![b' '; 20 << 20]);
    assert!(bomb.len() < 64 * 1024);
    assert_eq!(send("gzip", bomb).await.0, 413);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_of_boms_are_dropped_at_every_level() {
    let (server, seen) = recorder(WebhookOptions::default(), Duration::ZERO).await;
    let client = reqwest::Client::new();
    let bom2 = "\u{feff}\u{feff}";
    let status = client
        .post(server.url())
        .body(format!("{bom2}BULK,[\"e30=\"]"))
        .send()
        .await
        .expect("answered")
        .status();
    assert_eq!(status, 200);
    assert_eq!(events(&seen)[0].json, "{}");
    server.shutdown().await;
}

//! The receiver when the process-wide decoding budget is in use: 503 with `Retry-After`, then
//! served once it is free. A test binary of its own: it shrinks the process-wide budget.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::mpsc;
use witi::PostbackLimits;
use witi::postback::{decode_budget, set_decode_budget};
use witi::webhook::{WebhookOptions, WebhookServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_cannot_get_budget_gets_503_with_retry_after() {
    // 2 MiB: room for one request of ~900 KB (its body, then its events), not for two.
    set_decode_budget(2 << 20);
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("valid");
    let options = WebhookOptions {
        limits: PostbackLimits {
            budget_wait: Duration::from_millis(200),
            ..PostbackLimits::default()
        },
        ..WebhookOptions::default()
    };
    // The handler holds the first event (and so its share of the budget) until released.
    let (release, released) = mpsc::channel::<()>(1);
    let released = std::sync::Arc::new(tokio::sync::Mutex::new(released));
    let server = WebhookServer::bind(addr, options, move |_event| {
        let released = released.clone();
        async move {
            released.lock().await.recv().await;
            Ok(())
        }
    })
    .await
    .expect("bound");
    let client = reqwest::Client::new();
    // 900 KB of event text: held until the handler is done with it.
    let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(900_000));
    let first = tokio::spawn(client.post(server.url()).body(big).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let held = decode_budget().1;
    assert!(
        held > 900_000,
        "the first request's events hold the budget: {held}"
    );
    let response = client
        .post(server.url())
        .body(format!(r#"{{"y":"{}"}}"#, "b".repeat(950_000)))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response.headers().get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..])
    );
    release.send(()).await.expect("the handler waits");
    assert_eq!(
        first
            .await
            .expect("joined")
            .expect("answered")
            .status()
            .as_u16(),
        200
    );
    // Free again: the same request is served.
    release.send(()).await.expect("the handler waits");
    let response = client
        .post(server.url())
        .body(format!(r#"{{"y":"{}"}}"#, "b".repeat(950_000)))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(decode_budget().1, 0, "everything given back");
    server.shutdown().await;
}

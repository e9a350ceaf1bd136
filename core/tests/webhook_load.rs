//! Many large bodies at once share the decoding budget without starving each other. A test
//! binary of its own: it shrinks the process-wide budget.
//!
//! Bodies used to be read as they came and decoded later, one per CPU: 30 senders' bodies
//! filled the budget while they waited for a decoder, every decode then found no budget for
//! its events and was refused with 503, and nothing was handled (what `bench/receivers.py`
//! showed with 50 senders of 1.6 MB bodies). A large body is now read only once a decoder is
//! free for it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use witi::postback::set_decode_budget;
use witi::webhook::{WebhookOptions, WebhookServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_large_bodies_at_once_are_all_handled() {
    // 8 MiB: room for a few bodies of ~600 KB and their events, far from thirty at once.
    set_decode_budget(8 << 20);
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = handled.clone();
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("valid");
    let server = WebhookServer::bind(addr, WebhookOptions::default(), move |_event| {
        counter.fetch_add(1, Ordering::Relaxed);
        async { Ok(()) }
    })
    .await
    .expect("bound");
    // 400 events of ~1.1 KB: a BULK body of ~600 KB, decoded to ~450 KB of text and more.
    let items: Vec<String> = (0..400)
        .map(|i| STANDARD.encode(format!(r#"{{"n":{i},"text":"{}"}}"#, "x".repeat(1100))))
        .collect();
    let body = format!("BULK,{}", serde_json::to_string(&items).expect("strings"));
    let client = reqwest::Client::new();
    // Thirty instances (`wid`): the same body for the same one would be a redelivery.
    let sends: Vec<_> = (0..30)
        .map(|i| {
            let url = format!("{}?wid=W{i}", server.url());
            tokio::spawn(client.post(url).body(body.clone()).send())
        })
        .collect();
    for send in sends {
        let response = send.await.expect("joined").expect("answered");
        assert_eq!(response.status().as_u16(), 200);
    }
    assert_eq!(handled.load(Ordering::Relaxed), 30 * 400);
    server.shutdown().await;
}

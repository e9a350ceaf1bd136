//! What the receiver's test files share: a loopback address, a POST, a channel drain and a
//! `BULK` array.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::net::SocketAddr;
use tokio::sync::mpsc;

/// `127.0.0.1:0`: a free port on loopback.
pub fn local() -> SocketAddr {
    "127.0.0.1:0".parse().expect("a valid address")
}

/// POSTs `body` to `url`: the answer's status and text.
pub async fn post(url: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .expect("the receiver answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a text answer"))
}

/// What the channel holds now.
pub fn drain(rx: &mut mpsc::UnboundedReceiver<String>) -> Vec<String> {
    let mut got = Vec::new();
    while let Ok(item) = rx.try_recv() {
        got.push(item);
    }
    got
}

/// The JSON array of a `BULK,` body: each event's text in base64.
pub fn bulk_array(events: &[&str]) -> String {
    let items: Vec<String> = events.iter().map(|e| STANDARD.encode(e)).collect();
    serde_json::to_string(&items).expect("strings serialize")
}

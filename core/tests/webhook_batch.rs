//! The receiver with a `BatchHandler` (what the Python and Node bindings use): each request
//! whole, in order, and requests that queued up while the handler was busy merged into one
//! call (`witi::webhook::MERGE_EVENTS`).

mod webhook_support;

use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, mpsc};
use webhook_support::{bulk_array, drain, local, post};
use witi::webhook::{BatchHandler, MERGE_EVENTS, WebhookOptions, WebhookServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_handler_gets_each_request_whole_and_in_order() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handler: BatchHandler = std::sync::Arc::new(move |events: Vec<witi::Event>| {
        let tx = tx.clone();
        Box::pin(async move {
            let texts: Vec<String> = events.into_iter().map(|e| e.json).collect();
            assert!(
                !texts.iter().any(|t| t.contains("boom")),
                "panics on purpose"
            );
            let failures = texts
                .iter()
                .filter(|t| t.contains("fail"))
                .map(|_| "failed on purpose".into())
                .collect();
            tx.send(texts.join(" ")).expect("the test still listens");
            failures
        })
    });
    let server = WebhookServer::bind_batch_handler(local(), WebhookOptions::default(), handler)
        .await
        .expect("binding 127.0.0.1:0");
    let url = server.url();
    let body = format!(
        "BULK,{}",
        bulk_array(&[r#"{"n":1}"#, r#"{"fail":1}"#, r#"{"n":2}"#])
    );
    // Answered once the batch is handled; a failure or a panic still gets 200.
    assert_eq!(post(&url, body).await.0, 200);
    assert_eq!(drain(&mut rx), [r#"{"n":1} {"fail":1} {"n":2}"#]);
    assert_eq!(post(&url, r#"{"boom":1}"#).await.0, 200);
    assert_eq!(post(&url, r#"{"n":3}"#).await.0, 200);
    assert_eq!(drain(&mut rx), [r#"{"n":3}"#]);
    server.shutdown().await;
}

/// One call's events, as `(wid, json)`.
type Call = Vec<(Option<String>, String)>;

/// A batch handler that records each call and, while `gate` is set, holds its first call
/// until the test lets it go (so that requests queue up behind it).
fn gated_recorder(calls: Arc<Mutex<Vec<Call>>>, gate: Arc<Notify>) -> BatchHandler {
    let first = Arc::new(Mutex::new(true));
    Arc::new(move |events: Vec<witi::Event>| {
        let (calls, gate, first) = (calls.clone(), gate.clone(), first.clone());
        Box::pin(async move {
            let hold = std::mem::replace(&mut *first.lock().expect("not poisoned"), false);
            if hold {
                gate.notified().await;
            }
            let call = events.into_iter().map(|e| (e.wid, e.json)).collect();
            calls.lock().expect("not poisoned").push(call);
            Vec::new()
        })
    })
}

/// A BULK body of `n` events `{"r":"<name>","i":<i>}`.
fn request_body(name: &str, n: usize) -> String {
    let events: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"r":"{name}","i":{i}}}"#))
        .collect();
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    format!("BULK,{}", bulk_array(&refs))
}

/// Each call's requests, in the order their events came: `(wid, events)`; panics when a
/// request's events are split, out of order, or under another request's `wid`.
fn requests_in(call: &Call) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (wid, json) in call {
        let value: serde_json::Value = serde_json::from_str(json).expect("the events are JSON");
        let name = value["r"].as_str().expect("a request name").to_string();
        let i = value["i"].as_u64().expect("an index") as usize;
        assert_eq!(
            wid.as_deref(),
            Some(name.as_str()),
            "each event keeps its request's wid"
        );
        match out.last_mut() {
            Some((last, n)) if *last == name => {
                assert_eq!(i, *n, "a request's events in order");
                *n += 1;
            }
            _ => {
                assert_eq!(i, 0, "a request starts with its first event");
                assert!(
                    !out.iter().any(|(seen, _)| *seen == name),
                    "a request is never split"
                );
                out.push((name, 1));
            }
        }
    }
    out
}

/// A receiver whose handler holds its first call (request `first`) while the `queued`
/// requests are sent; then lets it go. Every request must be answered 200, the first only
/// after the gate opened. Returns the handler's calls.
async fn run_queued(first: (&'static str, usize), queued: &[(&'static str, usize)]) -> Vec<Call> {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let gate = Arc::new(Notify::new());
    let handler = gated_recorder(calls.clone(), gate.clone());
    let server = WebhookServer::bind_batch_handler(local(), WebhookOptions::default(), handler)
        .await
        .expect("binding 127.0.0.1:0");
    let url = server.url();
    let held = tokio::spawn(post_named(url.clone(), first.0, first.1));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let posts: Vec<_> = queued
        .iter()
        .map(|&(name, n)| tokio::spawn(post_named(url.clone(), name, n)))
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(
        !held.is_finished(),
        "no answer before the events are handled"
    );
    gate.notify_one();
    assert_eq!(held.await.expect("the post task"), 200);
    for task in posts {
        assert_eq!(task.await.expect("a post task"), 200);
    }
    server.shutdown().await;
    calls.lock().expect("not poisoned").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_queued_behind_a_busy_handler_are_merged_into_one_call() {
    // Timing decides how many requests have queued when the gate opens; three tries make a
    // slow machine's miss unlikely, while a receiver that never merges fails every time.
    for _ in 0..3 {
        let calls = run_queued(("a", 2), &[("b", 3), ("c", 3), ("d", 3), ("e", 3)]).await;
        let per_call: Vec<Vec<(String, usize)>> = calls.iter().map(requests_in).collect();
        assert_eq!(per_call[0], [("a".to_string(), 2)]);
        let mut names: Vec<String> = per_call.iter().flatten().map(|(n, _)| n.clone()).collect();
        names.sort();
        assert_eq!(
            names,
            ["a", "b", "c", "d", "e"],
            "every request handled once"
        );
        let whole = |(n, count): &(String, usize)| *count == if n == "a" { 2 } else { 3 };
        assert!(per_call.iter().flatten().all(whole));
        if per_call.len() == 2 {
            return; // b..e came in one call
        }
    }
    panic!("the requests queued behind the busy handler never came in one call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merged_call_stays_under_the_cap_and_a_large_request_goes_alone() {
    // Requests of a third of the cap, and one over it, queued while the first is held.
    let third = MERGE_EVENTS / 3 + 1;
    let queued = [
        ("huge", MERGE_EVENTS + 1),
        ("p", third),
        ("q", third),
        ("r", third),
        ("s", third),
        ("t", third),
    ];
    let calls = run_queued(("first", 1), &queued).await;
    let mut handled = 0;
    for call in &calls {
        let requests = requests_in(call);
        handled += requests.len();
        if requests.len() > 1 {
            assert!(
                call.len() <= MERGE_EVENTS,
                "a merged call of {} events",
                call.len()
            );
        }
        if requests.iter().any(|(name, _)| name == "huge") {
            assert_eq!(requests.len(), 1, "a request over the cap goes alone");
        }
    }
    assert_eq!(handled, 7, "every request once");
    // The first alone, the huge one alone, and at most two of the others per call.
    assert!(calls.len() >= 5, "{} calls", calls.len());
}

/// POSTs `request_body(name, n)` with `wid=name`; the answer's status.
async fn post_named(url: String, name: &'static str, n: usize) -> u16 {
    post(&format!("{url}?wid={name}"), request_body(name, n))
        .await
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_handler_gets_the_same_events_without_their_statuses() {
    // Bindings build a status on first access (witi::postback::event_status): the receiver
    // builds none for a BatchHandler; kind, text, wid and id are those of a full decode.
    const STATUS_EVENT: &str = include_str!("../../tests/fixtures/postback/status_event.json");
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<witi::Event>>();
    let handler: BatchHandler = Arc::new(move |events: Vec<witi::Event>| {
        let tx = tx.clone();
        Box::pin(async move {
            tx.send(events).expect("the test still listens");
            Vec::new()
        })
    });
    let server = WebhookServer::bind_batch_handler(local(), WebhookOptions::default(), handler)
        .await
        .expect("binding 127.0.0.1:0");
    let body = format!("BULK,{}", bulk_array(&[STATUS_EVENT, r#"{"n":1}"#]));
    let url = format!("{}?wid=W", server.url());
    assert_eq!(post(&url, body.clone()).await.0, 200);
    let got = rx.try_recv().expect("one call");
    let full = witi::decode_postback_for(body.as_bytes(), Some("W"), &Default::default())
        .expect("a valid body");
    assert_eq!(got.len(), 2);
    for (event, full) in got.iter().zip(&full) {
        assert_eq!(event.status, None);
        assert_eq!(
            (event.kind, &event.json, &event.wid, &event.id),
            (full.kind, &full.json, &full.wid, &full.id)
        );
        assert_eq!(witi::postback::event_status(&event.json), full.status);
    }
    assert_eq!(got[0].kind, witi::EventKind::Status);
    server.shutdown().await;
}

//! PostBack delivery to a tiny receiver: the three framings, batching, retries, the URL suffix,
//! state-change events and arbitrary events.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use witi_sim::{InstanceConfig, PostbackBody};

const WAIT: Duration = Duration::from_secs(5);

async fn configure(
    sim: &witi_sim::Simulator,
    key: &str,
    rx: &Receiver,
    bulk: bool,
    version: &str,
) -> Value {
    let body = json!({"webhook": rx.webhook(), "APIVersionCanBulk": bulk, "APIVersion": version});
    let (c, v) = post(sim, "set_config.aspx", key, body).await;
    assert_eq!(c, 200);
    v
}

/// Every event of every POST received, in order.
fn events(rx: &Receiver) -> Vec<Value> {
    rx.all()
        .iter()
        .flat_map(|r| decode_postback(&r.body))
        .collect()
}

async fn wait_events(rx: &Receiver, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ev = events(rx);
        if ev.len() >= n {
            return ev;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} events, got {ev:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn codes(ev: &[Value]) -> Vec<i64> {
    ev.iter().filter_map(|e| e["status"].as_i64()).collect()
}

#[tokio::test]
async fn plain_json_events_of_the_whole_flow() {
    let sim = sim_with(InstanceConfig {
        starting_delay_ms: Some(50),
        ..Default::default()
    })
    .await;
    let rx = Receiver::start(0).await;
    let v = configure(&sim, "p", &rx, false, "1.0").await;
    let web_id = v["WebID"].as_str().unwrap().to_owned();

    post(&sim, "generate_qrcode.aspx", "p", json!({})).await;
    sim.scan("p", None).unwrap();
    wait_status(&sim, "p", 10, WAIT).await;
    get(&sim, "close_session.aspx", "p").await;
    get(&sim, "restore_session.aspx", "p").await;
    get(&sim, "disconnect.aspx", "p").await;
    sim.force_status("p", 99, Some("SomethingNew".into()))
        .unwrap();

    // set_config, 0→3, 3→4, 4→10, close (0), restore (10), disconnect (0), forced 99.
    let got = rx.wait_for(8, WAIT).await;
    for r in &got {
        assert_eq!(r.path_and_query, format!("/hook?token=t&wid={web_id}"));
        assert!(
            r.content_type.starts_with("application/json"),
            "{}",
            r.content_type
        );
    }
    let ev: Vec<Value> = got.iter().flat_map(|r| decode_postback(&r.body)).collect();
    assert_eq!(ev.len(), 8, "one event per POST in plain mode");
    assert_eq!(codes(&ev), [0, 3, 4, 10, 0, 10, 0, 99]);
    assert_eq!(
        ev[3]["ConnectionInfo"]["isResponse"], "false",
        "same object as status.aspx"
    );
    assert_eq!(ev[7]["statusString"], "SomethingNew");
    let counts = sim.wait_postbacks_settled("p", WAIT).await;
    assert_eq!((counts.delivered, counts.failed, counts.pending), (8, 0, 0));
    sim.shutdown().await;
}

#[tokio::test]
async fn expiry_sends_a_postback_without_polling() {
    let sim = sim_with(InstanceConfig {
        qr_ttl_ms: Some(200),
        ..Default::default()
    })
    .await;
    let rx = Receiver::start(0).await;
    configure(&sim, "x", &rx, false, "1.0").await;
    post(&sim, "generate_qrcode.aspx", "x", json!({})).await;
    // Nobody calls status.aspx: the timer must fire on its own.
    let ev = wait_events(&rx, 3).await;
    assert_eq!(codes(&ev), [0, 3, 0]);
    sim.shutdown().await;
}

#[tokio::test]
async fn bulk_batches_events_of_the_window() {
    let sim = sim_with(InstanceConfig {
        bulk_window_ms: Some(800),
        starting_delay_ms: Some(0),
        ..Default::default()
    })
    .await;
    let rx = Receiver::start(0).await;
    configure(&sim, "b", &rx, true, "1.0").await;
    post(&sim, "generate_qrcode.aspx", "b", json!({})).await;
    sim.scan("b", None).unwrap(); // 4 then 10 at once: starting delay 0
    let got = rx.wait_for(1, WAIT).await;
    assert!(got[0].body.starts_with(b"BULK,"));
    assert!(got[0].content_type.starts_with("text/plain"));
    // set_config, 0→3, 3→4, 4→10 all within the 800 ms window: one POST.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = rx.all();
    assert_eq!(all.len(), 1, "batched in one POST");
    assert_eq!(codes(&decode_postback(&all[0].body)), [0, 3, 4, 10]);
    sim.shutdown().await;
}

#[tokio::test]
async fn bulkgz_framing_with_bom() {
    let sim = sim().await;
    let rx = Receiver::start(0).await;
    configure(&sim, "g", &rx, true, "1.1").await;
    sim.send_postback(
        "g",
        PostbackBody::Event(json!({"type": "message", "body": "olá"})),
    )
    .unwrap();
    let got = rx.wait_for(1, WAIT).await;
    assert!(got[0].body.starts_with(b"BULKGZ,"));
    let ev = wait_events(&rx, 2).await; // decode_postback asserts the BOM
    assert_eq!(ev[0]["status"], 0);
    assert_eq!(ev[1], json!({"type": "message", "body": "olá"}));
    sim.shutdown().await;
}

#[tokio::test]
async fn retries_until_the_receiver_recovers() {
    let sim = sim().await;
    sim.set_instance_config(
        "r",
        InstanceConfig {
            retry_initial_ms: Some(20),
            retry_max_ms: Some(50),
            ..Default::default()
        },
    )
    .unwrap();
    let rx = Receiver::start(3).await; // first three POSTs get HTTP 500
    configure(&sim, "r", &rx, false, "1.0").await;
    let got = rx.wait_for(1, WAIT).await;
    assert_eq!(codes(&decode_postback(&got[0].body)), [0]);
    assert_eq!(rx.attempts.load(std::sync::atomic::Ordering::SeqCst), 4);
    let counts = sim.wait_postbacks_settled("r", WAIT).await;
    assert_eq!((counts.delivered, counts.failed), (1, 0));
    sim.shutdown().await;
}

#[tokio::test]
async fn gives_up_after_the_attempts_and_keeps_order() {
    let sim = sim().await;
    sim.set_instance_config(
        "f",
        InstanceConfig {
            retry_initial_ms: Some(10),
            retry_attempts: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    // Nothing listens on this port once the receiver is dropped: connection refused.
    let dead = Receiver::start(0).await;
    let url = dead.webhook();
    drop(dead);
    tokio::time::sleep(Duration::from_millis(50)).await;
    post(&sim, "set_config.aspx", "f", json!({"webhook": url})).await;
    let counts = sim.wait_postbacks_settled("f", WAIT).await;
    assert_eq!((counts.delivered, counts.failed, counts.pending), (0, 1, 0));

    // Then to a live receiver: raw bodies go as is, events in order.
    let rx = Receiver::start(0).await;
    configure(&sim, "f", &rx, false, "1.0").await;
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/f/postback",
        Some(json!({"raw": "BULK,[\"bm90IGpzb24=\"]"})),
    )
    .await;
    assert_eq!(c, 200);
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/f/postback",
        Some(json!({"event": {"type": "x", "n": 1}})),
    )
    .await;
    assert_eq!(c, 200);
    let got = rx.wait_for(3, WAIT).await;
    assert_eq!(&got[1].body[..], b"BULK,[\"bm90IGpzb24=\"]");
    assert!(got[1].content_type.starts_with("text/plain"));
    assert_eq!(
        serde_json::from_slice::<Value>(&got[2].body).unwrap(),
        json!({"type": "x", "n": 1})
    );
    let counts = sim.wait_postbacks_settled("f", WAIT).await;
    assert_eq!((counts.delivered, counts.failed), (3, 1));
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/f/postback",
        Some(json!({"raw": "a", "event": 1})),
    )
    .await;
    assert_eq!(c, 400);
    sim.shutdown().await;
}

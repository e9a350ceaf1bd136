//! Every fault kind as a client sees it over real TCP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use witi_sim::{Fault, FaultKind};

#[tokio::test]
async fn http_status_with_retry_after_then_normal() {
    let sim = sim().await;
    sim.add_fault(
        Fault::new("status", FaultKind::HttpStatus)
            .status(429)
            .retry_after("3")
            .times(1),
    )
    .unwrap();
    let c = client();
    let r = c.get(url(&sim, "status.aspx", "k")).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    assert_eq!(json_of(r).await["error"], "Simulated HTTP 429");
    // Consumed: the next call is normal.
    let r = c.get(url(&sim, "status.aspx", "k")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        sim.instance("k").unwrap().calls["status.aspx"],
        2,
        "faulted calls count"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn statuses_fifo_per_key_and_wildcard() {
    let sim = sim().await;
    for (status, body) in [(500, None), (503, Some("down")), (401, None), (403, None)] {
        let mut f = Fault::new("*", FaultKind::HttpStatus)
            .status(status)
            .times(1)
            .for_key("a");
        if let Some(b) = body {
            f = f.body(b);
        }
        sim.add_fault(f).unwrap();
    }
    let c = client();
    // Another key is not affected.
    let r = c.get(url(&sim, "clear.aspx", "b")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let mut seen = Vec::new();
    for cmd in [
        "status.aspx",
        "clear.aspx",
        "disconnect.aspx",
        "save_session.aspx",
    ] {
        let r = c.get(url(&sim, cmd, "a")).send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        seen.push((
            status,
            ct.starts_with("text/plain"),
            r.text().await.unwrap(),
        ));
    }
    assert_eq!(seen[0].0, 500);
    assert_eq!(seen[1], (503, true, "down".to_owned()));
    assert_eq!(seen[2].0, 401);
    assert_eq!(seen[3].0, 403);
    assert!(sim.faults().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn html_empty_and_truncated() {
    let sim = sim().await;
    for fault in [
        json!({"command": "status.aspx", "kind": "html", "count": 1}),
        json!({"command": "status", "kind": "empty", "count": 1}),
        json!({"command": "status", "kind": "truncated", "count": 1}),
        json!({"command": "status", "kind": "html", "status": 502, "count": 1}),
    ] {
        let (c, _) = control(&sim, "POST", "_sim/faults", Some(fault)).await;
        assert_eq!(c, 200);
    }
    let http = client();

    let r = http
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let text = r.text().await.unwrap();
    assert!(text.contains("<html>"));
    assert!(serde_json::from_str::<Value>(&text).is_err());

    let r = http
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "");

    let r = http
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.starts_with("{\"status\":0"), "{text}");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "truncated JSON must not parse"
    );

    let r = http
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);

    let (_, v) = get(&sim, "status.aspx", "k").await;
    assert_eq!(v["status"], 0, "back to normal");
    sim.shutdown().await;
}

#[tokio::test]
async fn latency_delays_then_answers() {
    let sim = sim().await;
    sim.add_fault(
        Fault::new("status", FaultKind::Latency)
            .latency_ms(300)
            .times(1),
    )
    .unwrap();
    let t = Instant::now();
    let (c, v) = get(&sim, "status.aspx", "k").await;
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert_eq!((c, v["status"].clone()), (200, json!(0)));
    sim.shutdown().await;
}

#[tokio::test]
async fn reset_is_a_connection_error() {
    let sim = sim().await;
    sim.add_fault(Fault::new("*", FaultKind::Reset).times(1))
        .unwrap();
    let err = client()
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .expect_err("a reset connection is an error, not an answer");
    assert!(!err.is_timeout(), "{err:?}");
    assert!(
        err.is_request() || err.is_connect() || err.to_string().contains("error"),
        "{err:?}"
    );
    // The server keeps serving.
    let (c, _) = get(&sim, "status.aspx", "k").await;
    assert_eq!(c, 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn reset_on_a_reused_keep_alive_connection() {
    let sim = sim().await;
    let http = client();
    let r = http
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let _ = r.text().await;
    sim.add_fault(Fault::new("status", FaultKind::Reset).times(1))
        .unwrap();
    assert!(
        http.get(url(&sim, "status.aspx", "k"))
            .send()
            .await
            .is_err()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn stall_times_out_then_ends() {
    let sim = sim().await;
    sim.add_fault(Fault::new("status", FaultKind::Stall).times(1))
        .unwrap();
    let short = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let t = Instant::now();
    let err = short
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(t.elapsed() >= Duration::from_millis(300));

    // With stall_ms, the connection is dropped after that time.
    sim.add_fault(
        Fault::new("status", FaultKind::Stall)
            .stall_ms(200)
            .times(1),
    )
    .unwrap();
    let t = Instant::now();
    let err = client()
        .get(url(&sim, "status.aspx", "k"))
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    assert!(t.elapsed() >= Duration::from_millis(200));

    // A stall with no end is released by shutdown, which must not hang.
    sim.add_fault(Fault::new("status", FaultKind::Stall).times(1))
        .unwrap();
    let pending = tokio::spawn({
        let u = url(&sim, "status.aspx", "k");
        async move { client().get(u).send().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("shutdown ends stalls");
    assert!(pending.await.unwrap().is_err());
}

#[tokio::test]
async fn bad_faults_are_refused_and_clear_works() {
    let sim = sim().await;
    for bad in [
        json!({"command": "nope", "kind": "empty"}),
        json!({"command": "*", "kind": "latency"}),
        json!({"command": "*", "kind": "http_status", "status": 1000}),
        json!({"command": "*", "kind": "explode"}),
        json!({"command": "*", "kind": "empty", "count": 0}),
    ] {
        let (c, v) = control(&sim, "POST", "_sim/faults", Some(bad.clone())).await;
        assert_eq!(c, 400, "{bad} → {v}");
    }
    sim.add_fault(Fault::new("*", FaultKind::Empty).for_key("x"))
        .unwrap();
    sim.add_fault(Fault::new("*", FaultKind::Empty)).unwrap();
    let (_, list) = control(&sim, "DELETE", "_sim/faults?key=x", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = control(&sim, "DELETE", "_sim/faults", None).await;
    assert_eq!(list, json!([]));
    let (c, _) = get(&sim, "status.aspx", "x").await;
    assert_eq!(c, 200);
    sim.shutdown().await;
}

/// Pairs `key`'s phone at once: status 10.
async fn authenticated(sim: &witi_sim::Simulator, key: &str) {
    sim.set_instance_config(
        key,
        witi_sim::InstanceConfig {
            starting_delay_ms: Some(0),
            ..Default::default()
        },
    )
    .unwrap();
    post(sim, "generate_qrcode.aspx", key, json!({})).await;
    sim.scan(key, None).unwrap();
}

#[tokio::test]
async fn faults_on_the_new_commands() {
    let sim = sim().await;
    authenticated(&sim, "k").await;
    let body = json!({"number": "5511987654321@s.whatsapp.net", "message": "once"}).to_string();
    let quick = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let send = || {
        quick
            .post(url(&sim, "send_message.aspx", "k"))
            .body(body.clone())
            .send()
    };

    // A stall before handling: the request never reached the command, nothing was sent.
    sim.add_fault(
        Fault::new("send_message", FaultKind::Stall)
            .stall_ms(2_000)
            .times(1),
    )
    .unwrap();
    assert!(send().await.is_err(), "the client times out");
    assert_eq!(sim.sent("k").unwrap().len(), 0);

    // Handled, then answered too late: sent exactly once, the client saw a timeout.
    sim.add_fault(
        Fault::new("send_message", FaultKind::Latency)
            .latency_ms(1_000)
            .after_handling(true)
            .times(1),
    )
    .unwrap();
    let started = Instant::now();
    assert!(send().await.is_err(), "the client times out");
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(sim.sent("k").unwrap().len(), 1, "handled before the wait");

    // The same with a stall over the control API, and never answered.
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/faults",
        Some(json!({"key": "k", "command": "send_message", "kind": "stall", "after_handling": true, "count": 1})),
    )
    .await;
    assert_eq!(c, 200);
    assert!(send().await.is_err());
    assert_eq!(sim.sent("k").unwrap().len(), 2);
    // A reset after handling: a connection error, but the message went.
    sim.add_fault(
        Fault::new("send_message", FaultKind::Reset)
            .after_handling(true)
            .times(1),
    )
    .unwrap();
    assert!(send().await.is_err());
    assert_eq!(sim.sent("k").unwrap().len(), 3);

    // No fault left: a normal answer.
    let r = send().await.unwrap();
    assert_eq!(json_of(r).await["success"], true);
    assert_eq!(sim.sent("k").unwrap().len(), 4);
    assert_eq!(sim.instance("k").unwrap().calls["send_message.aspx"], 5);

    // Any kind on a GET command of the new chapters, and "*" catches them too.
    sim.add_fault(
        Fault::new("chats", FaultKind::HttpStatus)
            .status(503)
            .times(1),
    )
    .unwrap();
    let r = client()
        .get(url(&sim, "chats.aspx", "k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    sim.add_fault(Fault::new("*", FaultKind::Truncated).times(1))
        .unwrap();
    let r = client()
        .get(url(&sim, "contacts.aspx", "k"))
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.starts_with('[') && serde_json::from_str::<Value>(&text).is_err());
    let (c, v) = control(
        &sim,
        "POST",
        "_sim/faults",
        Some(json!({"command": "group_create.aspx", "kind": "empty", "count": 1})),
    )
    .await;
    assert_eq!(c, 200, "{v}");
    sim.shutdown().await;
}

//! The control API over HTTP, and the limits that protect the simulator from hostile input.

mod common;

use common::*;
use serde_json::json;
use witi_sim::{SimConfig, Simulator};

#[tokio::test]
async fn control_api_endpoints() {
    let sim = sim().await;
    let (c, v) = control(&sim, "GET", "_sim/health", None).await;
    assert_eq!((c, v), (200, json!({"ok": true})));
    let (c, _) = control(&sim, "GET", "_sim/instances/none", None).await;
    assert_eq!(c, 404);
    let (c, v) = control(
        &sim,
        "POST",
        "_sim/config",
        Some(json!({"qr_ttl_ms": 5000})),
    )
    .await;
    assert_eq!((c, v["qr_ttl_ms"].clone()), (200, json!(5000)));
    let (_, qr) = post(&sim, "generate_qrcode.aspx", "n", json!({})).await;
    assert_eq!(qr["ttl"], 5, "new instances take the new defaults");
    let (c, v) = control(
        &sim,
        "POST",
        "_sim/instances/n/config",
        Some(json!({"auto_scan_after_ms": null, "starting_delay_ms": 10})),
    )
    .await;
    assert_eq!(c, 200);
    assert_eq!(v["config"]["starting_delay_ms"], 10);
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/n/config",
        Some(json!({"bogus": 1})),
    )
    .await;
    assert_eq!(c, 400);
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/n/postback",
        Some(json!({"event": {}})),
    )
    .await;
    assert_eq!(c, 409, "no webhook registered");
    let (c, v) = control(&sim, "GET", "_sim/instances/n", None).await;
    assert_eq!(c, 200);
    for k in [
        "status",
        "status_string",
        "qr_payload",
        "qr_expires_in_ms",
        "can_restore",
        "webhook",
        "api_version",
        "bulk",
        "postbacks",
        "calls",
    ] {
        assert!(v.get(k).is_some(), "snapshot lacks {k}: {v}");
    }
    assert_eq!(v["calls"]["generate_qrcode.aspx"], 1);
    let (c, _) = control(&sim, "POST", "_sim/reset", None).await;
    assert_eq!(c, 200);
    assert!(sim.instance("n").is_none());
    let (_, v) = control(&sim, "GET", "_sim/config", None).await;
    assert_eq!(v["qr_ttl_ms"], 20000, "reset restores the start defaults");
    let (c, _) = control(&sim, "GET", "_sim/nothing", None).await;
    assert_eq!(c, 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn limits_on_hostile_input() {
    let sim = Simulator::start(SimConfig {
        max_instances: 2,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = client();
    // Oversized body, bad UTF-8 and over-long keys are refused without creating instances.
    let r = http
        .post(url(&sim, "set_config.aspx", "big"))
        .body(vec![b' '; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let r = http
        .get(url(&sim, "status.aspx", "%ff%fe"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let long = "k".repeat(600);
    let r = http
        .get(url(&sim, "status.aspx", &long))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/x/config",
        Some(json!({"qr_ttl_ms": 0})),
    )
    .await;
    assert_eq!(c, 400);
    let (c, _) = control(&sim, "POST", "_sim/faults", Some(json!("not an object"))).await;
    assert_eq!(c, 400);

    // max_instances: the third key is refused with 503, known keys still work.
    for key in ["a", "b"] {
        let (c, _) = get(&sim, "status.aspx", key).await;
        assert_eq!(c, 200);
    }
    let r = http
        .get(url(&sim, "status.aspx", "c"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let (c, _) = get(&sim, "status.aspx", "a").await;
    assert_eq!(c, 200);
    sim.shutdown().await;
}

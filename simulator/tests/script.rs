//! Scripted status.aspx answers, a QR code the gateway drops at once, and restoring from 11:
//! what the pairing corpus (tests/conformance/059+) relies on.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use witi_sim::InstanceConfig;

#[tokio::test]
async fn a_script_plays_its_answers_then_the_state_machine_answers() {
    let sim = sim().await;
    let (c, snap) = control(
        &sim,
        "POST",
        "_sim/instances/s/status_script",
        Some(
            json!({"answers": [3, {"status": 4, "statusString": "Starting", "odd": true}, 12, 10]}),
        ),
    )
    .await;
    assert_eq!(c, 200, "{snap}");
    assert_eq!(snap["scripted_answers_left"], 4);
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(
        (v["status"].clone(), v["statusString"].clone()),
        (json!(3), json!("waitForQRAuthentication"))
    );
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(
        v,
        json!({"status": 4, "statusString": "Starting", "odd": true}),
        "a body as is"
    );
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(v["status"], 12);
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(
        (v["status"].clone(), v["connected"].clone()),
        (json!(10), json!(true))
    );
    assert!(
        v["ConnectionInfo"].is_object(),
        "a scripted 10 shows the phone"
    );
    // Run out: the real state (0, nothing happened underneath).
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(v["status"], 0);
    assert_eq!(sim.instance("s").unwrap().scripted_answers_left, 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn only_answers_are_scripted_the_qr_underneath_lives_on() {
    let sim = sim().await;
    sim.status_script("q", vec![json!(0), json!(0)]).unwrap();
    let (_, qr) = post(&sim, "generate_qrcode.aspx", "q", json!({})).await;
    assert_eq!(qr["status"], 1, "generate works during a script: {qr}");
    let (_, v) = get(&sim, "status.aspx", "q").await;
    assert_eq!(v["status"], 0, "scripted");
    assert_eq!(sim.instance("q").unwrap().status, 3, "the real state");
    assert!(sim.scan("q", None).is_ok(), "the live QR can be scanned");
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_scripts_are_refused_and_an_empty_one_clears() {
    let sim = sim().await;
    for body in [
        json!({"answers": ["3"]}),
        json!({"answers": [1.5]}),
        json!({"nope": []}),
        json!({"answers": [null]}),
    ] {
        let (c, _) = control(
            &sim,
            "POST",
            "_sim/instances/b/status_script",
            Some(body.clone()),
        )
        .await;
        assert_eq!(c, 400, "{body}");
    }
    sim.status_script("b", vec![json!(10)]).unwrap();
    let snap = sim.status_script("b", vec![]).unwrap();
    assert_eq!(snap.scripted_answers_left, 0);
    let (_, v) = get(&sim, "status.aspx", "b").await;
    assert_eq!(v["status"], 0);
    let (c, _) = control(&sim, "GET", "_sim/instances/b/status_script", None).await;
    assert_eq!(c, 405);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_dropping_gateway_kills_the_qr_before_its_announced_ttl() {
    let sim = sim_with(InstanceConfig {
        qr_drop_after_ms: Some(Some(50)),
        ..Default::default()
    })
    .await;
    let (_, qr) = post(&sim, "generate_qrcode.aspx", "d", json!({})).await;
    assert_eq!(qr["ttl"], 20, "the answer still announces the full ttl");
    tokio::time::sleep(Duration::from_millis(120)).await;
    let (_, v) = get(&sim, "status.aspx", "d").await;
    assert_eq!(v["status"], 0);
    assert!(sim.instance("d").unwrap().qr_payload.is_none());
    let (c, snap) = control(
        &sim,
        "POST",
        "_sim/instances/d/config",
        Some(json!({"qr_drop_after_ms": null})),
    )
    .await;
    assert_eq!(
        (c, snap["config"]["qr_drop_after_ms"].clone()),
        (200, json!(null))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn eleven_restores_without_a_saved_session() {
    let sim = sim().await;
    sim.force_status("r", 11, None).unwrap();
    let (_, v) = get(&sim, "restore_session.aspx", "r").await;
    assert_eq!(v["sucesso"], true, "{v}");
    assert_eq!(sim.instance("r").unwrap().status, 10);
    // 13 (not authenticated) has nothing to resume.
    sim.force_status("n", 13, None).unwrap();
    let (_, v) = get(&sim, "restore_session.aspx", "n").await;
    assert_eq!(v["sucesso"], false, "{v}");
    sim.shutdown().await;
}

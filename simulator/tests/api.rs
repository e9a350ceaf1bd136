//! The eight commands over real TCP: answer shapes against the seed document, and the state
//! machine (QR → scan → 4 → 10, expiry, close/restore, disconnect, clear, set_config).

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use witi_sim::InstanceConfig;

const TOP: &[&str] = &[
    "status",
    "statusString",
    "connected",
    "WebID",
    "Webhook",
    "UserAgent",
    "CanRestoreConnection",
    "stats",
    "storage",
];

/// Long enough that the test sees status 4 even on a loaded machine.
fn fast() -> InstanceConfig {
    InstanceConfig {
        starting_delay_ms: Some(1000),
        ..Default::default()
    }
}

/// Checks the connection information object field by field against the seed's example.
fn assert_conn_info(v: &Value, code: i64, paired: bool) {
    let mut expected = TOP.to_vec();
    if paired {
        expected.push("ConnectionInfo");
    }
    assert_eq!(keys(v), sorted(&expected), "{v}");
    assert_eq!(v["status"], code);
    assert!(v["statusString"].is_string());
    assert!(v["connected"].is_boolean());
    let web_id = v["WebID"].as_str().expect("WebID");
    let parts: Vec<usize> = web_id.split('-').map(str::len).collect();
    assert_eq!(parts, [8, 4, 4, 4, 12], "{web_id}");
    assert_eq!(web_id, web_id.to_uppercase());
    assert_eq!(
        keys(&v["stats"]),
        sorted(&["Contacts", "Chats", "SentBytes", "ReceveidBytes"])
    );
    let storage = &v["storage"];
    assert_eq!(keys(storage), sorted(&["Name", "Bytes", "Files", "Subs"]));
    assert_eq!(storage["Name"], web_id);
    for sub in storage["Subs"].as_array().expect("Subs") {
        assert_eq!(keys(sub), sorted(&["Name", "Bytes", "Files", "Subs"]));
        assert!(sub["Subs"].is_null());
    }
    if paired {
        let ci = &v["ConnectionInfo"];
        assert_eq!(
            keys(ci),
            sorted(&[
                "lg",
                "lc",
                "phone",
                "battery",
                "tos",
                "pushname",
                "protoVersion",
                "plugged",
                "platform",
                "wid",
                "connected",
                "isResponse",
                "binVersion",
                "locales"
            ])
        );
        assert_eq!(
            keys(&ci["phone"]),
            sorted(&[
                "device_model",
                "wa_version",
                "mcc",
                "os_version",
                "os_build_number",
                "device_manufacturer",
                "mnc"
            ])
        );
        assert_eq!(ci["phone"]["os_build_number"], "undefined");
        assert_eq!(ci["isResponse"], "false", "a string, as the seed shows");
        assert_eq!(ci["protoVersion"], json!([0, 17]));
        assert_eq!(ci["locales"], "en-US,pt-BR");
        assert!(
            ci["wid"]
                .as_str()
                .is_some_and(|w| w.ends_with("@s.whatsapp.net"))
        );
    }
}

#[tokio::test]
async fn new_instance_status_and_headers() {
    let sim = sim().await;
    let resp = client()
        .get(url(&sim, "status.aspx", "fresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let v = json_of(resp).await;
    assert_conn_info(&v, 0, false);
    assert_eq!(v["statusString"], "noConnection");
    assert_eq!(v["connected"], false);
    assert_eq!(v["Webhook"], "");
    assert_eq!(v["CanRestoreConnection"], false);
    assert_eq!(v["storage"]["Bytes"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn qr_scan_starting_authenticated() {
    let sim = sim_with(fast()).await;
    let (code, qr) = post(
        &sim,
        "generate_qrcode.aspx",
        "k",
        json!({"user_agent": "Mozilla/5.0 X"}),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(keys(&qr), sorted(&["qr", "status", "error", "ttl"]));
    assert!(
        qr["qr"]
            .as_str()
            .unwrap()
            .starts_with("data:image/svg+xml;base64,")
    );
    assert_eq!(
        (qr["status"].clone(), qr["error"].clone(), qr["ttl"].clone()),
        (json!(1), json!(""), json!(20))
    );

    let (_, v) = get(&sim, "status.aspx", "k").await;
    assert_conn_info(&v, 3, false);
    assert_eq!(v["statusString"], "waitForQRAuthentication");
    assert_eq!(v["UserAgent"], "Mozilla/5.0 X");

    // A second QR while waiting: a fresh payload.
    let first = sim.instance("k").unwrap().qr_payload.unwrap();
    let (_, qr2) = post(&sim, "generate_qrcode.aspx", "k", json!({})).await;
    assert_ne!(qr2["qr"], qr["qr"]);
    let second = sim.instance("k").unwrap().qr_payload.unwrap();
    assert_ne!(first, second);

    // A scan with the old payload is refused; with the live one it pairs.
    let (c, _) = control(
        &sim,
        "POST",
        "_sim/instances/k/scan",
        Some(json!({"payload": first})),
    )
    .await;
    assert_eq!(c, 409);
    let (c, snap) = control(
        &sim,
        "POST",
        "_sim/instances/k/scan",
        Some(json!({"payload": second})),
    )
    .await;
    assert_eq!(c, 200, "{snap}");
    assert_eq!(snap["status"], 4);

    let (_, v) = get(&sim, "status.aspx", "k").await;
    assert_conn_info(&v, 4, true);
    assert_eq!(v["statusString"], "Starting");
    assert_eq!(v["connected"], false);

    let v = wait_status(&sim, "k", 10, Duration::from_secs(5)).await;
    assert_conn_info(&v, 10, true);
    assert_eq!(v["statusString"], "WhatsAppAuthenticated");
    assert_eq!(v["connected"], true);
    assert_eq!(v["ConnectionInfo"]["connected"], true);
    assert_eq!(v["CanRestoreConnection"], true, "saved automatically");
    assert_eq!(v["stats"]["Contacts"], 72);
    assert_eq!(v["storage"]["Files"], 107);

    let (_, err) = post(&sim, "generate_qrcode.aspx", "k", json!({})).await;
    assert_eq!(
        err,
        json!({"status": 0, "error": "Connection already established", "ttl": 0})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn qr_expires_back_to_zero_and_stale_scan_fails() {
    let sim = sim_with(InstanceConfig {
        qr_ttl_ms: Some(300),
        ..Default::default()
    })
    .await;
    let (_, qr) = post(&sim, "generate_qrcode.aspx", "e", json!({})).await;
    assert_eq!(qr["ttl"], 1, "300 ms rounds up to 1 s");
    let payload = sim.instance("e").unwrap().qr_payload.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, v) = get(&sim, "status.aspx", "e").await;
    assert_eq!(v["status"], 0);
    assert!(sim.instance("e").unwrap().qr_payload.is_none());
    assert_eq!(
        sim.scan("e", Some(&payload)),
        Err(witi_sim::SimError::NoLiveQr)
    );
    let (c, _) = control(&sim, "POST", "_sim/instances/e/scan", None).await;
    assert_eq!(c, 409);
    sim.shutdown().await;
}

#[tokio::test]
async fn auto_scan_reaches_authenticated() {
    let sim = sim().await;
    sim.set_instance_config(
        "a",
        InstanceConfig {
            auto_scan_after_ms: Some(Some(50)),
            starting_delay_ms: Some(0),
            ..Default::default()
        },
    )
    .unwrap();
    post(&sim, "generate_qrcode.aspx", "a", json!({})).await;
    wait_status(&sim, "a", 10, Duration::from_secs(2)).await;
    sim.shutdown().await;
}

async fn authenticated(sim: &witi_sim::Simulator, key: &str) {
    sim.set_instance_config(
        key,
        InstanceConfig {
            starting_delay_ms: Some(0),
            ..Default::default()
        },
    )
    .unwrap();
    post(sim, "generate_qrcode.aspx", key, json!({})).await;
    let snap = sim.scan(key, None).unwrap();
    assert_eq!(snap.status, 10);
}

#[tokio::test]
async fn close_restore_save() {
    let sim = sim().await;
    // Nothing to close, save or restore on a fresh instance.
    let (_, v) = get(&sim, "close_session.aspx", "s").await;
    assert_eq!(keys(&v), sorted(&["sucesso", "error", "Status"]));
    assert_eq!(v["sucesso"], false);
    let (_, v) = get(&sim, "save_session.aspx", "s").await;
    assert_eq!(keys(&v), sorted(&["sucesso", "error"]));
    assert_eq!(v["sucesso"], false);
    let (_, v) = get(&sim, "restore_session.aspx", "s").await;
    assert_eq!(v["sucesso"], false);
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));

    authenticated(&sim, "s").await;
    let (_, v) = get(&sim, "save_session.aspx", "s").await;
    assert_eq!(v, json!({"sucesso": true}));

    let (_, v) = get(&sim, "close_session.aspx", "s").await;
    assert_eq!(keys(&v), sorted(&["sucesso", "Status"]));
    assert_eq!(v["sucesso"], true);
    let inner: Value =
        serde_json::from_str(v["Status"].as_str().expect("Status is a JSON string")).unwrap();
    assert_conn_info(&inner, 0, false);
    assert_eq!(inner["connected"], false);
    assert_eq!(inner["CanRestoreConnection"], true);

    let (_, v) = get(&sim, "restore_session.aspx", "s").await;
    assert_eq!(v["sucesso"], true);
    let inner: Value = serde_json::from_str(v["Status"].as_str().unwrap()).unwrap();
    assert_conn_info(&inner, 10, true);
    let (_, v) = get(&sim, "status.aspx", "s").await;
    assert_eq!(v["status"], 10);
    sim.shutdown().await;
}

#[tokio::test]
async fn disconnect_and_clear() {
    let sim = sim().await;
    authenticated(&sim, "d").await;
    let (_, v) = get(&sim, "clear.aspx", "d").await;
    assert_eq!(v, json!({"status": true, "message": "clear ok"}));
    let (_, v) = get(&sim, "status.aspx", "d").await;
    assert_eq!(v["status"], 10, "clear keeps the live connection");
    assert_eq!(
        v["CanRestoreConnection"], false,
        "clear drops the saved session"
    );
    assert_eq!(v["storage"]["Bytes"], 0);

    authenticated(&sim, "d2").await;
    for _ in 0..2 {
        let (_, v) = get(&sim, "disconnect.aspx", "d2").await;
        assert_conn_info(&v, 0, false);
        assert_eq!(v["connected"], false);
        assert_eq!(v["CanRestoreConnection"], false);
    }
    let (_, v) = get(&sim, "restore_session.aspx", "d2").await;
    assert_eq!(v["sucesso"], false, "disconnect dropped the saved session");
    sim.shutdown().await;
}

#[tokio::test]
async fn set_config_updates_webhook_and_user_agent() {
    let sim = sim().await;
    let body = json!({"webhook": "https://my-system.com/newWebHook", "user_agent": "Opera",
                      "APIVersionCanBulk": true, "APIVersion": "1.1"});
    let (_, v) = post(&sim, "set_config.aspx", "c", body).await;
    assert_conn_info(&v, 0, false);
    let web_id = v["WebID"].as_str().unwrap();
    assert_eq!(
        v["Webhook"],
        format!("https://my-system.com/newWebHook&wid={web_id}")
    );
    assert_eq!(v["UserAgent"], "Opera");
    let snap = sim.instance("c").unwrap();
    assert_eq!((snap.api_version.as_str(), snap.bulk), ("1.1", true));
    assert_eq!(
        snap.webhook.as_deref(),
        Some("https://my-system.com/newWebHook")
    );

    // Every field optional: an empty object changes nothing; "" removes the webhook.
    let (_, v) = post(&sim, "set_config.aspx", "c", json!({})).await;
    assert_eq!(v["UserAgent"], "Opera");
    let (_, v) = post(&sim, "set_config.aspx", "c", json!({"webhook": ""})).await;
    assert_eq!(v["Webhook"], "");

    let resp = client()
        .post(url(&sim, "set_config.aspx", "c"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let (c, _) = post(
        &sim,
        "set_config.aspx",
        "c",
        json!({"APIVersionCanBulk": 3}),
    )
    .await;
    assert_eq!(c, 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn routing_errors_and_prefix() {
    let sim = sim().await;
    let c = client();
    let base = sim.url();
    let r = c.get(format!("{base}status.aspx")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        json_of(r).await,
        json!({"status": 0, "error": "Invalid wid"})
    );
    let r = c
        .get(format!("{base}status.aspx?wid="))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(format!("{base}nope.aspx?wid=k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .post(format!("{base}status.aspx?wid=k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET");
    assert!(json_of(r).await["error"].is_string());
    let r = c
        .get(format!("{base}generate_qrcode.aspx?wid=k"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    // A base URL with a path prefix works, and percent-encoded keys are decoded.
    let r = c
        .get(format!("{base}api/v1/status.aspx?wid=a%2Fb"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(sim.instance("a/b").is_some());
    let snap = sim.instance("a/b").unwrap();
    assert_eq!(snap.calls["status.aspx"], 1);
    assert_eq!(snap.calls["clear.aspx"], 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn forced_status_any_code() {
    let sim = sim().await;
    let (c, snap) = control(
        &sim,
        "POST",
        "_sim/instances/f/status",
        Some(json!({"code": 99, "status_string": "SomethingNew"})),
    )
    .await;
    assert_eq!(c, 200);
    assert_eq!(snap["status"], 99);
    let (_, v) = get(&sim, "status.aspx", "f").await;
    assert_eq!(
        (v["status"].clone(), v["statusString"].clone()),
        (json!(99), json!("SomethingNew"))
    );

    sim.force_status("f", 11, None).unwrap();
    let (_, v) = get(&sim, "status.aspx", "f").await;
    assert_conn_info(&v, 11, true);
    assert_eq!(v["statusString"], "WhatsAppAuthenticatedConnectionClosed");
    assert_eq!(v["connected"], false);

    for (code, name) in [
        (1, "webSocketOpenining"),
        (2, "webSocketOpen"),
        (13, "WhatsAppNotAuthenticated"),
    ] {
        sim.force_status("f", code, None).unwrap();
        let (_, v) = get(&sim, "status.aspx", "f").await;
        assert_eq!(v["statusString"], name);
    }
    sim.shutdown().await;
}

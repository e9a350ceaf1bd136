//! End to end: the simulator delivers PostBacks, in each framing, to the receiver.

use std::time::Duration;
use tokio::sync::mpsc;
use witi::EventKind;
use witi::webhook::{WebhookOptions, WebhookServer};
use witi_sim::{InstanceConfig, PostbackBody, Simulator};

/// (label, APIVersion, APIVersionCanBulk): the three framings the gateway uses.
const FRAMINGS: [(&str, &str, bool); 3] = [
    ("plain", "1.0", false),
    ("bulk", "1.0", true),
    ("bulkgz", "1.1", true),
];

async fn set_config(sim: &Simulator, key: &str, body: serde_json::Value) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
        .post(format!("{}set_config.aspx?wid={key}", sim.url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the simulator answers");
    assert!(response.status().is_success(), "{}", response.status());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_delivers_every_framing_in_order() {
    let sim = Simulator::start_default().await.expect("simulator starts");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let options = WebhookOptions {
        token: Some("t0ken".to_owned()),
        ..Default::default()
    };
    let receiver = WebhookServer::bind(
        "127.0.0.1:0".parse().expect("address"),
        options,
        move |event| {
            let tx = tx.clone();
            async move {
                tx.send(event).expect("the test listens");
                Ok(())
            }
        },
    )
    .await
    .expect("receiver binds");
    let webhook = format!("{}hook?token=t0ken", receiver.url());

    for (label, version, bulk) in FRAMINGS {
        let key = format!("key-{label}");
        let body = serde_json::json!({
            "webhook": webhook, "APIVersion": version, "APIVersionCanBulk": bulk,
        });
        // Registering the webhook sends the connection information as a first PostBack.
        set_config(&sim, &key, body).await;
        for n in 1..=3 {
            let event = serde_json::json!({ "type": "message", "framing": label, "n": n });
            sim.send_postback(&key, PostbackBody::Event(event))
                .expect("queued");
        }
        sim.force_status(&key, 10, None).expect("forced");
        let counts = sim
            .wait_postbacks_settled(&key, Duration::from_secs(10))
            .await;
        assert_eq!(
            (counts.pending, counts.failed),
            (0, 0),
            "{label}: {counts:?}"
        );

        let mut got = Vec::new();
        while let Ok(event) = rx.try_recv() {
            got.push(event);
        }
        assert_eq!(got.len(), 5, "{label}: {got:?}");
        assert_eq!(got[0].kind, EventKind::Status, "{label}");
        let first = got[0].status.as_ref().expect("status");
        let registered = first.webhook.as_deref().expect("the Webhook field");
        assert!(
            registered.starts_with(&webhook) && registered.contains("&wid="),
            "{label}"
        );
        for (n, event) in got[1..4].iter().enumerate() {
            assert_eq!(event.kind, EventKind::Unknown, "{label}");
            let value: serde_json::Value = serde_json::from_str(&event.json).expect("JSON");
            assert_eq!(value["framing"], label);
            assert_eq!(value["n"], n + 1, "{label}: in order");
        }
        let last = got[4].status.as_ref().expect("status");
        assert!(last.code.is_authenticated(), "{label}");
    }
    receiver.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_postback_does_not_stop_the_receiver() {
    let sim = Simulator::start_default().await.expect("simulator starts");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let receiver = WebhookServer::bind(
        "127.0.0.1:0".parse().expect("address"),
        WebhookOptions::default(),
        move |event| {
            let tx = tx.clone();
            async move {
                tx.send(event.json).expect("the test listens");
                Ok(())
            }
        },
    )
    .await
    .expect("receiver binds");
    let key = "key-raw";
    let once = InstanceConfig {
        retry_attempts: Some(1),
        ..Default::default()
    };
    sim.set_instance_config(key, once).expect("configured");
    let body = serde_json::json!({ "webhook": receiver.url(), "APIVersion": "1.0" });
    set_config(&sim, key, body).await;
    // Garbage: the receiver answers 400, so the simulator counts it failed.
    sim.send_postback(key, PostbackBody::Raw("BULK,[\"not base64!\"]".to_owned()))
        .expect("queued");
    sim.send_postback(key, PostbackBody::Event(serde_json::json!({ "after": 1 })))
        .expect("queued");
    let counts = sim
        .wait_postbacks_settled(key, Duration::from_secs(10))
        .await;
    assert_eq!(
        (counts.pending, counts.failed, counts.delivered),
        (0, 1, 2),
        "{counts:?}"
    );
    let mut got = Vec::new();
    while let Ok(json) = rx.try_recv() {
        got.push(json);
    }
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1], r#"{"after":1}"#);
    receiver.shutdown().await;
    sim.shutdown().await;
}

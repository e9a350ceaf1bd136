//! The whole lifecycle of an instance on the embedded simulator: the README's main job.
//!
//! Starts `witi-sim` in-process and a webhook receiver for its PostBacks, then pairs a phone
//! (the simulator scans by itself), reads the status, saves, closes and restores the session,
//! switches PostBacks to compressed bulk framing, disconnects and clears, printing each step
//! and each PostBack received.
//!
//! `cargo run -p witi --example lifecycle`

use std::time::Duration;
use witi::webhook::{WebhookOptions, WebhookServer};
use witi::{Client, Config, Event, StatusCode};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = witi_sim::Simulator::start_default().await?;
    println!("simulator      {}", sim.url());

    let receiver = WebhookServer::bind(
        "127.0.0.1:0".parse()?,
        WebhookOptions {
            token: Some("demo-token".into()),
            ..WebhookOptions::default()
        },
        |event: Event| async move {
            match &event.status {
                Some(s) => println!("  postback     status {} {}", s.code, s.status_string),
                None => println!("  postback     {} {}", event.kind.as_str(), event.json),
            }
            Ok(())
        },
    )
    .await?;
    println!("receiver       {}", receiver.url());

    let key = "demo-instance-key";
    // The simulator scans each new QR code after 1.5 s, and Starting lasts 0.5 s.
    let http = reqwest::Client::new();
    http.post(format!("{}_sim/instances/{key}/config", sim.url()))
        .json(&serde_json::json!({"auto_scan_after_ms": 1500, "starting_delay_ms": 500}))
        .send()
        .await?
        .error_for_status()?;

    let client = Client::builder().api_key(key).base_url(sim.url()).build()?;
    let pause = || tokio::time::sleep(Duration::from_millis(300));

    let s = client
        .set_config(&Config {
            webhook: Some(format!("{}?token=demo-token", receiver.url())),
            api_version: Some("1.0".into()),
            api_version_can_bulk: Some(false),
            ..Config::default()
        })
        .await?;
    println!(
        "set_config     webhook {}",
        s.webhook.as_deref().unwrap_or("-")
    );

    let s = client.status().await?;
    println!("status         {} connected={}", s.code, s.connected);

    let s = client
        .connect(
            |qr| {
                println!(
                    "connect        QR code: {} bytes of SVG, valid {} s (scan it with the phone)",
                    qr.svg.len(),
                    qr.ttl_seconds
                );
                Ok(())
            },
            Duration::from_secs(60),
        )
        .await?;
    let phone = s.connection_info.as_ref().and_then(|i| i.phone.as_ref());
    println!(
        "connected      {} as {} on {}",
        s.code,
        s.connection_info
            .as_ref()
            .and_then(|i| i.wid.as_deref())
            .unwrap_or("?"),
        phone.and_then(|p| p.device_model.as_deref()).unwrap_or("?")
    );
    pause().await;

    let r = client.save_session().await?;
    println!("save_session   success={}", r.success);
    let r = client.close_session().await?;
    println!(
        "close_session  success={} status={}",
        r.success,
        r.status.map_or("-".into(), |s| s.code.to_string())
    );
    pause().await;
    let r = client.restore_session().await?;
    println!(
        "restore        success={} status={}",
        r.success,
        r.status.map_or("-".into(), |s| s.code.to_string())
    );
    let s = client
        .wait_for_status(
            &[StatusCode::Authenticated],
            Duration::from_secs(10),
            Duration::from_millis(100),
        )
        .await?;
    println!("status         {} connected={}", s.code, s.connected);

    let s = client
        .set_config(&Config {
            api_version: Some("1.1".into()),
            api_version_can_bulk: Some(true),
            ..Config::default()
        })
        .await?;
    println!(
        "set_config     API 1.1 with bulk (BULKGZ PostBacks), status {}",
        s.code
    );
    pause().await;

    let s = client.disconnect().await?;
    println!(
        "disconnect     {} can_restore={}",
        s.code, s.can_restore_connection
    );
    let c = client.clear().await?;
    println!(
        "clear          success={} message={:?}",
        c.success, c.message
    );

    // Let the last (batched) PostBacks arrive before the receiver stops.
    tokio::time::sleep(Duration::from_millis(800)).await;
    receiver.shutdown().await;
    sim.shutdown().await;
    println!("done");
    Ok(())
}

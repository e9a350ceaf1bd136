//! `witi demo`: the whole lifecycle of an instance on a simulator started in-process, with a
//! receiver for its PostBacks, printing each step and each PostBack as it arrives. It needs no
//! key and no network, so it is the first thing to run.

use std::net::SocketAddr;
use std::time::Duration;

use witi::{Client, Config, StatusCode};
use witi_sim::InstanceConfig;

use crate::connect::{self, Pairing};
use crate::fail::Failure;
use crate::{listen, show};

const KEY: &str = "demo-instance-key";
const TOKEN: &str = "demo-token";

fn step(name: &str, what: impl std::fmt::Display) {
    println!("{name:<16}{what}");
}

pub async fn run(scan_after: f64, invert: Option<bool>) -> Result<(), Failure> {
    let localhost: SocketAddr = ([127, 0, 0, 1], 0).into();
    let sim = crate::sim::start(localhost, 20.0, None).await?;
    step("simulator", sim.url());
    let receiver =
        listen::receiver(localhost, Some(TOKEN.into()), false, "  ↳ postback    ").await?;
    step("receiver", receiver.url());

    // The simulated phone scans each QR after `scan_after` seconds.
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(crate::sim::millis(scan_after, "--scan-after")?)),
            starting_delay_ms: Some(500),
            ..InstanceConfig::default()
        },
    )
    .map_err(Failure::local)?;

    let client = Client::builder()
        .api_key(KEY)
        .base_url(sim.url())
        .http_user_agent(concat!("witi-cli/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let pause = || tokio::time::sleep(Duration::from_millis(300));

    let s = client
        .set_config(&Config {
            webhook: Some(format!("{}?token={TOKEN}", receiver.url())),
            api_version: Some("1.0".into()),
            api_version_can_bulk: Some(false),
            ..Config::default()
        })
        .await?;
    step(
        "set-config",
        format!(
            "webhook {}",
            s.webhook
                .as_deref()
                .map_or("-".into(), crate::show::short_wid_params)
        ),
    );

    let s = client.status().await?;
    step("status", format!("{} connected={}", s.code, s.connected));

    step(
        "connect",
        format!("the simulated phone scans in {scan_after} s"),
    );
    let pairing = Pairing {
        wait: Duration::from_secs(60),
        save_svg: None,
        user_agent: None,
        restore: true,
        json: false,
        invert,
    };
    let s = connect::pair(&client, &pairing).await?;
    step(
        "connected",
        show::phone(&s).unwrap_or_else(|| s.code.to_string()),
    );
    pause().await;

    let r = client.save_session().await?;
    step("save-session", format!("success={}", r.success));
    let r = client.close_session().await?;
    step(
        "close-session",
        format!("success={} status={}", r.success, code(&r.status)),
    );
    pause().await;
    let r = client.restore_session().await?;
    step(
        "restore-session",
        format!("success={} status={}", r.success, code(&r.status)),
    );
    let s = client
        .wait_for_status(
            &[StatusCode::Authenticated],
            Duration::from_secs(10),
            Duration::from_millis(100),
        )
        .await?;
    step("status", format!("{} connected={}", s.code, s.connected));

    let s = client
        .set_config(&Config {
            api_version: Some("1.1".into()),
            api_version_can_bulk: Some(true),
            ..Config::default()
        })
        .await?;
    step(
        "set-config",
        format!("API 1.1 with bulk PostBacks (BULKGZ), status {}", s.code),
    );
    pause().await;

    let s = client.disconnect().await?;
    step(
        "disconnect",
        format!("{} can_restore={}", s.code, s.can_restore_connection),
    );
    let c = client.clear().await?;
    step(
        "clear",
        format!("success={} message={:?}", c.success, c.message),
    );

    // The last PostBacks are batched: let them arrive before the receiver stops.
    let counts = sim
        .wait_postbacks_settled(KEY, Duration::from_secs(5))
        .await;
    receiver.shutdown().await;
    sim.shutdown().await;
    step(
        "postbacks",
        format!("{} delivered, {} failed", counts.delivered, counts.failed),
    );
    println!("done");
    Ok(())
}

fn code(status: &Option<witi::Status>) -> String {
    status.as_ref().map_or("-".into(), |s| s.code.to_string())
}

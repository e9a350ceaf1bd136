//! `witi sim`: the simulator of the API (crate `witi-sim`) on this machine, until Ctrl-C.

use std::net::{IpAddr, SocketAddr};

use witi_sim::{InstanceConfig, SimConfig, Simulator};

use crate::fail::Failure;

/// Milliseconds from seconds given on the command line (the simulator's own rule).
pub fn millis(secs: f64, option: &str) -> Result<u64, Failure> {
    witi_sim::millis_from_secs(secs, option).map_err(Failure::local)
}

/// Starts a simulator whose instances scan their QR by themselves after `auto_scan_after`.
pub async fn start(
    addr: SocketAddr,
    qr_ttl: f64,
    auto_scan_after: Option<f64>,
) -> Result<Simulator, Failure> {
    let mut config = SimConfig {
        addr,
        ..SimConfig::default()
    };
    let patch = InstanceConfig {
        qr_ttl_ms: Some(millis(qr_ttl, "--qr-ttl")?.max(1)),
        auto_scan_after_ms: Some(
            auto_scan_after
                .map(|s| millis(s, "--auto-scan-after"))
                .transpose()?,
        ),
        ..InstanceConfig::default()
    };
    config.defaults.apply(&patch).map_err(Failure::local)?;
    Simulator::start(config)
        .await
        .map_err(|e| Failure::local(format!("cannot start the simulator on {addr}: {e}")))
}

pub async fn run(
    host: IpAddr,
    port: u16,
    qr_ttl: f64,
    auto_scan_after: Option<f64>,
) -> Result<(), Failure> {
    let sim = start(SocketAddr::new(host, port), qr_ttl, auto_scan_after).await?;
    println!("witi-sim listening on {}", sim.url());
    eprintln!(
        "Any key works: WITI_BASE_URL={} WITI_API_KEY=test witi status. Ctrl-C stops.",
        sim.url()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::local(format!("cannot wait for Ctrl-C: {e}")))?;
    sim.shutdown().await;
    Ok(())
}

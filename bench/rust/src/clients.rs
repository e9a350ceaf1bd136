//! What a client costs: build N clients of N instances (one per WhatsApp instance, as a
//! multi-tenant server holds them) and keep them all; report clients/s and the resident memory
//! they add, per client. witi's clients share one connection pool and one TLS configuration;
//! the alternative is a `reqwest::Client` per instance with witi's pool settings (what witi
//! itself did before pools were shared).
//!
//! Each side runs in a child process of its own (this binary, `--clients-child SIDE N`), so
//! that neither inherits the other's freed memory or warm caches.

use crate::Args;
use std::process::Command;
use std::time::{Duration, Instant};

/// Resident set size of this process, in bytes (Linux `/proc`), or 0 where unknown.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// Runs in the child: builds `n` clients of `side`, prints `seconds bytes`.
pub fn child(side: &str, n: usize) -> Result<(), String> {
    // The runtime and the TLS provider exist in any real process before its clients do.
    witi::runtime::block_on(async {});
    let before = rss_bytes();
    let started = Instant::now();
    let mut witi_clients = Vec::new();
    let mut bare_clients = Vec::new();
    for i in 0..n {
        match side {
            "witi" => witi_clients.push(
                witi::Client::builder()
                    .api_key(format!("instance-{i:05}"))
                    .base_url("https://api.witi.me/")
                    .build()
                    .map_err(|e| e.to_string())?,
            ),
            "reqwest" => bare_clients.push(
                reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .tcp_nodelay(true)
                    .pool_idle_timeout(Duration::from_secs(60))
                    .user_agent("witi-rust/0.1.0")
                    .build()
                    .map_err(|e| e.to_string())?,
            ),
            other => return Err(format!("unknown side {other}")),
        }
    }
    let elapsed = started.elapsed();
    let after = rss_bytes();
    println!("{} {}", elapsed.as_secs_f64(), after.saturating_sub(before));
    std::hint::black_box((witi_clients, bare_clients));
    Ok(())
}

pub fn run(args: &Args) -> Result<(), String> {
    let n = if args.quick { 1_000 } else { 10_000 };
    println!();
    println!(
        "clients: build {n} clients of {n} instances and hold them, each side in a fresh process"
    );
    println!("  client              clients/s   bytes/client   total time   RSS added");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut per_client = Vec::new();
    for (side, label) in [
        ("witi", "witi (shared pool)"),
        ("reqwest", "reqwest per client"),
    ] {
        let out = Command::new(&exe)
            .args(["--clients-child", side, &n.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut fields = text.split_whitespace();
        let secs: f64 = fields
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or("no time")?;
        let bytes: f64 = fields.next().and_then(|s| s.parse().ok()).ok_or("no RSS")?;
        println!(
            "  {label:<18} {:>10.0} {:>14.0} {:>12} {:>8.1} MB",
            n as f64 / secs,
            bytes / n as f64,
            crate::human(Duration::from_secs_f64(secs)),
            bytes / 1e6
        );
        per_client.push((secs, bytes));
    }
    let (ws, wb) = per_client[0];
    let (rs, rb) = per_client[1];
    println!(
        "  ratio witi/reqwest: time {:.3}, memory {:.3}",
        ws / rs,
        if rb > 0.0 { wb / rb } else { f64::NAN }
    );
    Ok(())
}

//! `witi::Client::status()` against a bare `reqwest::Client` GET + `serde_json::Value`, both on
//! witi's runtime, against the simulator running on its own runtime in this process.

use crate::{Args, human, percentile, verdict};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const KEY: &str = "bench-key";
/// Each side's budget is split into this many rounds, the sides taking turns, so that noise
/// from other processes falls on both alike.
const ROUNDS: usize = 4;
/// witi's defaults (core/src/config.rs, core/src/transport.rs), given to the bare client too.
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const POOL_IDLE: Duration = Duration::from_secs(60);

#[derive(Clone)]
enum Side {
    Witi(witi::Client),
    Bare {
        http: reqwest::Client,
        base: Arc<str>,
    },
}

impl Side {
    fn name(&self) -> &'static str {
        match self {
            Side::Witi(_) => "witi",
            Side::Bare { .. } => "reqwest",
        }
    }

    async fn call(&self) -> Result<(), String> {
        match self {
            Side::Witi(client) => {
                black_box(client.status().await.map_err(|e| e.to_string())?);
            }
            Side::Bare { http, base } => {
                let response = http
                    .get(format!("{base}status.aspx?wid={KEY}"))
                    .timeout(TIMEOUT)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("HTTP {}", response.status()));
                }
                let bytes = response.bytes().await.map_err(|e| e.to_string())?;
                let value: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                black_box(value);
            }
        }
        Ok(())
    }
}

/// What one side did at one concurrency.
struct Round {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    wall: Duration,
    /// CPU time of witi's runtime threads (where both clients run), if the OS tells it.
    client_cpu: Option<Duration>,
}

pub fn run(args: &Args) -> Result<(), String> {
    let sim = witi_sim::Simulator::start_blocking(witi_sim::SimConfig::default())
        .map_err(|e| format!("starting the simulator: {e}"))?;
    let witi = witi::Client::builder()
        .api_key(KEY)
        .base_url(sim.url())
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let bare = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .tcp_nodelay(true)
        .pool_idle_timeout(POOL_IDLE)
        .user_agent(format!("witi-rust/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let sides = [
        Side::Witi(witi),
        Side::Bare {
            http: bare,
            base: Arc::from(sim.url()),
        },
    ];

    let result = witi::runtime::block_on(async {
        for side in &sides {
            side.call()
                .await
                .map_err(|e| format!("{} status() failed before measuring: {e}", side.name()))?;
        }
        println!();
        println!(
            "status() against the in-process simulator: up to {} calls or {:.1} s per side and concurrency,",
            args.calls, args.secs
        );
        println!(
            "in {ROUNDS} alternating rounds; client CPU = witi runtime threads' CPU per call (both sides run there)."
        );
        println!(
            "{:>6} {:<8} {:>6} {:>9} {:>10} {:>10} {:>10}  ratio (time per call = 1/throughput)",
            "conc", "client", "calls", "calls/s", "p50", "p99", "cpu/call"
        );
        for concurrency in [1usize, 10, 1_000] {
            // Warm-up: opens the pool's connections at this concurrency, on both sides.
            for side in &sides {
                let warm = round(
                    side,
                    concurrency,
                    (concurrency * 2).max(200),
                    Duration::from_secs(5),
                )
                .await;
                if warm.errors > 0 {
                    return Err(format!(
                        "{} warm-up at concurrency {concurrency}: {} errors, first: {}",
                        side.name(),
                        warm.errors,
                        warm.first_error.unwrap_or_default()
                    ));
                }
            }
            let part = Duration::from_secs_f64(args.secs / ROUNDS as f64);
            let mut merged: Vec<Round> = sides.iter().map(|_| Round::empty()).collect();
            // witi's time per call / the alternative's, round by round: their spread shows
            // how much of the ratio is noise.
            let mut round_ratios = Vec::new();
            for _ in 0..ROUNDS {
                let mut rates = Vec::new();
                for (side, total) in sides.iter().zip(&mut merged) {
                    let r = round(side, concurrency, args.calls.div_ceil(ROUNDS), part).await;
                    rates.push(r.rate());
                    total.add(r);
                }
                round_ratios.push(rates[1] / rates[0]);
            }
            round_ratios.sort_by(f64::total_cmp);
            let rates: Vec<f64> = merged.iter().map(Round::rate).collect();
            if concurrency != 10 {
                // A row of bench/all.sh's table: witi's speed over the alternative's.
                println!(
                    "TABLE\tstatus{concurrency}\t{:.2}\treqwest\t{:.0}\t{:.0}",
                    rates[0] / rates[1],
                    rates[0],
                    rates[1]
                );
            }
            for (side, r) in sides.iter().zip(&mut merged) {
                let ratio = if side.name() == "witi" {
                    String::new()
                } else {
                    format!(
                        "{} [rounds {:.2}-{:.2}]",
                        verdict(rates[1] / rates[0]),
                        round_ratios[0],
                        round_ratios[ROUNDS - 1]
                    )
                };
                let line = format!(
                    "{:>6} {:<8} {:>6} {:>9.0} {:>10} {:>10} {:>10}  {}{}",
                    concurrency,
                    side.name(),
                    r.latencies.len(),
                    r.rate(),
                    human(percentile(&mut r.latencies, 0.5)),
                    human(percentile(&mut r.latencies, 0.99)),
                    r.client_cpu
                        .map_or("-".into(), |c| human(c / r.latencies.len().max(1) as u32)),
                    ratio,
                    if r.errors > 0 {
                        format!(
                            "  ERRORS: {} ({})",
                            r.errors,
                            r.first_error.as_deref().unwrap_or("")
                        )
                    } else {
                        String::new()
                    },
                );
                println!("{}", line.trim_end());
            }
        }
        Ok(())
    });
    sim.shutdown_blocking();
    result
}

/// `concurrency` tasks on witi's runtime share `total` calls, and stop starting new ones after
/// `limit`; every call's latency is kept.
async fn round(side: &Side, concurrency: usize, total: usize, limit: Duration) -> Round {
    let issued = Arc::new(AtomicUsize::new(0));
    let cpu_before = runtime_cpu();
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (side, issued) = (side.clone(), issued.clone());
            witi::runtime::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), Vec::new());
                while issued.fetch_add(1, Ordering::Relaxed) < total && start.elapsed() < limit {
                    let t = Instant::now();
                    match side.call().await {
                        Ok(()) => latencies.push(t.elapsed()),
                        Err(e) => errors.push(e),
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut r = Round::empty();
    for task in tasks {
        let (latencies, errors) = task.await.expect("a benchmark task panicked");
        r.latencies.extend(latencies);
        r.errors += errors.len();
        r.first_error = r.first_error.or(errors.into_iter().next());
    }
    r.wall = start.elapsed();
    r.client_cpu = cpu_before.and_then(|b| Some(runtime_cpu()?.saturating_sub(b)));
    r
}

impl Round {
    fn empty() -> Round {
        Round {
            latencies: Vec::new(),
            errors: 0,
            first_error: None,
            wall: Duration::ZERO,
            client_cpu: Some(Duration::ZERO),
        }
    }

    fn add(&mut self, other: Round) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.wall += other.wall;
        self.client_cpu = self.client_cpu.zip(other.client_cpu).map(|(a, b)| a + b);
    }

    /// Successful calls per second of wall time.
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64()
    }
}

/// The CPU time so far of this process's threads named `witi-runtime` (Linux; `None`
/// elsewhere). Threads that ended meanwhile are lost, so it only counts while the runtime's
/// workers live, which is the whole run.
fn runtime_cpu() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        // A thread may end between the listing and the reads: skip it.
        let read = |file| std::fs::read_to_string(task.path().join(file)).unwrap_or_default();
        if read("comm").trim() == "witi-runtime" {
            total += read("schedstat")
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Some(Duration::from_nanos(total))
}

//! The Rust benchmark of witi: each measurement runs witi and the obvious alternative built
//! from the same crates in the same run, and reports their ratio (see bench/README.md).
//!
//! Usage: `witi-bench [--quick] [--only decode|status|clients] [--calls N] [--secs S]`
//! (`bash bench/run.sh` passes its arguments here), and for the receiver benchmark
//! (`bench/receivers.py`): `witi-bench bodies DIR` writes the PostBack bodies,
//! `witi-bench receivers` serves witi's, the by-hand and the limit receivers,
//! `witi-bench decode-limit DIR SECS` measures the decoding limit of each body.

mod clients;
mod decode;
mod decode_limit;
mod receivers;
mod status;

use std::time::Duration;

pub struct Args {
    /// Shorter budgets everywhere (a smoke run; its figures are noisier).
    pub quick: bool,
    pub only: Option<String>,
    /// Measured `status()` calls per side and concurrency.
    pub calls: usize,
    /// Time cap per side and concurrency.
    pub secs: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        only: None,
        calls: 20_000,
        secs: 4.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--only" => args.only = Some(value("--only")?),
            "--calls" => {
                args.calls = value("--calls")?
                    .parse()
                    .map_err(|e| format!("--calls: {e}"))?
            }
            "--secs" => {
                args.secs = value("--secs")?
                    .parse()
                    .map_err(|e| format!("--secs: {e}"))?
            }
            "-h" | "--help" => {
                println!(
                    "witi-bench [--quick] [--only decode|status|clients] [--calls N] [--secs S]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if args.quick {
        args.calls = args.calls.min(1_000);
        args.secs = args.secs.min(1.0);
    }
    Ok(args)
}

fn main() {
    // A child of the clients benchmark (see clients.rs).
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--clients-child") {
        let n = argv.get(3).and_then(|n| n.parse().ok()).unwrap_or(0);
        if let Err(e) = clients::child(argv.get(2).map_or("", String::as_str), n) {
            eprintln!("witi-bench: {e}");
            std::process::exit(1);
        }
        return;
    }
    let mut rest = argv.iter().skip(1).cloned();
    let sub = match rest.next().as_deref() {
        Some("bodies") => Some(match rest.next() {
            Some(dir) => receivers::write_bodies(std::path::Path::new(&dir)),
            None => Err("bodies needs a folder".into()),
        }),
        Some("receivers") => Some(receivers::serve()),
        Some("decode-limit") => Some(match (rest.next(), rest.next().map(|s| s.parse::<f64>())) {
            (Some(dir), Some(Ok(secs))) => decode_limit::run(std::path::Path::new(&dir), secs),
            _ => Err("decode-limit needs a folder and seconds".into()),
        }),
        _ => None,
    };
    if let Some(result) = sub {
        if let Err(e) = result {
            eprintln!("witi-bench: {e}");
            std::process::exit(1);
        }
        return;
    }
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("witi-bench: {e}");
        std::process::exit(2);
    });
    if cfg!(debug_assertions) {
        println!("WARNING: debug build; figures are meaningless (use --release / bench/run.sh)");
    }
    println!("Ratios are witi / alternative in time per operation: > 1 means witi is slower.");
    let only = args.only.as_deref();
    if only.is_none_or(|o| o == "decode") {
        decode::run(&args);
    }
    if only.is_none_or(|o| o == "status") {
        if let Err(e) = status::run(&args) {
            eprintln!("witi-bench: status benchmark failed: {e}");
            std::process::exit(1);
        }
    }
    if only.is_none_or(|o| o == "clients") {
        if let Err(e) = clients::run(&args) {
            eprintln!("witi-bench: clients benchmark failed: {e}");
            std::process::exit(1);
        }
    }
}

/// The median of samples (sorted in place).
pub fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 0.5)
}

/// The `p` quantile (0..=1) of samples, nearest rank (sorted in place).
pub fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

/// A duration with a unit that suits it.
pub fn human(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// `1.23 (witi 23% slower)` for a ratio of witi's time to the alternative's.
pub fn verdict(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "n/a".into();
    }
    let pct = (ratio - 1.0).abs() * 100.0;
    if pct < 3.0 {
        format!("{ratio:.2} (same, within 3%)")
    } else if ratio > 1.0 {
        format!("{ratio:.2} (witi {pct:.0}% slower)")
    } else {
        format!("{ratio:.2} (witi {:.0}% faster)", (1.0 - ratio) * 100.0)
    }
}

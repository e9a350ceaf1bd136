//! `witi-bench decode-limit <bodies> <secs>`: the second ceiling of a webhook receiver, the
//! one that decodes (bench/README.md). The transport limit (`limit` in `receivers.rs`, a
//! server that drains bodies unread) does no work per event; a receiver that hands decoded
//! events to a handler cannot go faster than decoding them. This measures that: every CPU
//! decoding the same body with `witi::decode_postback` (the fastest decoder measured in the
//! decode benchmark), no HTTP, for `secs`; it prints one line per body,
//! `DECODE_LIMIT <body> <events/s>`, which `bench/receivers.py` reads.

use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The bodies `receivers.py` loads receivers with (`write_bodies` writes them).
const BODIES: [&str; 7] = [
    "plain-1",
    "bulk-1",
    "bulk-100",
    "bulk-1000",
    "bulkgz-1",
    "bulkgz-100",
    "bulkgz-1000",
];

pub fn run(dir: &Path, secs: f64) -> Result<(), String> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    for name in BODIES {
        let path = dir.join(format!("{name}.txt"));
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let per_body = witi::decode_postback(&body)
            .map_err(|e| format!("{name}: {e}"))?
            .len() as u64;
        let stop = AtomicBool::new(false);
        let decoded = AtomicU64::new(0);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    let mut bodies = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let events = witi::decode_postback(black_box(&body));
                        black_box(events).ok();
                        bodies += 1;
                    }
                    decoded.fetch_add(bodies, Ordering::Relaxed);
                });
            }
            std::thread::sleep(Duration::from_secs_f64(secs));
            stop.store(true, Ordering::Relaxed);
        });
        let elapsed = started.elapsed().as_secs_f64();
        let rate = decoded.load(Ordering::Relaxed) as f64 * per_body as f64 / elapsed;
        println!("DECODE_LIMIT {name} {rate:.0}");
    }
    Ok(())
}

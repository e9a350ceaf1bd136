//! `witi-bench decode-limit <bodies> <secs>`: the second ceiling of a webhook receiver, the
//! one that decodes (bench/README.md). The transport limit (`limit` in `receivers.rs`, a
//! server that drains bodies unread) does no work per event; a receiver that hands decoded
//! events to a handler cannot go faster than decoding them. This measures that: every CPU
//! decoding the same body, no HTTP, for `secs`, in the two ways witi's receivers decode: `full`
//! (`witi::decode_postback`, every status typed: what a Rust handler gets) and `texts`
//! (`witi::postback::decode_postback_texts_for`, each event's text and kind: what the Python
//! and Node receivers take, building a status when it is read). It prints one line per body
//! and way, `DECODE_LIMIT <full|texts> <body> <events/s>`, which `bench/receivers.py` reads.

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
        let limits = witi::PostbackLimits::default();
        let full = rate(threads, secs, per_body, || {
            black_box(witi::decode_postback(black_box(&body))).is_ok()
        });
        println!("DECODE_LIMIT full {name} {full:.0}");
        let texts = rate(threads, secs, per_body, || {
            let events = witi::postback::decode_postback_texts_for(black_box(&body), None, &limits);
            black_box(events).is_ok()
        });
        println!("DECODE_LIMIT texts {name} {texts:.0}");
    }
    Ok(())
}

/// Events/s of `decode` (which decodes one body of `per_body` events) on `threads` threads
/// for `secs`.
fn rate(threads: usize, secs: f64, per_body: u64, decode: impl Fn() -> bool + Sync) -> f64 {
    let stop = AtomicBool::new(false);
    let decoded = AtomicU64::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut bodies = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    assert!(decode(), "the body decoded before");
                    bodies += 1;
                }
                decoded.fetch_add(bodies, Ordering::Relaxed);
            });
        }
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
    });
    decoded.load(Ordering::Relaxed) as f64 * per_body as f64 / started.elapsed().as_secs_f64()
}

//! Peak memory of PostBack decoding under hostile bodies, alone and 16 at once, through
//! `decode_postback` and through the real receiver on loopback (issue 10, section 2).
//!
//! A test binary of its own, with one test, because it reads the process's memory from
//! /proc/self/status: other tests running beside it would be counted. The peak (VmHWM) is
//! reset before each case by writing "5" to /proc/self/clear_refs (Linux ≥ 4.0), and compared
//! with the resident size (VmRSS) measured once, idle, before the first case: so memory a case
//! keeps after it ends counts against every later one.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use flate2::Compression;
use std::io::Write;
use std::net::SocketAddr;
use std::time::Instant;
use witi::webhook::{WebhookOptions, WebhookServer};

const MIB: usize = 1024 * 1024;
/// The goal: under 64 MiB above the idle resident size.
const GOAL: usize = 64 * MIB;
const AT_ONCE: usize = 16;

fn status_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM");
}

/// Compresses what `write` produces, streaming, so the plain text is never held.
fn zlib_stream(write: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    write(&mut encoder);
    encoder.finish().expect("in-memory")
}

/// `BULKGZ,` + base64(zlib(`[{"x":[0,0,0, … 32 million zeros … ]}]`)).
fn bulkgz_zeros() -> Bytes {
    let zeros = "0,".repeat(MIB / 2);
    let compressed = zlib_stream(|w| {
        w.write_all(br#"[{"x":["#).expect("write");
        for _ in 0..64 {
            w.write_all(zeros.as_bytes()).expect("write");
        }
        w.write_all(b"0]}]").expect("write");
    });
    Bytes::from(format!("BULKGZ,{}", STANDARD.encode(compressed)))
}

/// A 15 MiB plain `{"x":[0,…]}`.
fn plain_zeros() -> Bytes {
    let mut body = Vec::with_capacity(15 * MIB);
    body.extend_from_slice(br#"{"x":["#);
    while body.len() < 15 * MIB - 4 {
        body.extend_from_slice(b"0,");
    }
    body.extend_from_slice(b"0]}");
    Bytes::from(body)
}

/// A zlib bomb: `[` then 1 GiB of spaces (a valid start, so only the decompressed limit
/// stops it), built from one repeated MiB-block.
fn bomb() -> Bytes {
    let block = vec![b' '; MIB];
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(b"[").expect("write");
    encoder.write_all(&block).expect("write");
    encoder.flush().expect("flush");
    let first = encoder.get_ref().len();
    encoder.write_all(&block).expect("write");
    encoder.flush().expect("flush");
    let second = encoder.get_ref().len();
    let out = encoder.finish().expect("in-memory");
    let mut stream = out[..first].to_vec();
    for _ in 1..1024 {
        stream.extend_from_slice(&out[first..second]);
    }
    stream.extend_from_slice(&out[second..]);
    Bytes::from(format!("BULKGZ,{}", STANDARD.encode(stream)))
}

/// Runs `case` and returns its peak above `idle`, in bytes. Memory that an earlier case
/// freed but glibc kept cached in its per-thread arenas is handed back first (`malloc_trim`):
/// it is free for reuse, not held, and would otherwise count against every later case.
fn peak_above(idle: usize, case: impl FnOnce()) -> usize {
    // SAFETY: malloc_trim only releases free heap memory; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
    let before = status_kib("VmRSS:") * 1024;
    reset_peak();
    case();
    let peak = status_kib("VmHWM:") * 1024;
    eprintln!(
        "  (RSS before the case: +{} MiB over idle)",
        before.saturating_sub(idle) / MIB
    );
    peak.saturating_sub(idle)
}

fn decode_at_once(body: &Bytes, n: usize) {
    std::thread::scope(|scope| {
        for _ in 0..n {
            scope.spawn(|| {
                let result = witi::decode_postback(body);
                assert!(result.is_err(), "every hostile body here is refused");
            });
        }
    });
}

async fn post_at_once(url: &str, body: &Bytes, n: usize) -> Vec<u16> {
    let client = reqwest::Client::new();
    let requests = (0..n).map(|_| {
        let request = client.post(url).body(body.clone());
        async move { request.send().await.expect("answered").status().as_u16() }
    });
    futures_join_all(requests).await
}

/// `futures::future::join_all` without the crate: spawn each and await in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = u16> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.expect("no panic"));
    }
    out
}

#[test]
fn peak_memory_stays_under_64_mib_above_idle() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("valid");
    let server = runtime
        .block_on(WebhookServer::bind(
            addr,
            WebhookOptions::default(),
            |_event| async { Ok(()) },
        ))
        .expect("bound");
    let url = server.url();
    let bodies = [
        ("BULKGZ 32M zeros", bulkgz_zeros()),
        ("plain 15 MiB", plain_zeros()),
        ("zlib bomb 1 GiB", bomb()),
    ];
    // Warm up the client, the server and the blocking pool so that their one-time costs
    // are in the idle figure, not in the first case.
    runtime.block_on(post_at_once(&url, &Bytes::from_static(b"{}"), AT_ONCE));
    decode_at_once(&Bytes::from_static(b"x"), AT_ONCE);
    let idle = status_kib("VmRSS:") * 1024;
    let mut failures = Vec::new();
    for (name, body) in &bodies {
        for n in [1, AT_ONCE] {
            let started = Instant::now();
            let peak = peak_above(idle, || decode_at_once(body, n));
            eprintln!(
                "decode_postback  {name:>18} ×{n:<2}: +{:>3} MiB in {:?} (body {} KiB)",
                peak / MIB,
                started.elapsed(),
                body.len() / 1024
            );
            if peak >= GOAL {
                failures.push(format!("decode_postback {name} ×{n}: +{} MiB", peak / MIB));
            }
            let started = Instant::now();
            let mut statuses = Vec::new();
            let peak = peak_above(idle, || {
                statuses = runtime.block_on(post_at_once(&url, body, n));
            });
            eprintln!(
                "receiver         {name:>18} ×{n:<2}: +{:>3} MiB in {:?}, answers {statuses:?}",
                peak / MIB,
                started.elapsed()
            );
            assert!(
                statuses.iter().all(|s| [400, 413, 503].contains(s)),
                "{name}: refused, or busy: {statuses:?}"
            );
            if peak >= GOAL {
                failures.push(format!("receiver {name} ×{n}: +{} MiB", peak / MIB));
            }
        }
    }
    eprintln!("idle RSS {} MiB", idle / MIB);
    drop(server);
    assert!(failures.is_empty(), "over the goal: {failures:?}");
}

//! The per-client connection cap (`max_connections`): calls beyond it wait within their own
//! timeout, and 10,000 concurrent calls on one client succeed under `ulimit -n 1024`.
//!
//! A binary of its own: it lowers this process's open-file limit.

use std::time::{Duration, Instant};
use witi::{Client, ErrorCode};
use witi_sim::{Fault, FaultKind, Simulator};

fn client(sim: &Simulator, key: &str, cap: usize, timeout: Duration) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .timeout(timeout)
        .max_connections(cap)
        .max_retries(0)
        .build()
        .expect("client")
}

async fn slow(sim: &Simulator, key: &str, ms: u64) {
    sim.add_fault(
        Fault::new("status", FaultKind::Latency)
            .latency_ms(ms)
            .for_key(key),
    )
    .expect("fault");
}

/// The calls, all at once, and how long until the last one finished.
async fn all_at_once(c: &Client, n: usize) -> (Duration, Vec<witi::Result<witi::Status>>) {
    let started = Instant::now();
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.status().await })
        })
        .collect();
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.expect("the task ran"));
    }
    (started.elapsed(), results)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_cap_wait_for_a_free_connection() {
    let sim = Simulator::start_default().await.expect("sim");
    // 12 calls of 300 ms each through 3 connections: at least 4 rounds. Two clients that
    // share one pool (same settings) each keep their own cap.
    slow(&sim, "cap-a", 300).await;
    slow(&sim, "cap-b", 300).await;
    let a = client(&sim, "cap-a", 3, Duration::from_secs(30));
    let b = client(&sim, "cap-b", 3, Duration::from_secs(30));
    let (ra, rb) = tokio::join!(all_at_once(&a, 12), all_at_once(&b, 12));
    for (elapsed, results) in [ra, rb] {
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert!(
            elapsed >= Duration::from_millis(1200),
            "12 calls of 300 ms through 3 connections took {elapsed:?}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_for_a_connection_counts_against_the_timeout() {
    let sim = Simulator::start_default().await.expect("sim");
    slow(&sim, "cap-timeout", 800).await;
    let c = client(&sim, "cap-timeout", 1, Duration::from_millis(1000));
    let (_, results) = all_at_once(&c, 2).await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{results:?}");
    assert_eq!(failed[0].code(), ErrorCode::Timeout, "{}", failed[0]);
    sim.shutdown().await;
}

#[test]
fn a_zero_cap_is_refused() {
    let e = Client::builder()
        .api_key("k")
        .max_connections(0)
        .build()
        .expect_err("zero connections");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_calls_succeed_under_ulimit_1024() {
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_cur.min(1024);
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    let sim = Simulator::start_default().await.expect("sim");
    // The default cap (100); a generous timeout, for a loaded machine: this checks that
    // nothing fails, not how fast.
    let c = Client::builder()
        .api_key("ten-thousand")
        .base_url(sim.url())
        .timeout(Duration::from_secs(300))
        .max_retries(0)
        .build()
        .expect("client");
    let (_, results) = all_at_once(&c, 10_000).await;
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of 10,000 calls failed, first: {:?}",
        failed.len(),
        failed.first()
    );
    sim.shutdown().await;
}

//! `Retry-After` against the simulator: a huge value saturates instead of being ignored, and a
//! 5xx's value is honoured under the same cap as a 429's (RFC 9110 §10.2.3).

use std::time::{Duration, Instant};
use witi::{Client, ErrorCode, RetryPolicy};
use witi_sim::{Fault, FaultKind, Simulator};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn client(sim: &Simulator, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(5),
            jitter: false,
            ..RetryPolicy::default()
        })
        .build()
        .expect("a valid client")
}

/// One faulty answer, then healthy ones: a client that retries succeeds, one that gives up
/// at once fails with the fault's error.
fn fail_once(sim: &Simulator, key: &str, status: u16, retry_after: &str) {
    sim.clear_faults();
    sim.add_fault(
        Fault::new("status", FaultKind::HttpStatus)
            .status(status)
            .retry_after(retry_after)
            .times(1)
            .for_key(key),
    )
    .expect("fault");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_retry_after_saturates_and_is_returned_at_once() {
    let sim = Simulator::start_default().await.expect("sim");
    for status in [429, 503, 500] {
        for huge in [
            "99999999999",
            "1e30",
            "86401",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            let key = format!("huge-{status}");
            fail_once(&sim, &key, status, huge);
            let e = client(&sim, &key)
                .status()
                .await
                .expect_err("not retried: the wait is far over max_retry_after");
            let want = if status == 429 {
                ErrorCode::RateLimited
            } else {
                ErrorCode::HttpStatus
            };
            assert_eq!(e.code(), want, "{status} {huge}: {e}");
            assert_eq!(e.retry_after(), Some(DAY), "{status} {huge}: {e}");
            assert_eq!(e.http_status(), Some(status));
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_retry_after_is_waited_like_a_429s() {
    let sim = Simulator::start_default().await.expect("sim");
    for status in [503, 502, 429] {
        let key = format!("wait-{status}");
        fail_once(&sim, &key, status, "1");
        let started = Instant::now();
        client(&sim, &key)
            .status()
            .await
            .expect("retried after the wait the server asked for");
        // At least the wait asked for (the backoff alone is 5 ms).
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "{status}: retried after {:?}",
            started.elapsed()
        );
    }
    // Over max_retry_after (20 s by default): returned at once with the server's value.
    let key = "too-long-503";
    fail_once(&sim, key, 503, "3600");
    let e = client(&sim, key).status().await.expect_err("not waited");
    assert_eq!(e.code(), ErrorCode::HttpStatus);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)));
    assert!(e.to_string().contains("retry after 3600"), "{e}");
    sim.shutdown().await;
}

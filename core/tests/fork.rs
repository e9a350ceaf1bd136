//! After `fork()`, the child gets a working runtime and working clients: both a client built
//! before the fork (its connection pool is rebuilt) and a new one.
#![cfg(unix)]

use std::time::{Duration, Instant};
use witi::{Client, StatusCode};

#[test]
fn clients_work_in_a_forked_child() {
    let sim = witi_sim::Simulator::start_blocking(witi_sim::SimConfig::default()).expect("sim");
    let url = sim.url().to_owned();
    let before = Client::builder()
        .api_key("fork-parent")
        .base_url(&url)
        .build()
        .expect("client");
    // The parent uses the runtime and the pool first, so the child inherits both.
    let s = witi::runtime::block_on(before.status()).expect("status in the parent");
    assert_eq!(s.code, StatusCode::NoConnection);

    // SAFETY: the child only runs witi code and leaves with `_exit`, never returning into the
    // test harness; glibc's malloc is fork-safe.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let outcome = std::panic::catch_unwind(|| {
            let old = witi::runtime::block_on(async {
                tokio::time::timeout(Duration::from_secs(10), before.status()).await
            });
            let fresh = Client::builder()
                .api_key("fork-child")
                .base_url(&url)
                .build()
                .expect("client");
            let new = witi::runtime::block_on(async {
                tokio::time::timeout(Duration::from_secs(10), fresh.status()).await
            });
            matches!(old, Ok(Ok(_))) && matches!(new, Ok(Ok(_)))
        });
        let code = if matches!(outcome, Ok(true)) { 0 } else { 1 };
        // SAFETY: leaving the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut status = 0;
    loop {
        // SAFETY: waiting on our own child.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if r == pid {
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: killing our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the forked child hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child failed: status {status}"
    );
    let child = sim
        .instance("fork-child")
        .expect("the child's new client reached the simulator");
    assert_eq!(child.calls.get("status.aspx"), Some(&1));
    assert_eq!(
        sim.instance("fork-parent")
            .expect("parent")
            .calls
            .get("status.aspx"),
        Some(&2)
    );
    sim.shutdown_blocking();
}

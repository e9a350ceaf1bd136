//! The CLI's network options and what reaches stderr: `--max-connections`, `--proxy`, proxies
//! from the environment (loopback direct), and a key echoed in an encoded form.

mod common;

use common::*;
use witi_sim::{Fault, FaultKind};

#[test]
fn a_zero_connection_cap_is_an_invalid_argument() {
    let sim = sim();
    let out = run(witi(&sim).args(["status", "--max-connections", "0"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(out.stderr.contains("max_connections"), "{}", out.stderr);
    let out = run(witi(&sim).args(["status", "--max-connections", "1"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn a_proxy_error_names_the_proxy_without_its_password() {
    let sim = sim();
    let out = run(witi(&sim).args([
        "status",
        "--max-retries",
        "0",
        "--proxy",
        "http://alice:PR0XY-PASS@127.0.0.1:1",
    ]));
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert!(
        out.stderr.contains("through proxy http://127.0.0.1:1"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("PR0XY-PASS") && !out.stderr.contains("alice"));
}

#[test]
fn loopback_ignores_the_environments_proxy() {
    let sim = sim();
    // A proxy that does not exist: a loopback simulator is still reached directly.
    let out = run(witi(&sim)
        .env("HTTP_PROXY", "http://127.0.0.1:1")
        .env("ALL_PROXY", "socks5://127.0.0.1:1")
        .args(["status", "--max-retries", "0"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn an_encoded_echo_of_the_key_never_reaches_stderr() {
    let sim = sim();
    let lower: String = KEY.bytes().map(|b| format!("%{b:02x}")).collect();
    for body in [
        format!("<html>{}{lower} and more</html>", "x".repeat(100)),
        format!("<html>{}{KEY} and more</html>", "x".repeat(94)),
    ] {
        sim.clear_faults();
        sim.add_fault(Fault::new("*", FaultKind::Html).body(body))
            .expect("fault");
        for json in [false, true] {
            let mut cmd = witi(&sim);
            cmd.args(["status", "--max-retries", "0"]);
            if json {
                cmd.arg("--json");
            }
            let out = run(&mut cmd);
            assert_eq!(out.code, 9, "{}", out.stderr);
            for piece in ["cli-secret", "Zq81", "%63%6c%69", "secret-key"] {
                assert!(!out.stderr.contains(piece), "{piece} in {}", out.stderr);
            }
        }
    }
}

//! `witi connect` words what the core's pairing flow does: a restore instead of a QR code,
//! no "expired" on a transient code after a scan, a dropped QR code, and a timeout that names
//! the last status.

mod common;

use common::*;
use serde_json::{Value, json};
use witi_sim::InstanceConfig;

fn generated(sim: &witi_sim::Simulator) -> u64 {
    sim.instance(KEY)
        .and_then(|s| s.calls.get("generate_qrcode.aspx").copied())
        .unwrap_or(0)
}

#[test]
fn connect_restores_a_closed_session_without_a_qr() {
    let sim = sim();
    sim.force_status(KEY, 11, None).expect("forced");
    let out = run(witi(&sim).args(["connect", "--wait", "20"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Restoring the saved session (status 11)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Connected: "), "{}", out.stdout);
    assert_eq!(generated(&sim), 0, "no QR code");
}

#[test]
fn no_restore_goes_straight_to_a_qr() {
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(200)),
            starting_delay_ms: Some(0),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    sim.force_status(KEY, 11, None).expect("forced");
    let out = run(witi(&sim).args(["connect", "--no-restore", "--wait", "20"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("Restoring"), "{}", out.stdout);
    assert_eq!(generated(&sim), 1);
    let calls = sim.instance(KEY).expect("used").calls;
    assert_eq!(calls.get("restore_session.aspx"), Some(&0));
}

#[test]
fn a_transient_code_after_the_scan_is_not_an_expiry() {
    let sim = sim();
    let mut answers = vec![json!(0), json!(3), json!(4)];
    answers.extend(std::iter::repeat_n(json!(11), 3));
    answers.push(json!(10));
    sim.status_script(KEY, answers).expect("scripted");
    let out = run(witi(&sim).args(["connect", "--wait", "20"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("expired"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Scanned: finishing the pairing"),
        "{}",
        out.stdout
    );
    assert_eq!(generated(&sim), 1);
}

#[test]
fn a_gateway_that_drops_qr_codes_is_named() {
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            qr_drop_after_ms: Some(Some(20)),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let out = run(witi(&sim).args(["connect", "--wait", "30"]));
    assert_eq!(out.code, 3, "an api error: {}", out.stderr);
    assert!(
        out.stdout.contains("The gateway dropped the QR code after"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("expired"), "{}", out.stdout);
    assert!(
        out.stderr.contains("dropped 3 QR codes in a row"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_timeout_names_the_last_status_in_text_and_json() {
    let sim = sim();
    let out = run(witi(&sim).args(["connect", "--wait", "1.5"]));
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("not paired within 1.5s (last status 3 waitForQRAuthentication)"),
        "{}",
        out.stderr
    );
    let out = run(witi(&sim).args(["connect", "--json", "--wait", "1.5"]));
    assert_eq!(out.code, 7);
    let line = out.stderr.lines().last().expect("an error line");
    let v: Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(v["error"]["code"], "timeout");
    assert_eq!(v["error"]["last_status"]["code"], 3, "{v}");
}

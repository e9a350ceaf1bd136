//! Every API subcommand against the simulator: its summary, its `--json` output parsed back,
//! and an exit code per error code, with the key absent from every output.

mod common;

use common::*;
use serde_json::Value;
use witi_sim::{Fault, FaultKind};

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn status_prints_a_summary_and_its_json() {
    let sim = sim();
    let human = run(witi(&sim).arg("status"));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.contains("status        NO_CONNECTION(0)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("connected     no"));
    // The WebID (the gateway's `&wid=`, which may be the key) shows only as its tail.
    let web_id = sim.instance(KEY).expect("instance").web_id;
    let configured = run(witi(&sim).args(["set-config", "--webhook", "http://127.0.0.1:9/h?t=1"]));
    assert_eq!(configured.code, 0, "{}", configured.stderr);
    let human = run(witi(&sim).arg("status"));
    assert!(human.stdout.contains("web id"), "{}", human.stdout);
    assert!(human.stdout.contains("h?t=1&wid=…"), "{}", human.stdout);
    assert!(!human.stdout.contains(&web_id), "{}", human.stdout);
    assert!(
        !configured.stdout.contains(&web_id),
        "{}",
        configured.stdout
    );

    let v = json(&run(witi(&sim).args(["status", "--json"])));
    assert_eq!(v["code"], 0);
    assert_eq!(v["connected"], false);
    assert!(
        v["raw_json"]
            .as_str()
            .expect("raw_json")
            .contains("\"status\"")
    );
}

#[test]
fn every_session_command_runs_and_answers_json() {
    let sim = sim();
    // Authenticate first so that save/close/restore have something to act on.
    run(witi(&sim).arg("qrcode"));
    sim.scan(KEY, None).expect("a live QR to scan");
    std::thread::sleep(std::time::Duration::from_millis(1300));

    let v = json(&run(witi(&sim).args(["--json", "status"])));
    assert_eq!(v["code"], 10, "{v}");
    assert!(v["connection_info"]["wid"].as_str().is_some());

    let v = json(&run(witi(&sim).args(["save-session", "--json"])));
    assert_eq!(v["success"], true);
    let v = json(&run(witi(&sim).args(["close-session", "--json"])));
    assert_eq!(
        (v["success"].clone(), v["status"]["code"].clone()),
        (true.into(), 0.into())
    );
    let v = json(&run(witi(&sim).args(["restore-session", "--json"])));
    assert_eq!(v["success"], true);
    let human = run(witi(&sim).arg("restore-session"));
    assert!(
        human.stdout.starts_with("success       yes"),
        "{}",
        human.stdout
    );

    let v = json(&run(witi(&sim).args([
        "set-config",
        "--webhook",
        "http://127.0.0.1:9/hook?token=t",
        "--api-version",
        "1.1",
        "--bulk",
        "true",
        "--json",
    ])));
    assert!(
        v["webhook"]
            .as_str()
            .expect("webhook")
            .starts_with("http://127.0.0.1:9/hook?token=t")
    );
    let snapshot = sim.instance(KEY).expect("used");
    assert!(snapshot.bulk && snapshot.api_version == "1.1");

    let v = json(&run(witi(&sim).args(["disconnect", "--json"])));
    assert_eq!(v["code"], 0);
    let human = run(witi(&sim).arg("clear"));
    assert_eq!(human.code, 0);
    assert!(
        human.stdout.contains("success       yes"),
        "{}",
        human.stdout
    );
    let v = json(&run(witi(&sim).args(["clear", "--json"])));
    assert_eq!(v["success"], true);

    let calls = sim.instance(KEY).expect("used").calls;
    for command in [
        "save_session.aspx",
        "close_session.aspx",
        "restore_session.aspx",
        "set_config.aspx",
        "disconnect.aspx",
        "clear.aspx",
    ] {
        assert!(calls[command] >= 1, "{command} reached the server");
    }
}

#[test]
fn qrcode_is_drawn_so_that_it_decodes_to_the_servers_payload() {
    let sim = sim();
    let dir = std::env::temp_dir().join(format!("witi-cli-qr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let svg_path = dir.join("qr.svg");
    // Into a pipe, the drawing's background must be given: here a light one.
    let out = run(witi(&sim)
        .args(["--no-invert", "qrcode", "--save-svg"])
        .arg(&svg_path));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let payload = sim
        .instance(KEY)
        .and_then(|s| s.qr_payload)
        .expect("a live QR");
    let grids = drawings(&out.stdout);
    assert_eq!(grids.len(), 1, "one QR drawn:\n{}", out.stdout);
    assert_eq!(decode(&grids[0]).as_deref(), Some(payload.as_str()));
    assert!(out.stdout.contains("valid 20 s"));
    let svg = std::fs::read_to_string(&svg_path).expect("the SVG was saved");
    assert!(svg.contains("<svg") && svg.contains("<path"));

    // JSON: the QR as the API returned it.
    let v = json(&run(witi(&sim).args(["qrcode", "--json"])));
    assert!(
        v["data_url"]
            .as_str()
            .expect("data_url")
            .starts_with("data:image/svg+xml;base64,")
    );
    assert!(v["svg"].as_str().expect("svg").contains("<svg"));
    assert_eq!(v["ttl_seconds"], 20);
    let _ = std::fs::remove_dir_all(dir);
}

/// One command under `fault`, with `extra` options; returns its run.
fn failing(sim: &witi_sim::Simulator, fault: Option<Fault>, args: &[&str]) -> Run {
    sim.clear_faults();
    if let Some(fault) = fault {
        sim.add_fault(fault).expect("fault accepted");
    }
    run(witi(sim).args(args))
}

#[test]
fn each_error_code_has_its_exit_code_and_a_readable_message() {
    let sim = sim();
    let cases: Vec<(Option<Fault>, Vec<&str>, i32, &str)> = vec![
        (
            Some(Fault::new("status", FaultKind::HttpStatus).status(401)),
            vec!["status"],
            4,
            "[auth]",
        ),
        (
            Some(
                Fault::new("status", FaultKind::HttpStatus)
                    .status(429)
                    .retry_after("120"),
            ),
            vec!["status"],
            5,
            "retry after 120 s",
        ),
        (
            Some(Fault::new("status", FaultKind::HttpStatus).status(502)),
            vec!["status", "--max-retries", "0"],
            6,
            "[http_status]",
        ),
        (
            Some(Fault::new("status", FaultKind::Stall)),
            vec!["status", "--timeout", "0.3", "--max-retries", "0"],
            7,
            "[timeout]",
        ),
        (
            Some(Fault::new("status", FaultKind::Reset)),
            vec!["status", "--max-retries", "0"],
            8,
            "[connection]",
        ),
        (
            Some(Fault::new("status", FaultKind::Html)),
            vec!["status"],
            9,
            "[decode]",
        ),
        (
            None,
            vec!["status", "--timeout=0"],
            10,
            "[invalid_argument]",
        ),
        (
            None,
            vec!["status", "--base-url", "ftp://nowhere"],
            10,
            "[invalid_argument]",
        ),
    ];
    for (fault, args, code, text) in cases {
        let out = failing(&sim, fault, &args);
        assert_eq!(out.code, code, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(text), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "nothing on stdout on failure");
    }

    // api: the server said no (a QR while authenticated), with its own text.
    sim.clear_faults();
    sim.force_status(KEY, 10, None).expect("forced");
    let out = run(witi(&sim).arg("qrcode"));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("[api]") && out.stderr.contains("Connection already established"));

    // --json errors are one JSON object on stderr with the code and the HTTP status.
    let out = failing(
        &sim,
        Some(Fault::new("status", FaultKind::HttpStatus).status(403)),
        &["status", "--json"],
    );
    assert_eq!(out.code, 4);
    let v: Value = serde_json::from_str(out.stderr.trim()).expect("a JSON error");
    assert_eq!(
        (
            v["error"]["code"].as_str(),
            v["error"]["http_status"].as_u64()
        ),
        (Some("auth"), Some(403))
    );
}

#[test]
fn a_missing_key_and_bad_usage_are_told_apart() {
    let sim = sim();
    let out = run(witi(&sim).env_remove("WITI_API_KEY").arg("status"));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(out.stderr.contains("[invalid_argument]"));
    let out = run(witi(&sim).args(["status", "--no-such-option"]));
    assert_eq!(out.code, 2);
    let out = run(witi(&sim).args(["set-config", "--bulk", "maybe"]));
    assert_eq!(out.code, 2);
}

#[test]
fn a_key_given_on_the_command_line_never_shows() {
    let sim = sim();
    // The key reaches the server (it is the instance's name there) ...
    let out = run(witi(&sim)
        .env_remove("WITI_API_KEY")
        .args(["--api-key", KEY, "status"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(sim.instance(KEY).is_some());
    // ... and never comes back out, even in errors whose URL carries it.
    for kind in [FaultKind::Reset, FaultKind::Html, FaultKind::Truncated] {
        let out = failing(
            &sim,
            Some(Fault::new("*", kind)),
            &["--api-key", KEY, "status", "--max-retries", "0"],
        );
        assert_ne!(out.code, 0);
    }
    let help = run(witi(&sim).arg("--help"));
    assert!(help.stdout.contains("Exit codes:") && help.stdout.contains("rate_limited"));
    assert!(help.stdout.contains("WITI_API_KEY"));
}

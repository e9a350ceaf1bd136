//! The Messages, Contacts and Groups subcommands and `call` against the simulator: each one's
//! summary and `--json` output, what reached the simulator (its log of sent messages), the
//! exit codes of a "no" answer (12) and of a bad number (10, with no request made).

mod common;

use common::*;
use serde_json::Value;
use witi_sim::Simulator;

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// A simulator whose instance `KEY` has a paired phone.
fn paired() -> Simulator {
    let sim = sim();
    sim.force_status(KEY, 10, None).expect("forced");
    sim
}

/// How many times `command` reached the simulator for `KEY`.
fn calls(sim: &Simulator, command: &str) -> u64 {
    sim.instance(KEY)
        .and_then(|s| s.calls.get(command).copied())
        .unwrap_or(0)
}

#[test]
fn call_prints_the_json_answer_and_checks_its_body() {
    let sim = paired();
    // The answer's JSON, pretty-printed with or without --json.
    let v = json(&run(witi(&sim).args(["call", "status", "--read-only"])));
    assert_eq!(v["status"], 10, "{v}");
    assert_eq!(calls(&sim, "status.aspx"), 1);

    let out = run(witi(&sim).args(["call", "send_message", "--body", "{not json"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(out.stderr.contains("--body is not JSON"), "{}", out.stderr);
    let out = run(witi(&sim).args(["call", "../status", "--json"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert_eq!(calls(&sim, "send_message.aspx"), 0);
}

#[test]
fn a_bad_number_is_refused_before_any_request() {
    let sim = paired();
    let out = run(witi(&sim).args(["check", "+55 11 98765-4321", "call me"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(
        out.stderr.contains("[invalid_argument] number 2"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
    assert_eq!(
        calls(&sim, "query_profile.aspx"),
        0,
        "not even the good one"
    );
    for args in [
        vec!["send", "12", "hi"],
        vec!["send", "5511987654321@", "hi"],
        vec!["profile", "abc"],
        vec!["group", "create", "g", "5511987654321", "nope"],
        vec![
            "group",
            "add",
            "5511987654321@s.whatsapp.net",
            "5511987654321",
        ],
    ] {
        let out = run(witi(&sim).args(&args).arg("--json"));
        assert_eq!(out.code, 10, "{args:?}: {}", out.stderr);
        let v: Value = serde_json::from_str(out.stderr.trim()).expect("a JSON error");
        assert_eq!(v["error"]["code"], "invalid_argument");
    }
    for command in [
        "send_message.aspx",
        "get_profile.aspx",
        "group_create.aspx",
        "group_add.aspx",
    ] {
        assert_eq!(calls(&sim, command), 0, "{command} was not called");
    }
}

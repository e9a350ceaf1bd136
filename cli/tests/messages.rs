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

/// The last message the instance sent, as the simulator logged it.
fn last_sent(sim: &Simulator) -> Value {
    let sent = sim.sent(KEY).expect("the instance exists");
    serde_json::to_value(sent.last().expect("something was sent")).expect("JSON")
}

#[test]
fn chats_and_contacts_print_a_table_and_their_json() {
    let sim = paired();
    let v = json(&run(witi(&sim).args(["chats", "--json"])));
    let chats = v.as_array().expect("a list");
    assert!(!chats.is_empty());
    let first = &chats[0];
    assert!(
        first["jid"].as_str().is_some_and(|j| j.contains('@')),
        "{first}"
    );
    assert!(first["raw_json"].as_str().is_some());
    let human = run(witi(&sim).arg("chats"));
    assert_eq!(human.code, 0, "{}", human.stderr);
    let header = human.stdout.lines().next().expect("a header");
    for column in ["NAME", "JID", "UNREAD", "MUTED", "LAST MESSAGE"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        human.stdout.contains(&format!("{} chats, ", chats.len())),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains(first["jid"].as_str().expect("jid")));

    let v = json(&run(witi(&sim).args(["--json", "contacts"])));
    let contacts = v.as_array().expect("a list");
    assert!(!contacts.is_empty());
    let human = run(witi(&sim).arg("contacts"));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.starts_with("NAME"), "{}", human.stdout);
    assert!(
        human
            .stdout
            .contains(&format!("{} contacts", contacts.len()))
    );
    // Picture URLs carry the WebID: never in the readable form.
    assert!(!human.stdout.contains("picture") && !human.stdout.contains("http"));
}

#[test]
fn an_unpaired_phone_has_no_chats_and_cannot_send() {
    let sim = sim();
    let human = run(witi(&sim).arg("chats"));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.starts_with("no chats"), "{}", human.stdout);
    assert_eq!(
        json(&run(witi(&sim).args(["chats", "--json"]))),
        Value::Array(vec![])
    );
    let out = run(witi(&sim).args(["send", "+55 11 98765-4321", "hi"]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("[api]"), "{}", out.stderr);
}

#[test]
fn send_sends_the_text_to_the_jid() {
    let sim = paired();
    let out = run(witi(&sim).args(["send", "+55 (11) 98765-4321", "Hello *there*"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("sent          yes"), "{}", out.stdout);
    let last = last_sent(&sim);
    assert_eq!(last["number"], "5511987654321@s.whatsapp.net");
    assert_eq!(last["message"], "Hello *there*");
    assert!(out.stdout.contains(last["id"].as_str().expect("id")));

    let v = json(&run(witi(&sim).args([
        "send",
        "5511987654321",
        "again",
        "--json",
    ])));
    assert_eq!(v["id"], last_sent(&sim)["id"]);
    assert!(v["raw_json"].as_str().is_some());
}

#[test]
fn send_file_by_path_guesses_the_mime_type_and_by_url_takes_the_options() {
    let sim = paired();
    let dir = tempfile::tempdir().expect("temp dir");
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "a note\n").expect("written");
    let out = run(witi(&sim)
        .args(["send-file", "5511987654321", "--caption", "see", "--file"])
        .arg(&note));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let last = last_sent(&sim);
    assert_eq!(last["command"], "send_message_file");
    assert_eq!(last["mimetype"], "text/plain", "{last}");
    assert_eq!(last["caption"], "see");
    assert!(
        out.stdout
            .contains("mime type     text/plain (guessed from the extension)"),
        "{}",
        out.stdout
    );

    // An unknown extension is sent as `file` (a document); --mime-type wins over the guess.
    let odd = dir.path().join("data.witi-unknown");
    std::fs::write(&odd, [1u8, 2, 3]).expect("written");
    let out = run(witi(&sim)
        .args(["send-file", "5511987654321", "--file"])
        .arg(&odd));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(last_sent(&sim)["mimetype"], "file");
    let out = run(witi(&sim)
        .args([
            "send-file",
            "5511987654321",
            "--mime-type",
            "image/png",
            "--file",
        ])
        .arg(&note));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(last_sent(&sim)["mimetype"], "image/png");

    let v = json(&run(witi(&sim).args([
        "send-file",
        "5511987654321@s.whatsapp.net",
        "--url",
        "https://example.com/files/report.pdf?v=2",
        "--filename",
        "Report.pdf",
        "--json",
    ])));
    let last = last_sent(&sim);
    assert_eq!(v["id"], last["id"]);
    assert_eq!(last["type"], "application/pdf", "{last}");
    assert_eq!(last["filename"], "Report.pdf");
    assert_eq!(last["url"], "https://example.com/files/report.pdf?v=2");

    // The inline form has no file name: the core refuses before sending.
    let before = sim.sent(KEY).expect("log").len();
    let out = run(witi(&sim)
        .args([
            "send-file",
            "5511987654321",
            "--filename",
            "x.txt",
            "--file",
        ])
        .arg(&note));
    assert_eq!(out.code, 10, "{}", out.stderr);
    // Exactly one source: clap's usage error.
    let out = run(witi(&sim).args(["send-file", "5511987654321"]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(witi(&sim).args([
        "send-file",
        "5511987654321",
        "--url",
        "https://example.com/a.png",
        "--file",
        "a.png",
    ]));
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(sim.sent(KEY).expect("log").len(), before);
}

#[test]
fn profile_is_found_or_exits_12() {
    let sim = paired();
    let contacts = json(&run(witi(&sim).args(["contacts", "--json"])));
    let jid = contacts[0]["jid"]
        .as_str()
        .expect("a contact's jid")
        .to_owned();
    let v = json(&run(witi(&sim).args(["profile", &jid, "--json"])));
    assert_eq!(v["jid"], jid.as_str());
    let human = run(witi(&sim).args(["profile", &jid]));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.starts_with(&format!("jid           {jid}")),
        "{}",
        human.stdout
    );

    // Not a contact: get_profile finds nothing; query_profile finds it (on WhatsApp).
    let stranger = "+55 11 97777-6661";
    let out = run(witi(&sim).args(["profile", stranger]));
    assert_eq!(out.code, 12, "{}", out.stderr);
    assert!(out.stdout.is_empty() && out.stderr.contains("no profile"));
    let out = run(witi(&sim).args(["profile", stranger, "--json"]));
    assert_eq!((out.code, out.stdout.trim()), (12, "null"));
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let v = json(&run(
        witi(&sim).args(["profile", "--query", stranger, "--json"])
    ));
    assert_eq!(v["jid"], "5511977776661@s.whatsapp.net");
    let out = run(witi(&sim).args(["profile", "--query", "+55 11 97777-6660"]));
    assert_eq!(out.code, 12, "{}", out.stderr);
}

#[test]
fn check_exits_0_when_all_are_on_whatsapp_and_12_when_some_are_not() {
    let sim = paired();
    let out = run(witi(&sim).args(["check", "+55 11 98765-4321", "5521912345671"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.matches("  on WhatsApp").count(),
        2,
        "{}",
        out.stdout
    );

    let out = run(witi(&sim).args(["check", "+55 11 98765-4321", "5521912345670"]));
    assert_eq!(out.code, 12, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("5521912345670@s.whatsapp.net  not on WhatsApp")
    );
    assert!(
        out.stderr.contains("1 of 2 not on WhatsApp"),
        "{}",
        out.stderr
    );

    let out = run(witi(&sim).args(["check", "--json", "5521912345670", "5511987654321"]));
    assert_eq!(out.code, 12);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!([
            {"number": "5521912345670", "jid": "5521912345670@s.whatsapp.net", "on_whatsapp": false},
            {"number": "5511987654321", "jid": "5511987654321@s.whatsapp.net", "on_whatsapp": true},
        ])
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);

    let help = run(witi(&sim).arg("--help"));
    assert!(help.stdout.contains("  12  no "), "{}", help.stdout);
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
    assert!(sim.sent(KEY).expect("log").is_empty());
    for command in [
        "send_message.aspx",
        "get_profile.aspx",
        "group_create.aspx",
        "group_add.aspx",
    ] {
        assert_eq!(calls(&sim, command), 0, "{command} was not called");
    }
}

#[test]
fn group_create_and_add() {
    let sim = paired();
    let v = json(&run(witi(&sim).args([
        "group",
        "create",
        "Team",
        "+55 11 98765-4321",
        "5521912345671",
        "--json",
    ])));
    let jid = v["jid"].as_str().expect("the group's jid").to_owned();
    assert!(jid.ends_with("@g.us"), "{v}");
    let members = v["information"]["participants"]
        .as_array()
        .expect("participants")
        .len();
    assert!(members >= 2, "{v}");

    let human = run(witi(&sim).args(["group", "add", &jid, "5531955554441"]));
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.starts_with(&format!("group         {jid}")),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains(&format!("participants  {} members", members + 1)),
        "{}",
        human.stdout
    );
}

#[test]
fn call_prints_the_json_answer_and_checks_its_body() {
    let sim = paired();
    // The answer's JSON, pretty-printed with or without --json.
    let v = json(&run(witi(&sim).args(["call", "status", "--read-only"])));
    assert_eq!(v["status"], 10, "{v}");
    assert_eq!(calls(&sim, "status.aspx"), 1);

    let v = json(&run(witi(&sim).args([
        "call",
        "send_message.aspx",
        "--body",
        r#"{"number": "5511987654321@s.whatsapp.net", "message": "raw"}"#,
    ])));
    assert_eq!(v["success"], true, "{v}");
    assert_eq!(last_sent(&sim)["message"], "raw");

    let out = run(witi(&sim).args(["call", "send_message", "--body", "{not json"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert!(out.stderr.contains("--body is not JSON"), "{}", out.stderr);
    let out = run(witi(&sim).args(["call", "../status", "--json"]));
    assert_eq!(out.code, 10, "{}", out.stderr);
    assert_eq!(calls(&sim, "send_message.aspx"), 1);
}

#[test]
fn a_reader_that_stops_reading_is_not_a_crash() {
    let sim = paired();
    // The pipe is closed before the answer arrives: every write fails with EPIPE.
    let mut child = witi(&sim)
        .arg("contacts")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The README's shell examples as a shell splits them: a number written with spaces must be
/// quoted, or `witi check +55 11 98765-4321` checks "+55", "11" and "98765-4321" (the README's
/// own example failed with exit code 10).
#[test]
fn readme_examples_quote_numbers_with_spaces() {
    let readme = include_str!("../README.md");
    let mut checked = 0;
    for line in readme.lines().filter(|l| l.starts_with("witi ")) {
        let line = line.split(" #").next().unwrap_or(line);
        // A small POSIX split: words by blanks, '…' and "…" kept whole.
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        let mut in_word = false;
        for c in line.chars() {
            match (quote, c) {
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (Some(q), c) if c == q => quote = None,
                (None, ' ' | '\t') => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (_, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        if in_word {
            words.push(word);
        }
        for w in &words {
            let cut =
                w.len() <= 4 && w.starts_with('+') && w[1..].chars().all(|c| c.is_ascii_digit());
            assert!(
                !cut,
                "a number cut by the shell ({w:?}) in the README line: {line}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
}

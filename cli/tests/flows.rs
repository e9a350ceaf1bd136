//! The long-running subcommands as a person uses them: `connect` (a QR that expires and is
//! redrawn, decoded back from the terminal), `listen` (a PostBack in each framing), `sim`,
//! `demo`, and the completions.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};
use witi_sim::{InstanceConfig, PostbackBody};

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn generated(sim: &witi_sim::Simulator) -> u64 {
    sim.instance(KEY)
        .and_then(|s| s.calls.get("generate_qrcode.aspx").copied())
        .unwrap_or(0)
}

/// Stops a long-running subcommand the way Ctrl-C does; it must exit cleanly.
fn interrupt(mut child: Child) {
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0), "a clean exit on Ctrl-C");
}

#[test]
fn connect_redraws_an_expired_qr_and_the_drawing_scans() {
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            qr_ttl_ms: Some(1000),
            starting_delay_ms: Some(100),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let child = witi(&sim)
        .args(["--no-invert", "connect", "--wait", "30"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // Let the first QR expire; scan the fresh one (or a later one, if we lose a race).
    wait_until("a second QR", || generated(&sim) >= 2);
    let scanned = loop {
        let before = generated(&sim);
        let payload = sim.instance(KEY).and_then(|s| s.qr_payload);
        if let Some(payload) = payload
            && sim.scan(KEY, Some(&payload)).is_ok()
        {
            break payload;
        }
        wait_until("another QR", || generated(&sim) > before);
    };
    let output = child.wait_with_output().expect("connect ends");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let stderr = String::from_utf8(output.stderr).expect("utf-8");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains(KEY) && !stderr.contains(KEY));

    let grids = drawings(&stdout);
    assert_eq!(
        grids.len() as u64,
        generated(&sim),
        "one drawing per QR:\n{stdout}"
    );
    assert!(stdout.contains("The QR code expired; here is a fresh one."));
    let last = grids.last().expect("a drawing");
    assert_eq!(
        decode(last).as_deref(),
        Some(scanned.as_str()),
        "the drawing scans"
    );
    assert!(stdout.contains("Connected: "), "{stdout}");
    assert!(stdout.contains("status        AUTHENTICATED(10)"));
}

#[test]
fn connect_json_prints_each_qr_and_the_final_status() {
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(300)),
            starting_delay_ms: Some(100),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let out = run(witi(&sim).args(["connect", "--json", "--wait", "20"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    let (last, qrs) = lines.split_last().expect("lines");
    assert_eq!(last["status"]["code"], 10);
    assert_eq!(qrs.len() as u64, generated(&sim));
    let payload = qrs[0]["qr"]["payload"].as_str().expect("decoded payload");
    assert!(payload.starts_with("2@"));

    // Already authenticated: returns at once, no QR.
    let out = run(witi(&sim).args(["connect", "--json"]));
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.lines().count(), 1);
}

#[test]
fn connect_gives_up_with_the_timeout_exit_code() {
    let sim = sim();
    let out = run(witi(&sim).args(["connect", "--wait", "1.5"]));
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(out.stderr.contains("[timeout]"));
}

/// Starts `witi listen`; returns the child, its URL and a channel of its stdout lines.
fn listen(sim: &witi_sim::Simulator, args: &[&str]) -> (Child, String, mpsc::Receiver<String>) {
    let mut child = witi(sim)
        .args(["listen", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut banner = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut banner)
        .expect("banner");
    let url = banner
        .strip_prefix("witi listening on ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("banner: {banner}"))
        .to_owned();
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, url, rx)
}

fn next_line(rx: &mpsc::Receiver<String>) -> String {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("a line from listen")
}

#[test]
fn listen_prints_events_of_every_framing() {
    let sim = sim();
    let (child, url, lines) = listen(&sim, &["--json", "--token", "s3cret"]);
    let hook = format!("{url}?token=s3cret");
    for (phase, api_version, bulk) in [
        ("plain", "1.0", "false"),
        ("bulk", "1.0", "true"),
        ("bulkgz", "1.1", "true"),
    ] {
        let out = run(witi(&sim).args([
            "set-config",
            "--webhook",
            &hook,
            "--api-version",
            api_version,
            "--bulk",
            bulk,
        ]));
        assert_eq!(out.code, 0, "{}", out.stderr);
        // set_config always sends the status; then an event of our own, in the same framing.
        sim.send_postback(KEY, PostbackBody::Event(json!({"phase": phase})))
            .expect("queued");
        let status: Value = serde_json::from_str(&next_line(&lines)).expect("JSON line");
        assert_eq!(status["kind"], "status", "{phase}: {status}");
        assert!(status["status"]["code"].is_i64());
        // The gateway (here the simulator) appends `&wid=<WebID>` to the PostBack URL.
        let wid = status["wid"].as_str().expect("a wid").to_owned();
        let webhook = status["status"]["webhook"].as_str().expect("webhook");
        assert!(webhook.ends_with(&format!("&wid={wid}")), "{webhook}");
        let mut custom: Value = serde_json::from_str(&next_line(&lines)).expect("JSON line");
        let id = custom["id"].take();
        assert!(id.as_str().is_some_and(|id| id.len() == 32), "{id}");
        assert_eq!(
            custom,
            json!({"kind": "unknown", "event": {"phase": phase}, "status": null, "wid": wid, "id": null})
        );
    }
    // The counts settle once the last answer reaches the simulator.
    wait_until("six deliveries", || {
        sim.instance(KEY)
            .is_some_and(|s| s.postbacks.delivered == 6 && s.postbacks.pending == 0)
    });
    assert_eq!(sim.instance(KEY).expect("used").postbacks.failed, 0);
    interrupt(child);
}

#[test]
fn listen_prints_readable_lines_and_refuses_a_wrong_token() {
    let sim = sim();
    let (child, url, lines) = listen(&sim, &["--token", "right"]);
    let out = run(witi(&sim).args(["set-config", "--webhook", &format!("{url}?token=right")]));
    assert_eq!(out.code, 0);
    let line = next_line(&lines);
    assert!(
        line.starts_with("status  NO_CONNECTION(0) connected=no"),
        "{line}"
    );
    // The instance shows shortened (its last 4 characters), never whole.
    let tail = line.split("  [wid …").nth(1).expect("a shortened wid");
    let (wid_tail, id) = tail.split_once(" id ").expect("an id");
    assert_eq!(wid_tail.chars().count(), 4, "{line}");
    assert_eq!(id.trim_end_matches(']').len(), 8, "{line}");
    // A PostBack with the wrong token is refused (401) and printed nowhere.
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            retry_attempts: Some(1),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    run(witi(&sim).args(["set-config", "--webhook", &format!("{url}?token=wrong")]));
    wait_until("the refused delivery", || {
        sim.instance(KEY).is_some_and(|s| s.postbacks.failed == 1)
    });
    assert!(lines.recv_timeout(Duration::from_millis(200)).is_err());
    interrupt(child);
}

#[test]
fn sim_serves_until_interrupted_and_connect_pairs_with_it() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_witi"))
        .args(["sim", "--port", "0", "--auto-scan-after", "0.3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("a first line");
    let url = first
        .trim()
        .strip_prefix("witi-sim listening on ")
        .expect("the URL line");
    let client = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_witi"))
            .env("WITI_API_KEY", KEY)
            .env("WITI_BASE_URL", url)
            .env("TMPDIR", env!("CARGO_TARGET_TMPDIR"))
            .args(args)
            .output()
            .expect("runs")
    };
    let out = client(&["connect", "--wait", "20"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = client(&["status", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["code"], 10);
    interrupt(child);
}

#[test]
fn demo_walks_the_whole_lifecycle() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_witi"))
        .args(["--no-invert", "demo", "--scan-after", "0.5"])
        .env_remove("WITI_API_KEY")
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rest = stdout.as_str();
    for step in [
        "simulator",
        "receiver",
        "set-config",
        "status",
        "connect",
        "connected",
        "check",
        "check",
        "send",
        "send-file",
        "send-file",
        "chats",
        "group-create",
        "save-session",
        "close-session",
        "restore-session",
        "status",
        "set-config",
        "disconnect",
        "clear",
        "postbacks",
    ] {
        let at = rest
            .lines()
            .position(|l| l.starts_with(&format!("{step:<16}")))
            .unwrap_or_else(|| panic!("step {step} missing after:\n{rest}"));
        let skip: usize = rest.lines().take(at + 1).map(|l| l.len() + 1).sum();
        rest = &rest[skip.min(rest.len())..];
    }
    assert_eq!(stdout.lines().last(), Some("done"));
    // After pairing: the simulator's answers, as a user reads them.
    for expected in [
        "check           +55 11 98765-4321 is on WhatsApp",
        "check           +55 11 91234-5670 is not on WhatsApp",
        "send            \"Hello from *witi* 👋\" to +55 11 98765-4321, id ",
        "send-file       27 bytes of text/plain inline, id ",
        "send-file       https://example.com/witi/logo.png by URL, id ",
        "@g.us with 3 members",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing:\n{stdout}");
    }
    let chats = stdout
        .lines()
        .find(|l| l.starts_with("chats "))
        .expect("a chats line");
    assert!(
        chats.split(' ').find_map(|w| w.parse::<u32>().ok()) > Some(0),
        "{chats}"
    );
    let postbacks = stdout
        .lines()
        .filter(|l| l.starts_with("  ↳ postback"))
        .count();
    assert!(postbacks >= 6, "{postbacks} postbacks printed:\n{stdout}");
    assert!(
        stdout.contains("postbacks       8 delivered, 0 failed"),
        "{stdout}"
    );
    let grids = drawings(&stdout);
    assert_eq!(grids.len(), 1);
    assert!(decode(&grids[0]).is_some_and(|p| p.starts_with("2@")));
}

#[test]
fn completions_for_each_shell_know_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_witi"))
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0));
        let script = String::from_utf8(out.stdout).expect("utf-8");
        for sub in [
            "connect",
            "close-session",
            "set-config",
            "listen",
            "demo",
            "chats",
            "contacts",
            "send-file",
            "profile",
            "check",
            "group",
            "call",
        ] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
}

#[test]
fn a_qr_image_that_does_not_decode_is_saved_for_the_user_to_open() {
    use base64::Engine as _;
    let sim = sim();
    // The first answer carries an image with no QR in it (valid 1 s); the next ones are real.
    let svg =
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="3"/></svg>"#;
    let data_url = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    let body = json!({"qr": data_url, "status": 1, "error": "", "ttl": 1}).to_string();
    sim.add_fault(
        witi_sim::Fault::new("generate_qrcode", witi_sim::FaultKind::HttpStatus)
            .status(200)
            .body(body)
            .times(1),
    )
    .expect("fault");
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(300)),
            starting_delay_ms: Some(100),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let out = run(witi(&sim).args(["--no-invert", "connect", "--wait", "20"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("This QR image cannot be drawn here.\nOpen "),
        "no fallback lines:\n{}",
        out.stdout
    );
    let line = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Open "))
        .expect("the files' line");
    let path = line
        .split_once(" (or ")
        .and_then(|(_, rest)| rest.strip_suffix(") and scan it."))
        .expect("the SVG's path");
    assert_eq!(std::fs::read_to_string(path).expect("saved"), svg);
    // The fresh QR after it is drawn as usual.
    assert_eq!(drawings(&out.stdout).len(), 1);
}

/// On a terminal (a pty from util-linux `script`), the QR comes in black-on-white ANSI colours,
/// a spinner counts the seconds left on stderr, and the drawing still scans.
#[test]
fn on_a_terminal_the_qr_is_coloured_and_a_spinner_counts_down() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(1500)),
            starting_delay_ms: Some(100),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let command = format!("{} connect --wait 20", env!("CARGO_BIN_EXE_witi"));
    let out = run(std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("WITI_API_KEY", KEY)
        .env("WITI_BASE_URL", sim.url())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // stdout and stderr share the pty: drop the spinner's line clearing.
    let screen = out.stdout.replace('\r', "").replace("\x1b[2K", "");
    assert!(screen.contains("\x1b[30;47m"), "coloured QR lines");
    assert!(screen.contains("s left on this QR"), "a spinner: {screen}");
    let grids = drawings(&screen);
    assert_eq!(grids.len(), 1);
    assert!(decode(&grids[0]).is_some_and(|p| p.starts_with("2@")));
    assert!(screen.contains("Connected: "));
}

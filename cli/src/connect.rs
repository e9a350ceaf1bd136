//! `witi connect`: the pairing flow of the core (`Client::connect_observed`), drawn for a
//! person. Each QR the core hands over is decoded and redrawn in the terminal; a spinner on
//! stderr counts the seconds left on it. The core's pairing events say why a fresh QR comes
//! (expired, dropped by the gateway, a pairing that did not finish), that a restore is tried,
//! or that the phone scanned; the core decides all of it, this file only words it. With
//! `--json` each QR and the final status are JSON lines instead.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use witi::{CallbackError, Client, ConnectOptions, PairingEvent, QrCode, Status};

use crate::fail::Failure;
use crate::{api, qr, show, terminal};

pub struct Pairing {
    pub wait: Duration,
    pub save_svg: Option<PathBuf>,
    pub user_agent: Option<String>,
    /// Try restore_session first (`--no-restore` turns it off).
    pub restore: bool,
    pub json: bool,
    /// `--invert` / `--no-invert`, when given.
    pub invert: Option<bool>,
}

/// When the QR on screen expires; the lock also keeps the spinner and the drawing from
/// writing over each other.
type Shown = Arc<Mutex<Option<Instant>>>;

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

async fn spin(shown: Shown) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    for frame in FRAMES.iter().cycle() {
        tick.tick().await;
        let until = *shown.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = until {
            let left = until.saturating_duration_since(Instant::now()).as_secs();
            eprint!("{}{}", terminal::CLEAR_LINE, spinner_line(*frame, left));
        }
    }
}

fn spinner_line(frame: char, seconds_left: u64) -> String {
    format!("{frame} waiting for the scan · {seconds_left} s left on this QR")
}

const SCAN_HINT: &str = "Scan it with WhatsApp: Settings › Linked devices › Link a device.";

/// Why the next QR code comes, in words (from the last pairing event).
fn fresh_qr_reason(event: &PairingEvent) -> Option<String> {
    match event {
        PairingEvent::QrExpired => Some("The QR code expired; here is a fresh one.".into()),
        PairingEvent::QrDropped { after, code, .. } => Some(format!(
            "The gateway dropped the QR code after {:.1} s (status {}); here is a fresh one.",
            after.as_secs_f64(),
            code.code()
        )),
        PairingEvent::PairingStalled { code } => Some(format!(
            "The pairing did not finish (status {}); here is a fresh QR code.",
            code.code()
        )),
        PairingEvent::RestoreFailed { reason } => Some(format!(
            "The saved session could not be restored ({reason}); scan a QR code instead."
        )),
        _ => None,
    }
}

/// A line for the events that are news on their own (not a fresh QR's reason).
fn progress_line(event: &PairingEvent) -> Option<String> {
    match event {
        PairingEvent::Restoring { from } => Some(format!(
            "Restoring the saved session (status {}): no QR code needed…",
            from.code()
        )),
        PairingEvent::Scanned { .. } => Some("Scanned: finishing the pairing…".into()),
        _ => None,
    }
}

/// Shows one QR code: drawn when it decodes, else saved to a file to open.
fn show_qr(
    qr: &QrCode,
    number: u32,
    reason: Option<&str>,
    pairing: &Pairing,
    live: bool,
) -> Result<(), CallbackError> {
    if let Some(path) = &pairing.save_svg {
        qr::save::replace(path, qr.svg.as_bytes())?;
    }
    if pairing.json {
        let line = serde_json::json!({"qr": {
            "number": number,
            "ttl_seconds": qr.ttl_seconds,
            "payload": qr::payload_from_svg(&qr.svg),
            "svg": qr.svg,
        }});
        println!("{line}");
        return Ok(());
    }
    if live {
        eprint!("{}", terminal::CLEAR_LINE);
    }
    match reason {
        Some(reason) => println!("\n{reason}"),
        None if number > 1 => println!("\nHere is a fresh QR code."),
        None => {}
    }
    // Under the drawing: the scan hint, then the spinner's line, or the validity line and the
    // cursor's. The drawing is shown only if it fits with them.
    let waiting = format!(
        "Waiting for the scan (this QR is valid {} s).",
        qr.ttl_seconds
    );
    let spinner = spinner_line(FRAMES[0], qr.ttl_seconds);
    let after: &[&str] = if live {
        &[SCAN_HINT, &spinner]
    } else {
        &[SCAN_HINT, &waiting, ""]
    };
    let screen = terminal::qr_screen(pairing.invert);
    print!(
        "{}",
        qr::show(&qr.svg, &screen, after, pairing.save_svg.as_deref())?
    );
    println!("{SCAN_HINT}");
    if !live {
        println!("{waiting}");
    }
    Ok(())
}

/// Runs the pairing to its end and returns the authenticated status.
pub async fn pair(client: &Client, pairing: &Pairing) -> Result<Status, Failure> {
    let live = !pairing.json && terminal::stderr_live();
    let shown: Shown = Arc::new(Mutex::new(None));
    let spinner = live.then(|| tokio::spawn(spin(shown.clone())));
    // The reason for the next QR code, set by the events that come before it.
    let reason: Arc<Mutex<Option<String>>> = Arc::default();
    let mut number = 0;
    let on_qr = |qr: &QrCode| {
        number += 1;
        let mut until = shown.lock().unwrap_or_else(|p| p.into_inner());
        *until = Some(Instant::now() + qr.ttl());
        let why = reason.lock().unwrap_or_else(|p| p.into_inner()).take();
        show_qr(qr, number, why.as_deref(), pairing, live)
    };
    let on_event = |event: &PairingEvent| {
        if pairing.json {
            return;
        }
        if let Some(why) = fresh_qr_reason(event) {
            *reason.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
        }
        if let Some(line) = progress_line(event) {
            // The spinner counts down a QR code that no longer matters.
            *shown.lock().unwrap_or_else(|p| p.into_inner()) = None;
            if live {
                eprint!("{}", terminal::CLEAR_LINE);
            }
            println!("{line}");
        }
    };
    let options = ConnectOptions {
        timeout: pairing.wait,
        user_agent: pairing.user_agent.clone(),
        restore_session: pairing.restore,
        ..ConnectOptions::default()
    };
    let result = client.connect_observed(on_qr, on_event, options).await;
    if let Some(spinner) = spinner {
        spinner.abort();
        eprint!("{}", terminal::CLEAR_LINE);
    }
    Ok(result?)
}

pub async fn run(client: &Client, pairing: &Pairing) -> Result<(), Failure> {
    let status = pair(client, pairing).await?;
    if pairing.json {
        println!("{}", serde_json::json!({ "status": status }));
    } else {
        let who = show::phone(&status).unwrap_or_else(|| "a phone".into());
        println!("\nConnected: {who}");
        print!("{}", show::status(&status));
    }
    Ok(())
}

/// The `connect` subcommand's entry.
pub async fn command(
    server: &crate::args::ServerArgs,
    wait: f64,
    save_svg: Option<PathBuf>,
    user_agent: Option<String>,
    restore: bool,
    json: bool,
    invert: Option<bool>,
) -> Result<(), Failure> {
    let client = api::client(server)?;
    let pairing = Pairing {
        wait: api::seconds(wait, "--wait")?,
        save_svg,
        user_agent,
        restore,
        json,
        invert,
    };
    run(&client, &pairing).await
}

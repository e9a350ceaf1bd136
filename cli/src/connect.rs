//! `witi connect`: the QR flow of the core (`Client::connect_with`), drawn for a person. Each
//! QR the core hands over is decoded and redrawn in the terminal; a spinner on stderr counts
//! the seconds left on it; when it expires the core generates a fresh one and it is drawn
//! again. With `--json` each QR and the final status are JSON lines instead.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use witi::{CallbackError, Client, ConnectOptions, QrCode, Status};

use crate::fail::Failure;
use crate::{api, qr, show, terminal};

pub struct Pairing {
    pub wait: Duration,
    pub save_svg: Option<PathBuf>,
    pub user_agent: Option<String>,
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

/// Shows one QR code: drawn when it decodes, else saved to a file to open.
fn show_qr(qr: &QrCode, number: u32, pairing: &Pairing, live: bool) -> Result<(), CallbackError> {
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
    if number > 1 {
        println!("\nThe QR code expired; here is a fresh one.");
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
    let mut number = 0;
    let on_qr = |qr: &QrCode| {
        number += 1;
        let mut until = shown.lock().unwrap_or_else(|p| p.into_inner());
        *until = Some(Instant::now() + qr.ttl());
        show_qr(qr, number, pairing, live)
    };
    let options = ConnectOptions {
        timeout: pairing.wait,
        user_agent: pairing.user_agent.clone(),
        ..ConnectOptions::default()
    };
    let result = client.connect_with(on_qr, options).await;
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
    json: bool,
    invert: Option<bool>,
) -> Result<(), Failure> {
    let client = api::client(server)?;
    let pairing = Pairing {
        wait: api::seconds(wait, "--wait")?,
        save_svg,
        user_agent,
        json,
        invert,
    };
    run(&client, &pairing).await
}

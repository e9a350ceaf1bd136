//! The API subcommands: build a client from the global options, make one call, print the
//! result (a summary, or its JSON with `--json`).

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use witi::{Client, Config};

use crate::args::{Command, ServerArgs};
use crate::fail::Failure;
use crate::{qr, show, terminal};

/// Seconds from the command line, by the core's rule (`invalid_argument`, exit code 10).
pub fn seconds(value: f64, option: &str) -> Result<Duration, Failure> {
    Ok(witi::duration_from_secs(option, value)?)
}

/// The client for the global options; the core fills in what they leave out (the key from
/// `WITI_API_KEY`, the default base URL) and checks it all.
pub fn client(server: &ServerArgs) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .timeout(seconds(server.timeout, "--timeout")?)
        .max_retries(server.max_retries)
        .max_connections(server.max_connections)
        .http_user_agent(concat!("witi-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(proxy) = &server.proxy {
        builder = builder.proxy(proxy);
    }
    if let Some(key) = &server.api_key {
        builder = builder.api_key(key);
    }
    if let Some(url) = &server.base_url {
        builder = builder.base_url(url);
    }
    Ok(builder.build()?)
}

/// Prints `value` as pretty JSON, or the readable `summary`.
fn emit(json: bool, value: &impl Serialize, summary: String) -> Result<(), Failure> {
    if json {
        let text = serde_json::to_string_pretty(value).map_err(Failure::local)?;
        write_stdout(&format!("{text}\n"))
    } else {
        write_stdout(&summary)
    }
}

/// Writes a result to stdout. A reader that stopped reading (`witi contacts | head -3`) is
/// not a failure: the rest is dropped and the command ends as it would have (`print!` would
/// panic there).
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::local(format!("cannot write the result: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes the SVG to the user's `--save-svg` path (replacing, never writing through, what
/// is there: see `qr::save::replace`).
pub fn save_svg(path: &Path, svg: &str) -> Result<(), Failure> {
    qr::save::replace(path, svg.as_bytes())
        .map_err(|e| Failure::local(format!("cannot write {}: {e}", path.display())))
}

/// Runs one API subcommand (the caller routes the others).
pub async fn run(
    command: &Command,
    server: &ServerArgs,
    json: bool,
    invert: Option<bool>,
) -> Result<(), Failure> {
    let client = client(server)?;
    match command {
        Command::Qrcode {
            user_agent,
            save_svg: save,
        } => {
            let qr = client.generate_qrcode(user_agent.as_deref()).await?;
            if let Some(path) = save {
                save_svg(path, &qr.svg)?;
            }
            let summary = if json {
                String::new()
            } else {
                // Under the drawing: the validity line and the cursor's.
                let valid = format!("valid {} s", qr.ttl_seconds);
                let screen = terminal::qr_screen(invert);
                let shown = qr::show(&qr.svg, &screen, &[&valid, ""], save.as_deref())
                    .map_err(|e| Failure::local(format!("cannot save the QR image: {e}")))?;
                format!("{shown}{valid}\n")
            };
            emit(json, &qr, summary)
        }
        Command::Status => {
            let s = client.status().await?;
            emit(json, &s, show::status(&s))
        }
        Command::Disconnect => {
            let s = client.disconnect().await?;
            emit(json, &s, show::status(&s))
        }
        Command::CloseSession => {
            let r = client.close_session().await?;
            emit(json, &r, show::session(&r))
        }
        Command::SaveSession => {
            let r = client.save_session().await?;
            emit(json, &r, show::session(&r))
        }
        Command::RestoreSession => {
            let r = client.restore_session().await?;
            emit(json, &r, show::session(&r))
        }
        Command::Clear => {
            let r = client.clear().await?;
            emit(json, &r, show::clear(&r))
        }
        Command::SetConfig {
            webhook,
            user_agent,
            api_version,
            bulk,
        } => {
            let config = Config {
                webhook: webhook.clone(),
                user_agent: user_agent.clone(),
                api_version: api_version.clone(),
                api_version_can_bulk: *bulk,
            };
            let s = client.set_config(&config).await?;
            emit(json, &s, show::status(&s))
        }
        // The Messages, Contacts and Groups chapters, and `call`.
        other => crate::messages::run(&client, other, json).await,
    }
}

//! `witi listen`: the core's webhook receiver, printing each event as it arrives (one line, or
//! a JSON line with `--json`), until Ctrl-C. The banner goes to stderr so that stdout carries
//! events only.

use std::net::{IpAddr, SocketAddr};

use witi::Event;
use witi::webhook::{WebhookOptions, WebhookServer};

use crate::fail::Failure;
use crate::show;

/// Binds a receiver that prints each event, with a prefix (the demo indents them).
pub async fn receiver(
    addr: SocketAddr,
    token: Option<String>,
    json: bool,
    prefix: &'static str,
) -> Result<WebhookServer, Failure> {
    let options = WebhookOptions {
        token,
        ..WebhookOptions::default()
    };
    let server = WebhookServer::bind(addr, options, move |event: Event| async move {
        if json {
            println!("{prefix}{}", show::event_json(&event));
        } else {
            println!("{prefix}{}", show::event(&event));
        }
        Ok(())
    })
    .await?;
    Ok(server)
}

pub async fn run(
    host: IpAddr,
    port: u16,
    token: Option<String>,
    json: bool,
) -> Result<(), Failure> {
    let server = receiver(SocketAddr::new(host, port), token.clone(), json, "").await?;
    let hint = match &token {
        Some(_) => "?token=<your token>",
        None => "",
    };
    eprintln!(
        "witi listening on {} (set the webhook to a URL that reaches it{}); Ctrl-C stops",
        server.url(),
        if hint.is_empty() {
            String::new()
        } else {
            format!(", with {hint}")
        }
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::local(format!("cannot wait for Ctrl-C: {e}")))?;
    server.shutdown().await;
    Ok(())
}

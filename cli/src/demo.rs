//! `witi demo`: the whole lifecycle of an instance on a simulator started in-process, with a
//! receiver for its PostBacks, printing each step and each PostBack as it arrives: pairing,
//! then what a user does next (check a number, send a text and files, list the chats, create
//! a group), then the session commands. It needs no key and no network, so it is the first
//! thing to run.

use std::net::SocketAddr;
use std::time::Duration;

use witi::{Client, Config, FileMessage, StatusCode};
use witi_sim::InstanceConfig;

use crate::connect::{self, Pairing};
use crate::fail::Failure;
use crate::{listen, show};

const KEY: &str = "demo-instance-key";
const TOKEN: &str = "demo-token";

fn step(name: &str, what: impl std::fmt::Display) {
    println!("{name:<16}{what}");
}

pub async fn run(scan_after: f64, invert: Option<bool>) -> Result<(), Failure> {
    let localhost: SocketAddr = ([127, 0, 0, 1], 0).into();
    let sim = crate::sim::start(localhost, 20.0, None).await?;
    step("simulator", sim.url());
    let receiver =
        listen::receiver(localhost, Some(TOKEN.into()), false, "  ↳ postback    ").await?;
    step("receiver", receiver.url());

    // The simulated phone scans each QR after `scan_after` seconds.
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(crate::sim::millis(scan_after, "--scan-after")?)),
            starting_delay_ms: Some(500),
            ..InstanceConfig::default()
        },
    )
    .map_err(Failure::local)?;

    let client = Client::builder()
        .api_key(KEY)
        .base_url(sim.url())
        .http_user_agent(concat!("witi-cli/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let pause = || tokio::time::sleep(Duration::from_millis(300));

    let s = client
        .set_config(&Config {
            webhook: Some(format!("{}?token={TOKEN}", receiver.url())),
            api_version: Some("1.0".into()),
            api_version_can_bulk: Some(false),
            ..Config::default()
        })
        .await?;
    step(
        "set-config",
        format!(
            "webhook {}",
            s.webhook
                .as_deref()
                .map_or("-".into(), crate::show::short_wid_params)
        ),
    );

    let s = client.status().await?;
    step("status", format!("{} connected={}", s.code, s.connected));

    step(
        "connect",
        format!("the simulated phone scans in {scan_after} s"),
    );
    let pairing = Pairing {
        wait: Duration::from_secs(60),
        save_svg: None,
        user_agent: None,
        restore: true,
        json: false,
        invert,
    };
    let s = connect::pair(&client, &pairing).await?;
    step(
        "connected",
        show::phone(&s).unwrap_or_else(|| s.code.to_string()),
    );
    pause().await;

    tour(&client).await?;

    let r = client.save_session().await?;
    step("save-session", format!("success={}", r.success));
    let r = client.close_session().await?;
    step(
        "close-session",
        format!("success={} status={}", r.success, code(&r.status)),
    );
    pause().await;
    let r = client.restore_session().await?;
    step(
        "restore-session",
        format!("success={} status={}", r.success, code(&r.status)),
    );
    let s = client
        .wait_for_status(
            &[StatusCode::Authenticated],
            Duration::from_secs(10),
            Duration::from_millis(100),
        )
        .await?;
    step("status", format!("{} connected={}", s.code, s.connected));

    let s = client
        .set_config(&Config {
            api_version: Some("1.1".into()),
            api_version_can_bulk: Some(true),
            ..Config::default()
        })
        .await?;
    step(
        "set-config",
        format!("API 1.1 with bulk PostBacks (BULKGZ), status {}", s.code),
    );
    pause().await;

    let s = client.disconnect().await?;
    step(
        "disconnect",
        format!("{} can_restore={}", s.code, s.can_restore_connection),
    );
    let c = client.clear().await?;
    step(
        "clear",
        format!("success={} message={:?}", c.success, c.message),
    );

    // The last PostBacks are batched: let them arrive before the receiver stops.
    let counts = sim
        .wait_postbacks_settled(KEY, Duration::from_secs(5))
        .await;
    receiver.shutdown().await;
    sim.shutdown().await;
    step(
        "postbacks",
        format!("{} delivered, {} failed", counts.delivered, counts.failed),
    );
    println!("done");
    Ok(())
}

/// A number the simulator finds on WhatsApp, and one it does not (its rule: digits ending in
/// 0 are not on WhatsApp).
const ON_WHATSAPP: &str = "+55 11 98765-4321";
const NOT_ON_WHATSAPP: &str = "+55 11 91234-5670";

/// The Messages, Contacts and Groups chapters on the paired phone. The simulator delivers
/// nothing anywhere: it keeps what was sent, and downloads no URL.
async fn tour(client: &Client) -> Result<(), Failure> {
    for number in [ON_WHATSAPP, NOT_ON_WHATSAPP] {
        let yes = client.is_on_whatsapp(number).await?;
        let answer = if yes { "is" } else { "is not" };
        step("check", format!("{number} {answer} on WhatsApp"));
    }

    let text = "Hello from *witi* 👋";
    let sent = client.send_message(ON_WHATSAPP, text).await?;
    step("send", format!("{text:?} to {ON_WHATSAPP}, id {}", sent.id));

    let note = "A note from the witi demo.\n";
    let file = FileMessage::bytes(note.as_bytes(), "text/plain").caption("a file sent inline");
    let sent = client.send_file(ON_WHATSAPP, &file).await?;
    step(
        "send-file",
        format!("{} bytes of text/plain inline, id {}", note.len(), sent.id),
    );
    let url = "https://example.com/witi/logo.png";
    let file = FileMessage::url(url, "image/png")
        .caption("a file sent by URL")
        .filename("logo.png");
    let sent = client.send_file(ON_WHATSAPP, &file).await?;
    step("send-file", format!("{url} by URL, id {}", sent.id));

    let chats = client.chats().await?;
    let names: Vec<String> = chats
        .iter()
        .filter_map(|c| c.name.as_deref())
        .take(3)
        .map(|n| show::messages::clean(n, 32))
        .collect();
    step(
        "chats",
        format!("{} chats: {}, …", chats.len(), names.join(", ")),
    );

    // A group of the number checked above and the first person the phone chats with.
    let mut members = vec![ON_WHATSAPP.to_owned()];
    members.extend(
        chats
            .iter()
            .filter_map(|c| c.jid.clone())
            .find(|jid| jid.ends_with("@s.whatsapp.net")),
    );
    let group = client.group_create("witi demo", &members).await?;
    let size = group
        .information
        .as_ref()
        .map_or(0, |i| i.participants.len());
    step(
        "group-create",
        format!(
            "\"witi demo\" {} with {size} members",
            show::messages::clean(group.jid.as_deref().unwrap_or("-"), 64)
        ),
    );
    Ok(())
}

fn code(status: &Option<witi::Status>) -> String {
    status.as_ref().map_or("-".into(), |s| s.code.to_string())
}

//! Readable summaries of results and events: one `label  value` line per known fact, absent
//! facts left out. `--json` prints the results' own serialization instead.

pub mod messages;

use std::fmt::Write as _;

use witi::{ClearResult, Event, SessionResult, Status};

fn line(out: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "{label:<14}{value}");
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// `12.3 kB` style sizes for the traffic counters.
fn bytes(n: i64) -> String {
    let n = n as f64;
    match n.abs() {
        a if a >= 1e9 => format!("{:.1} GB", n / 1e9),
        a if a >= 1e6 => format!("{:.1} MB", n / 1e6),
        a if a >= 1e3 => format!("{:.1} kB", n / 1e3),
        _ => format!("{n} B"),
    }
}

/// The phone's line: number, name, device and WhatsApp version, as far as known.
pub fn phone(s: &Status) -> Option<String> {
    let info = s.connection_info.as_ref()?;
    let mut parts = Vec::new();
    if let Some(wid) = &info.wid {
        parts.push(wid.clone());
    }
    if let Some(name) = &info.pushname {
        parts.push(format!("\"{name}\""));
    }
    if let Some(p) = &info.phone {
        let device = [p.device_manufacturer.as_deref(), p.device_model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !device.is_empty() {
            parts.push(device);
        }
        if let Some(os) = &p.os_version {
            parts.push(format!("{} {os}", info.platform.as_deref().unwrap_or("OS")));
        }
        if let Some(wa) = &p.wa_version {
            parts.push(format!("WhatsApp {wa}"));
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

pub fn status(s: &Status) -> String {
    let mut out = String::new();
    line(
        &mut out,
        "status",
        format!("{} {}", s.code, s.status_string),
    );
    line(&mut out, "connected", yes_no(s.connected));
    if let Some(phone) = phone(s) {
        line(&mut out, "phone", phone);
    }
    if let Some(info) = &s.connection_info
        && let Some(battery) = info.battery
    {
        let plugged = if info.plugged == Some(true) {
            ", plugged in"
        } else {
            ""
        };
        line(&mut out, "battery", format!("{battery} %{plugged}"));
    }
    line(&mut out, "can restore", yes_no(s.can_restore_connection));
    if let Some(webhook) = s.webhook.as_deref().filter(|w| !w.is_empty()) {
        line(&mut out, "webhook", short_wid_params(webhook));
    }
    if let Some(ua) = s.user_agent.as_deref().filter(|u| !u.is_empty()) {
        line(&mut out, "user agent", ua);
    }
    if let Some(id) = &s.web_id {
        // The WebID may be the instance's key: its tail only, as `listen` shows it.
        line(&mut out, "web id", short_wid(id));
    }
    if let Some(stats) = &s.stats {
        let mut parts = Vec::new();
        if let Some(n) = stats.contacts {
            parts.push(format!("{n} contacts"));
        }
        if let Some(n) = stats.chats {
            parts.push(format!("{n} chats"));
        }
        if let Some(n) = stats.sent_bytes {
            parts.push(format!("{} sent", bytes(n)));
        }
        if let Some(n) = stats.received_bytes {
            parts.push(format!("{} received", bytes(n)));
        }
        if !parts.is_empty() {
            line(&mut out, "stats", parts.join(", "));
        }
    }
    if let Some(storage) = &s.storage {
        line(
            &mut out,
            "storage",
            format!("{} in {} files", bytes(storage.bytes), storage.files),
        );
    }
    out
}

pub fn session(r: &SessionResult) -> String {
    let mut out = String::new();
    line(&mut out, "success", yes_no(r.success));
    if let Some(s) = &r.status {
        line(
            &mut out,
            "status",
            format!("{} {}", s.code, s.status_string),
        );
    }
    out
}

pub fn clear(r: &ClearResult) -> String {
    let mut out = String::new();
    line(&mut out, "success", yes_no(r.success));
    if !r.message.is_empty() {
        line(&mut out, "message", &r.message);
    }
    out
}

/// One line per PostBack event, ending with the event's instance and id: `[wid …ab12 id
/// 3e22d9ce]`. The wid is the instance's key, so only its last 4 characters show (none when
/// it is shorter than 12), enough to tell instances apart on a terminal; the id is cut to 8.
pub fn event(e: &Event) -> String {
    let mut text = match &e.status {
        Some(s) => {
            let mut text = format!("status  {} connected={}", s.code, yes_no(s.connected));
            if let Some(phone) = phone(s) {
                text.push_str(&format!("  {phone}"));
            }
            text
        }
        None => format!("{}  {}", e.kind.as_str(), e.json),
    };
    let id: String = e.id.chars().take(8).collect();
    match &e.wid {
        Some(wid) => text.push_str(&format!("  [wid {} id {id}]", short_wid(wid))),
        None => text.push_str(&format!("  [id {id}]")),
    }
    text
}

/// `…` and the last 4 characters of a wid of at least 12, else `…` alone.
fn short_wid(wid: &str) -> String {
    let count = wid.chars().count();
    if count < 12 {
        return "…".to_owned();
    }
    let tail: String = wid.chars().skip(count - 4).collect();
    format!("…{tail}")
}

/// A URL with each `wid=` value (the gateway appends `&wid=<WebID>` to the webhook) shortened
/// as `short_wid` does; `--json` keeps the whole URL.
pub fn short_wid_params(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(at) = rest.to_ascii_lowercase().find("wid=") {
        let starts_param = at == 0 || matches!(rest.as_bytes()[at - 1], b'&' | b'?' | b';');
        let value_at = at + "wid=".len();
        out.push_str(&rest[..value_at]);
        rest = &rest[value_at..];
        if starts_param {
            let end = rest.find(['&', '#']).unwrap_or(rest.len());
            out.push_str(&short_wid(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The JSON line of an event: its kind, its own JSON (parsed, so a reader gets an object), the
/// decoded status, the instance's `wid` (in full: the line is the user's data, for programs)
/// and the event's `id`.
pub fn event_json(e: &Event) -> String {
    let own: serde_json::Value =
        serde_json::from_str(&e.json).unwrap_or_else(|_| serde_json::Value::String(e.json.clone()));
    serde_json::json!({
        "kind": e.kind.as_str(),
        "event": own,
        "status": e.status,
        "wid": e.wid,
        "id": e.id,
    })
    .to_string()
}

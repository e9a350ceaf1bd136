//! The control API: the operations behind both the `/_sim/` HTTP endpoints and the
//! [`crate::Simulator`] methods, so the two can never disagree.

use std::sync::Arc;
use std::time::Instant;

use hyper::Method;
use hyper::body::Incoming;
use hyper::http::request::Parts;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::InstanceSnapshot;
use crate::config::{InstanceConfig, Settings, SimError};
use crate::contacts::ProfileOverrides;
use crate::faults::Fault;
use crate::messages::SentMessage;
use crate::server::{JSON, Resp, Shared, read_body, respond};
use crate::wire::{self, PostbackBody};

/// Largest control request body (a raw PostBack can be big, but not unbounded).
const CONTROL_BODY_LIMIT: usize = 1024 * 1024;

pub(crate) fn snapshot(shared: &Arc<Shared>, key: &str) -> Option<InstanceSnapshot> {
    shared
        .with_instance(key, false, |inst, _| inst.snapshot(key, Instant::now()))
        .ok()
}

pub(crate) fn scan(
    shared: &Arc<Shared>,
    key: &str,
    payload: Option<&str>,
) -> Result<InstanceSnapshot, SimError> {
    let outcome = shared.with_instance(key, false, |inst, ctx| {
        inst.scan(payload, ctx)
            .map(|()| inst.snapshot(key, Instant::now()))
    });
    match outcome {
        Err(SimError::UnknownInstance) => Err(SimError::NoLiveQr),
        Err(e) => Err(e),
        Ok(r) => r,
    }
}

pub(crate) fn set_instance_config(
    shared: &Arc<Shared>,
    key: &str,
    config: &InstanceConfig,
) -> Result<InstanceSnapshot, SimError> {
    // Validation does not depend on current values: check first, so a bad patch creates nothing.
    Settings::default().apply(config)?;
    shared.with_instance(key, true, |inst, _| {
        inst.settings.apply(config)?;
        Ok(inst.snapshot(key, Instant::now()))
    })?
}

pub(crate) fn set_default_config(
    shared: &Arc<Shared>,
    config: &InstanceConfig,
) -> Result<Settings, SimError> {
    let mut reg = shared.lock();
    reg.defaults.apply(config)?;
    Ok(reg.defaults.clone())
}

pub(crate) fn default_config(shared: &Arc<Shared>) -> Settings {
    shared.lock().defaults.clone()
}

pub(crate) fn force_status(
    shared: &Arc<Shared>,
    key: &str,
    code: i64,
    status_string: Option<String>,
) -> Result<InstanceSnapshot, SimError> {
    shared.with_instance(key, true, |inst, ctx| {
        inst.force_status(code, status_string, ctx);
        inst.snapshot(key, Instant::now())
    })
}

/// Replaces `key`'s status script (see `script.rs`); the instance is created if needed.
pub(crate) fn status_script(
    shared: &Arc<Shared>,
    key: &str,
    answers: &[Value],
) -> Result<InstanceSnapshot, SimError> {
    let answers = crate::script::parse_answers(answers)?;
    shared.with_instance(key, true, |inst, _| {
        inst.script.set(answers);
        inst.snapshot(key, Instant::now())
    })
}

pub(crate) fn send_postback(
    shared: &Arc<Shared>,
    key: &str,
    body: PostbackBody,
) -> Result<(), SimError> {
    match shared.with_instance(key, false, |inst, ctx| inst.send_postback(body, ctx)) {
        Err(SimError::UnknownInstance) => Err(SimError::NoWebhook),
        Err(e) => Err(e),
        Ok(r) => r,
    }
}

pub(crate) fn sent(shared: &Arc<Shared>, key: &str) -> Option<Vec<SentMessage>> {
    shared
        .with_instance(key, false, |inst, _| inst.book.sent.list())
        .ok()
}

pub(crate) fn clear_sent(shared: &Arc<Shared>, key: &str) -> Result<(), SimError> {
    shared.with_instance(key, false, |inst, _| inst.book.sent.clear())
}

pub(crate) fn set_profiles(
    shared: &Arc<Shared>,
    key: &str,
    overrides: &ProfileOverrides,
) -> Result<ProfileOverrides, SimError> {
    shared.with_instance(key, true, |inst, _| {
        inst.set_profiles(overrides)?;
        Ok(inst.profiles())
    })?
}

/// Wipes instances (stopping their deliveries) and faults; defaults go back to the start's.
pub(crate) fn reset(shared: &Arc<Shared>) {
    shared.faults.clear(None);
    let removed = {
        let mut reg = shared.lock();
        reg.defaults = shared.initial_defaults.clone();
        std::mem::take(&mut reg.instances)
    };
    // Dropped outside the lock: dropping aborts each instance's delivery task.
    drop(removed);
}

/// A refused control request: HTTP status and message, answered as `{"error": message}`.
/// (Kept small rather than a whole response, so `Result`s stay cheap.)
struct Reject(u16, String);

fn error(status: u16, message: &str) -> Reject {
    Reject(status, message.to_owned())
}

impl From<(u16, &'static str)> for Reject {
    fn from((status, message): (u16, &'static str)) -> Self {
        error(status, message)
    }
}

fn ok_json<T: serde::Serialize>(value: &T) -> Resp {
    respond(200, JSON, wire::to_json(value))
}

fn sim_error(e: &SimError) -> Reject {
    Reject(e.http_status(), e.to_string())
}

/// Parses a JSON body into `T`; an empty body reads as `{}`.
fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, Reject> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| error(400, &format!("invalid JSON body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanBody {
    payload: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    code: i64,
    status_string: Option<String>,
}

/// Serves `/_sim/<rest>`.
pub(crate) async fn handle(
    shared: &Arc<Shared>,
    parts: &Parts,
    rest: &str,
    body: Incoming,
) -> Resp {
    match route(shared, parts, rest, body).await {
        Ok(resp) => resp,
        Err(Reject(status, message)) => {
            respond(status, JSON, wire::to_json(&json!({ "error": message })))
        }
    }
}

async fn route(
    shared: &Arc<Shared>,
    parts: &Parts,
    rest: &str,
    body: Incoming,
) -> Result<Resp, Reject> {
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = &parts.method;
    let read = |body| async move { read_body(body, CONTROL_BODY_LIMIT).await };
    match segments.as_slice() {
        ["health"] => Ok(ok_json(&json!({ "ok": true }))),
        ["reset"] if method == Method::POST => {
            reset(shared);
            Ok(ok_json(&json!({ "ok": true })))
        }
        ["config"] if method == Method::GET => Ok(ok_json(&default_config(shared))),
        ["config"] if method == Method::POST => {
            let patch: InstanceConfig = parse(&read(body).await?)?;
            let settings = set_default_config(shared, &patch).map_err(|e| sim_error(&e))?;
            Ok(ok_json(&settings))
        }
        ["faults"] if method == Method::GET => Ok(ok_json(&shared.faults.list())),
        ["faults"] if method == Method::POST => {
            let fault: Fault = parse(&read(body).await?)?;
            shared.faults.add(fault).map_err(|e| sim_error(&e))?;
            Ok(ok_json(&shared.faults.list()))
        }
        ["faults"] if method == Method::DELETE => {
            let key = wire::query_param(parts.uri.query(), "key");
            shared.faults.clear(key.as_deref());
            Ok(ok_json(&shared.faults.list()))
        }
        ["instances"] if method == Method::GET => {
            let mut keys: Vec<String> = shared.lock().instances.keys().cloned().collect();
            keys.sort();
            Ok(ok_json(&keys))
        }
        ["instances", key, tail @ ..] => {
            let key = wire::percent_decode(key, false)
                .ok_or_else(|| error(400, "the key is not valid UTF-8"))?;
            instance_route(shared, method, &key, tail, read(body).await?)
        }
        ["health" | "reset" | "config" | "faults" | "instances", ..] => {
            Err(error(405, "method not allowed"))
        }
        _ => Err(error(404, "unknown control endpoint")),
    }
}

fn instance_route(
    shared: &Arc<Shared>,
    method: &Method,
    key: &str,
    tail: &[&str],
    body: bytes::Bytes,
) -> Result<Resp, Reject> {
    let snap =
        |r: Result<InstanceSnapshot, SimError>| r.map(|s| ok_json(&s)).map_err(|e| sim_error(&e));
    match (tail, method) {
        ([], &Method::GET) => snapshot(shared, key)
            .map(|s| ok_json(&s))
            .ok_or_else(|| sim_error(&SimError::UnknownInstance)),
        (["scan"], &Method::POST) => {
            let b: ScanBody = parse(&body)?;
            snap(scan(shared, key, b.payload.as_deref()))
        }
        (["config"], &Method::POST) => {
            let patch: InstanceConfig = parse(&body)?;
            snap(set_instance_config(shared, key, &patch))
        }
        (["status"], &Method::POST) => {
            let b: StatusBody = parse(&body)?;
            snap(force_status(shared, key, b.code, b.status_string))
        }
        (["status_script"], &Method::POST) => {
            let b: crate::script::ScriptBody = parse(&body)?;
            snap(status_script(shared, key, &b.answers))
        }
        (["postback"], &Method::POST) => {
            let map: serde_json::Map<String, Value> = parse(&body)?;
            let payload = match (map.get("event"), map.get("raw")) {
                (Some(ev), None) => PostbackBody::Event(ev.clone()),
                (None, Some(Value::String(raw))) => PostbackBody::Raw(raw.clone()),
                _ => {
                    return Err(error(
                        400,
                        "give exactly one of \"event\" (any JSON) or \"raw\" (a string)",
                    ));
                }
            };
            send_postback(shared, key, payload).map_err(|e| sim_error(&e))?;
            Ok(ok_json(&json!({ "ok": true })))
        }
        (["sent"], &Method::GET) => sent(shared, key)
            .map(|list| ok_json(&list))
            .ok_or_else(|| sim_error(&SimError::UnknownInstance)),
        (["sent"], &Method::DELETE) => {
            clear_sent(shared, key).map_err(|e| sim_error(&e))?;
            Ok(ok_json(&Vec::<SentMessage>::new()))
        }
        (["profiles"], &Method::GET) => shared
            .with_instance(key, false, |inst, _| inst.profiles())
            .map(|p| ok_json(&p))
            .map_err(|e| sim_error(&e)),
        (["profiles"], &Method::POST) => {
            let b: ProfileOverrides = parse(&body)?;
            let now = set_profiles(shared, key, &b).map_err(|e| sim_error(&e))?;
            Ok(ok_json(&now))
        }
        (["profiles"], &Method::DELETE) => shared
            .with_instance(key, false, |inst, _| {
                inst.clear_profiles();
                inst.profiles()
            })
            .map(|p| ok_json(&p))
            .map_err(|e| sim_error(&e)),
        (
            []
            | ["scan" | "config" | "status" | "status_script" | "postback" | "sent" | "profiles"],
            _,
        ) => Err(error(405, "method not allowed")),
        _ => Err(error(404, "unknown control endpoint")),
    }
}

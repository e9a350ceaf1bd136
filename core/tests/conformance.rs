//! The Rust runner of the language-neutral scenario corpus (`tests/conformance/`, format in
//! `tests/README.md`), against the simulator over TCP, driven through its HTTP control API the
//! way every other language's runner drives it.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use witi::{Client, StatusCode};

#[path = "conformance_support/table.rs"]
mod table;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scenarios() -> Vec<(String, Value)> {
    let dir = repo_root().join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .map(|e| e.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a readable scenario");
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (
                p.file_name()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned(),
                value,
            )
        })
        .collect()
}

/// One scenario's world: its key, its client, the simulator's URL.
struct Run {
    sim_url: String,
    key: String,
    control: reqwest::Client,
    client_options: Value,
    client: Client,
}

impl Run {
    fn build_client(&self, args: &Value) -> witi::Result<Client> {
        let opts = &self.client_options;
        let mut b = Client::builder();
        b = b.api_key(
            args.get("api_key")
                .and_then(Value::as_str)
                .unwrap_or(&self.key),
        );
        let base = match (
            args.get("base_url").and_then(Value::as_str),
            args.get("base_url_path").and_then(Value::as_str),
        ) {
            (Some(url), _) => url.to_owned(),
            (None, Some(path)) => format!("{}{path}", self.sim_url),
            (None, None) => self.sim_url.clone(),
        };
        b = b.base_url(base);
        if let Some(ms) = opts.get("timeout_ms").and_then(Value::as_u64) {
            b = b.timeout(Duration::from_millis(ms));
        }
        let mut policy = witi::RetryPolicy::default();
        if let Some(n) = opts.get("max_retries").and_then(Value::as_u64) {
            policy.max_retries = n as u32;
        }
        if let Some(ms) = opts.get("initial_backoff_ms").and_then(Value::as_u64) {
            policy.initial_backoff = Duration::from_millis(ms);
        }
        b.retry_policy(policy).build()
    }

    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}_sim/{path}", self.sim_url);
        let mut req = self.control.request(method, url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req
            .send()
            .await
            .expect("the simulator's control API answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

async fn run_scenario(sim_url: String, name: String, scenario: Value) -> Result<(), String> {
    let key = format!(
        "conf-{}-{:08x}-SECRET",
        name.trim_end_matches(".json"),
        fastrand::u32(..)
    );
    let client_options = scenario.get("client").cloned().unwrap_or(json!({}));
    let control = reqwest::Client::new();
    let placeholder = Client::new("placeholder").map_err(|e| e.to_string())?;
    let mut run = Run {
        sim_url,
        key,
        control,
        client_options,
        client: placeholder,
    };
    run.client = run
        .build_client(&json!({}))
        .map_err(|e| format!("building the client: {e}"))?;
    if let Some(instance) = scenario.get("instance") {
        let (status, body) = run
            .control(
                reqwest::Method::POST,
                &format!("instances/{}/config", run.key),
                Some(instance.clone()),
            )
            .await;
        if status != 200 {
            return Err(format!("instance config answered {status}: {body}"));
        }
    }
    let steps = scenario["steps"].as_array().ok_or("no steps")?;
    for (i, step) in steps.iter().enumerate() {
        run_step(&mut run, step)
            .await
            .map_err(|e| format!("step {i} ({step}): {e}"))?;
    }
    Ok(())
}

async fn run_step(run: &mut Run, step: &Value) -> Result<(), String> {
    if let Some(verb) = step.get("sim").and_then(Value::as_str) {
        return sim_step(run, verb, step).await;
    }
    let call = step["call"]
        .as_str()
        .ok_or("a step needs `sim` or `call`")?;
    let args = step.get("args").cloned().unwrap_or(json!({}));
    let qr_count = Arc::new(Mutex::new(0u64));
    let outcome = invoke(run, call, &args, qr_count.clone()).await;
    let expect = step.get("expect").cloned().unwrap_or(json!({}));
    match (outcome, expect.get("error")) {
        (Ok(value), None) => {
            if let Some(want) = expect.get("value") {
                if !matches(Some(&value), want) {
                    return Err(format!("value: expected {want}, got {value}"));
                }
            }
            if let Some(fields) = expect.get("fields").and_then(Value::as_object) {
                for (path, matcher) in fields {
                    let got = lookup(&value, path);
                    if !matches(got, matcher) {
                        return Err(format!(
                            "field {path}: expected {matcher}, got {}",
                            got.map_or("absent".into(), Value::to_string)
                        ));
                    }
                }
            }
            if let Some(want) = expect.get("qr_count") {
                let got = *qr_count.lock().expect("qr counter lock");
                if !matches(Some(&json!(got)), want) {
                    return Err(format!("qr_count: expected {want}, got {got}"));
                }
            }
            Ok(())
        }
        (Ok(value), Some(want)) => Err(format!("expected error {want}, got success {value}")),
        (Err(e), None) => Err(format!("unexpected error [{}] {e}", e.code())),
        (Err(e), Some(want)) => {
            check_error(run, &e, want)?;
            if let Some(want) = expect.get("qr_count") {
                let got = *qr_count.lock().expect("qr counter lock");
                if !matches(Some(&json!(got)), want) {
                    return Err(format!("qr_count: expected {want}, got {got}"));
                }
            }
            Ok(())
        }
    }
}

fn check_error(run: &Run, e: &witi::Error, want: &Value) -> Result<(), String> {
    for text in [e.to_string(), format!("{e:?}")] {
        if text.contains(&run.key) {
            return Err(format!("the key leaked into an error: {text}"));
        }
    }
    if want["code"].as_str() != Some(e.code().as_str()) {
        return Err(format!(
            "expected error code {}, got [{}] {e}",
            want["code"],
            e.code()
        ));
    }
    if let Some(status) = want.get("status") {
        if !matches(e.http_status().map(|s| json!(s)).as_ref(), status) {
            return Err(format!(
                "expected HTTP status {status}, got {:?}",
                e.http_status()
            ));
        }
    }
    if let Some(after) = want.get("retry_after") {
        if !matches(
            e.retry_after().map(|d| json!(d.as_secs_f64())).as_ref(),
            after,
        ) {
            return Err(format!(
                "expected retry_after {after}, got {:?}",
                e.retry_after()
            ));
        }
    }
    if let Some(text) = want.get("message_contains").and_then(Value::as_str) {
        if !e.to_string().contains(text) {
            return Err(format!("expected the message to contain {text:?}: {e}"));
        }
    }
    if let Some(fields) = want.get("last_status") {
        let got = e.last_status().map(to_value);
        match (fields.as_object(), &got) {
            (None, _) if fields.is_null() => {
                if got.is_some() {
                    return Err(format!("expected no last_status, got {got:?}"));
                }
            }
            (Some(fields), Some(status)) => {
                for (path, matcher) in fields {
                    let value = lookup(status, path);
                    if !matches(value, matcher) {
                        return Err(format!(
                            "last_status.{path}: expected {matcher}, got {}",
                            value.map_or("absent".into(), Value::to_string)
                        ));
                    }
                }
            }
            _ => return Err(format!("expected last_status {fields}, got {got:?}")),
        }
    }
    Ok(())
}

async fn sim_step(run: &mut Run, verb: &str, step: &Value) -> Result<(), String> {
    use reqwest::Method;
    let key = run.key.clone();
    let (status, body) = match verb {
        "fault" => {
            let mut fault = step["fault"].clone();
            fault["key"] = json!(key);
            run.control(Method::POST, "faults", Some(fault)).await
        }
        "scan" => {
            run.control(
                Method::POST,
                &format!("instances/{key}/scan"),
                Some(json!({})),
            )
            .await
        }
        "force_status" => {
            let mut body = json!({"code": step["code"]});
            if let Some(s) = step.get("status_string") {
                body["status_string"] = s.clone();
            }
            run.control(Method::POST, &format!("instances/{key}/status"), Some(body))
                .await
        }
        "status_script" => {
            let body = json!({"answers": step["answers"]});
            run.control(
                Method::POST,
                &format!("instances/{key}/status_script"),
                Some(body),
            )
            .await
        }
        "expect_sent" => {
            let (status, sent) = run
                .control(Method::GET, &format!("instances/{key}/sent"), None)
                .await;
            if status != 200 {
                return Err(format!("GET sent answered {status}: {sent}"));
            }
            let records = match &sent {
                Value::Array(items) => items.clone(),
                other => other["sent"].as_array().cloned().unwrap_or_default(),
            };
            let want = step["count"].as_u64().ok_or("expect_sent needs a count")?;
            if records.len() as u64 != want {
                return Err(format!("{} sent, expected {want}: {sent}", records.len()));
            }
            if let Some(fields) = step.get("last").and_then(Value::as_object) {
                let last = records.last().ok_or("`last` of nothing sent")?;
                for (path, matcher) in fields {
                    let got = lookup(last, path);
                    if !matches(got, matcher) {
                        return Err(format!(
                            "last sent {path}: expected {matcher}, got {}",
                            got.map_or("absent".into(), Value::to_string)
                        ));
                    }
                }
            }
            return Ok(());
        }
        "expect_calls" => {
            let (status, snapshot) = run
                .control(Method::GET, &format!("instances/{key}"), None)
                .await;
            let command = step["command"]
                .as_str()
                .ok_or("expect_calls needs a command")?;
            let got = if status == 404 {
                0
            } else {
                snapshot["calls"][command].as_u64().unwrap_or(0)
            };
            let want = step["count"].as_u64().ok_or("expect_calls needs a count")?;
            return if got == want {
                Ok(())
            } else {
                Err(format!("{command} was called {got} times, expected {want}"))
            };
        }
        other => return Err(format!("unknown sim step {other:?}")),
    };
    let want = step
        .get("expect_http_status")
        .and_then(Value::as_u64)
        .unwrap_or(200) as u16;
    if status == want {
        Ok(())
    } else {
        Err(format!(
            "the simulator answered {status} (expected {want}): {body}"
        ))
    }
}

fn to_value<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).expect("results serialize")
}

fn ms(args: &Value, name: &str, default: u64) -> Duration {
    Duration::from_millis(args.get(name).and_then(Value::as_u64).unwrap_or(default))
}

async fn invoke(
    run: &mut Run,
    call: &str,
    args: &Value,
    qr_count: Arc<Mutex<u64>>,
) -> witi::Result<Value> {
    let c = run.client.clone();
    Ok(match call {
        "new_client" => {
            run.client = run.build_client(args)?;
            json!({"base_url": run.client.base_url()})
        }
        "wait_for_status" => {
            let targets: Vec<StatusCode> = args["targets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_i64)
                        .map(StatusCode::from_code)
                        .collect()
                })
                .unwrap_or_default();
            to_value(
                c.wait_for_status(
                    &targets,
                    ms(args, "timeout_ms", 30_000),
                    ms(args, "poll_interval_ms", 1000),
                )
                .await?,
            )
        }
        "connect" => {
            let scan_at = args.get("scan_qr_number").and_then(Value::as_u64);
            let (control, sim_url, key) =
                (run.control.clone(), run.sim_url.clone(), run.key.clone());
            let options = witi::ConnectOptions {
                timeout: ms(args, "timeout_ms", 30_000),
                poll_interval: ms(args, "poll_interval_ms", 1000),
                user_agent: None,
                restore_session: args
                    .get("restore_session")
                    .and_then(Value::as_bool)
                    .unwrap_or(true),
            };
            let on_qr = move |_qr: &witi::QrCode| -> Result<(), witi::CallbackError> {
                let mut n = qr_count.lock().expect("qr counter lock");
                *n += 1;
                if Some(*n) == scan_at {
                    // The callback must not block the flow: scan from a task of its own.
                    let (control, url) = (
                        control.clone(),
                        format!("{sim_url}_sim/instances/{key}/scan"),
                    );
                    tokio::spawn(async move {
                        let _ = control.post(url).json(&json!({})).send().await;
                    });
                }
                Ok(())
            };
            to_value(c.connect_with(on_qr, options).await?)
        }
        "decode_postback" => {
            let body = match (
                args.get("body_base64").and_then(Value::as_str),
                args.get("body_file").and_then(Value::as_str),
            ) {
                (Some(b64), _) => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .expect("the scenario's base64 is valid")
                }
                (None, Some(file)) => std::fs::read(repo_root().join("tests/fixtures").join(file))
                    .expect("the fixture exists"),
                (None, None) => panic!("decode_postback needs body_base64 or body_file"),
            };
            let wid = args.get("wid").and_then(Value::as_str);
            let limits = witi::PostbackLimits::default();
            json!({"events": to_value(witi::decode_postback_for(&body, wid, &limits)?)})
        }
        other => match table::call(c, other, args).await {
            Some(result) => result?,
            None => panic!("unknown call {other:?}"),
        },
    })
}

fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, part| match v {
        Value::Object(map) => map.get(part),
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn matches(got: Option<&Value>, matcher: &Value) -> bool {
    let got = got.filter(|v| !v.is_null());
    if let Some(ops) = matcher
        .as_object()
        .filter(|m| m.keys().all(|k| k.starts_with('$')))
    {
        return ops.iter().all(|(op, arg)| match op.as_str() {
            "$present" => got.is_some() == arg.as_bool().unwrap_or(true),
            "$contains" => got
                .and_then(Value::as_str)
                .zip(arg.as_str())
                .is_some_and(|(g, a)| g.contains(a)),
            "$prefix" => got
                .and_then(Value::as_str)
                .zip(arg.as_str())
                .is_some_and(|(g, a)| g.starts_with(a)),
            "$suffix" => got
                .and_then(Value::as_str)
                .zip(arg.as_str())
                .is_some_and(|(g, a)| g.ends_with(a)),
            "$gte" => got
                .and_then(Value::as_f64)
                .zip(arg.as_f64())
                .is_some_and(|(g, a)| g >= a),
            "$len" => {
                let len = match got {
                    Some(Value::Array(a)) => Some(a.len()),
                    Some(Value::String(s)) => Some(s.chars().count()),
                    _ => None,
                };
                len.is_some_and(|n| matches(Some(&json!(n)), arg))
            }
            _ => false,
        });
    }
    match (got, matcher) {
        (None, Value::Null) => true,
        (Some(Value::Number(g)), Value::Number(m)) => g.as_f64() == m.as_f64(),
        (Some(g), m) => g == m,
        (None, _) => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_passes() {
    let sim = witi_sim::Simulator::start_default()
        .await
        .expect("the simulator starts");
    let url = sim.url().to_owned();
    let all = scenarios();
    assert!(all.len() >= 30, "the corpus has {} scenarios", all.len());
    let mut tasks = tokio::task::JoinSet::new();
    // WITI_CONFORMANCE_ONLY=text runs only the scenarios whose file name contains it.
    let only = std::env::var("WITI_CONFORMANCE_ONLY").unwrap_or_default();
    for (name, scenario) in all.clone().into_iter().filter(|(n, _)| n.contains(&only)) {
        let url = url.clone();
        tasks.spawn(async move {
            let outcome = tokio::time::timeout(
                Duration::from_secs(60),
                run_scenario(url, name.clone(), scenario),
            )
            .await
            .unwrap_or_else(|_| Err("did not finish within 60 s".into()));
            (name, outcome)
        });
    }
    let mut failures = Vec::new();
    let mut passed = 0;
    while let Some(joined) = tasks.join_next().await {
        let (name, outcome) = joined.expect("a scenario task does not panic");
        match outcome {
            Ok(()) => passed += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    failures.sort();
    eprintln!("conformance: {passed} passed, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "failed scenarios:\n{}",
        failures.join("\n")
    );
    sim.shutdown().await;
}

#[test]
fn the_matchers_can_fail() {
    assert!(!matches(Some(&json!(1)), &json!(2)));
    assert!(matches(Some(&json!(7)), &json!(7.0)));
    assert!(!matches(None, &json!({"$present": true})));
    assert!(matches(Some(&Value::Null), &Value::Null));
    assert!(!matches(Some(&json!("abc")), &json!({"$prefix": "b"})));
    assert!(matches(Some(&json!([1, 2])), &json!({"$len": {"$gte": 2}})));
    assert!(!matches(Some(&json!([1])), &json!({"$len": 2})));
    assert_eq!(lookup(&json!({"a": [{"b": 3}]}), "a.0.b"), Some(&json!(3)));
}

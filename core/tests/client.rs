//! The client against the simulator over TCP: what the conformance corpus can't say in JSON
//! (log output, cancellation, concurrency, the key on the wire).

use std::sync::{Arc, Mutex};
use std::time::Duration;
use witi::{Client, ErrorCode, RetryPolicy, StatusCode};
use witi_sim::{Fault, FaultKind, InstanceConfig, Simulator};

/// A key with characters that must be URL-encoded, so the encoded form is checked too.
const KEY: &str = "Secret/Key+With Spaces&wid=x-7f3a9c";

fn client(sim: &Simulator, key: &str, retries: u32, timeout_ms: u64) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(sim.url())
        .timeout(Duration::from_millis(timeout_ms))
        .retry_policy(RetryPolicy {
            max_retries: retries,
            initial_backoff: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .expect("a valid client")
}

/// Collects everything `tracing` writes, at every level.
#[derive(Clone, Default)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log sink lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_no_key(text: &str, what: &str) {
    let encoded = "Secret%2FKey%2BWith+Spaces%26wid%3Dx-7f3a9c";
    for needle in [KEY, encoded, "Secret/Key", "x-7f3a9c"] {
        assert!(
            !text.contains(needle),
            "the key ({needle}) leaked into {what}: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_appears_in_no_error_and_no_log_line() {
    let sink = LogSink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = Simulator::start_default().await.expect("sim");
    let mut seen = std::collections::BTreeSet::new();
    let faults: Vec<Fault> = vec![
        Fault::new("*", FaultKind::HttpStatus).status(401),
        Fault::new("*", FaultKind::HttpStatus)
            .status(429)
            .retry_after("1"),
        Fault::new("*", FaultKind::HttpStatus).status(500),
        // A server that echoes the request URL, key included, in its error page.
        Fault::new("*", FaultKind::HttpStatus)
            .status(502)
            .body(format!("bad gateway for /status.aspx?wid={KEY}")),
        Fault::new("*", FaultKind::Html).body(format!("<html>wid={KEY}</html>")),
        Fault::new("*", FaultKind::Empty),
        Fault::new("*", FaultKind::Truncated),
        Fault::new("*", FaultKind::Reset),
        Fault::new("*", FaultKind::Stall),
        Fault::new("*", FaultKind::HttpStatus)
            .status(200)
            .body(format!(r#"{{"status":0,"error":"unknown wid {KEY}"}}"#)),
    ];
    for fault in faults {
        sim.clear_faults();
        sim.add_fault(fault.clone().for_key(KEY)).expect("fault");
        let c = client(&sim, KEY, 1, 300);
        for result in [
            c.status().await.map(|_| ()),
            c.disconnect().await.map(|_| ()),
            c.clear().await.map(|_| ()),
        ] {
            let e = result.expect_err("every call fails under the fault");
            seen.insert(e.code().as_str());
            assert_no_key(&e.to_string(), "Display");
            assert_no_key(&format!("{e:?}"), "Debug");
            assert_no_key(&format!("{e:#?}"), "pretty Debug");
        }
    }
    sim.clear_faults();
    // Connection refused, through the same sweep.
    let refused = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:1/")
        .max_retries(0)
        .build()
        .expect("client");
    let e = refused
        .status()
        .await
        .expect_err("nothing listens on port 1");
    seen.insert(e.code().as_str());
    assert_no_key(&format!("{e} {e:?}"), "a connection error");
    // Bad arguments.
    let e = Client::builder()
        .api_key(KEY)
        .base_url(format!("ftp://h/?wid={KEY}"))
        .build()
        .expect_err("bad url");
    seen.insert(e.code().as_str());
    assert_no_key(&format!("{e} {e:?}"), "an invalid_argument error");
    assert_no_key(&format!("{refused:?}"), "Client's Debug");
    assert_no_key(
        &format!("{:?}", Client::builder().api_key(KEY)),
        "ClientBuilder's Debug",
    );

    for code in [
        "auth",
        "rate_limited",
        "http_status",
        "decode",
        "timeout",
        "connection",
        "api",
        "invalid_argument",
    ] {
        assert!(
            seen.contains(code),
            "the sweep never produced {code}: {seen:?}"
        );
    }
    let logs =
        String::from_utf8(sink.0.lock().expect("log sink lock").clone()).expect("utf-8 logs");
    assert!(
        logs.contains("retrying"),
        "the sweep logged its retries: {logs}"
    );
    assert_no_key(&logs, "the logs");
    sim.shutdown().await;
}

/// Every form a server may echo `key` in: percent-encoded in upper, lower and mixed case,
/// `+` or `%20` for a space, twice encoded, as a JSON string, as HTML entities.
fn echoed_forms(key: &str) -> Vec<String> {
    fn percent(key: &str, upper: bool, mixed: bool, space: &str) -> String {
        let mut out = String::new();
        for (i, b) in key.bytes().enumerate() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => out.push(b as char),
                b' ' => out.push_str(space),
                _ if upper || (mixed && i % 2 == 0) => out.push_str(&format!("%{b:02X}")),
                _ => out.push_str(&format!("%{b:02x}")),
            }
        }
        out
    }
    let json_u: String = key
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_string(),
            _ => format!("\\u{:04x}", c as u32),
        })
        .collect();
    let json_slash = serde_json::to_string(key)
        .expect("a string serializes")
        .trim_matches('"')
        .replace('/', "\\/");
    let html_dec: String = key
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_string(),
            _ => format!("&#{};", c as u32),
        })
        .collect();
    let html_named = key.replace('&', "&amp;").replace('+', "&plus;");
    let lower = percent(key, false, false, "+");
    vec![
        key.to_owned(),
        percent(key, true, false, "+"),
        lower.clone(),
        percent(key, false, true, "%20"),
        percent(key, true, false, "%20"),
        percent(&lower, true, false, "+"),
        percent(&lower, false, false, "+"),
        json_u,
        json_slash,
        html_dec,
        html_named,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_encoded_echo_of_the_key_is_redacted() {
    let sim = Simulator::start_default().await.expect("sim");
    for key in [
        "K3y+/=%41-witi-SECRET",
        "a b+c/d=e%f&g-SECRET-2",
        "%2B%2b+ /=-SECRET-3",
    ] {
        for echo in echoed_forms(key) {
            let faults = [
                // The API's own way of saying no, with the key in its text.
                Fault::new("*", FaultKind::HttpStatus)
                    .status(200)
                    .body(format!(r#"{{"status":0,"error":"invalid wid {echo}"}}"#)),
                // An HTML page (cut to a snippet) with the key straddling the cut.
                Fault::new("*", FaultKind::Html)
                    .body(format!("<html>{}{echo} more</html>", "x".repeat(100))),
                Fault::new("*", FaultKind::Html).body(format!("<p>{echo}</p>")),
                // A header-like echo in a 500 body, and a body that ends inside the key.
                Fault::new("*", FaultKind::HttpStatus)
                    .status(500)
                    .body(format!(
                        "Request-URI: /status.aspx?x=1\r\nX-Key: {echo}\r\n"
                    )),
                Fault::new("*", FaultKind::HttpStatus)
                    .status(502)
                    .body(format!("{}{}", "y".repeat(90), &echo[..echo.len() * 2 / 3])),
            ];
            for fault in faults {
                sim.clear_faults();
                sim.add_fault(fault.for_key(key)).expect("fault");
                let c = client(&sim, key, 0, 2000);
                let e = c.status().await.expect_err("the fault fails the call");
                let shown = format!("{e} {e:?} {:?}", e.server_message());
                for piece in ["SECRET", "secret", "K3y", "k3y", "c/d", "c%2F", "c%2f"] {
                    assert!(
                        !shown.contains(piece),
                        "{piece} of {key:?} leaked from the echo {echo:?}: {shown}"
                    );
                }
            }
        }
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_is_url_encoded_into_wid() {
    let sim = Simulator::start_default().await.expect("sim");
    let c = client(&sim, KEY, 0, 5000);
    c.status().await.expect("status");
    let snapshot = sim
        .instance(KEY)
        .expect("the simulator decoded the same key");
    assert_eq!(snapshot.calls.get("status.aspx"), Some(&1));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_connect_stops_polling() {
    let sim = Simulator::start_default().await.expect("sim");
    let key = "cancel-connect";
    let c = client(&sim, key, 0, 5000);
    let qrs = Arc::new(Mutex::new(0));
    let counter = qrs.clone();
    let flow = c.connect_with(
        move |_qr| {
            *counter.lock().expect("lock") += 1;
            Ok(())
        },
        witi::ConnectOptions {
            timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(20),
            user_agent: None,
            ..witi::ConnectOptions::default()
        },
    );
    let calls = |sim: &Simulator| {
        sim.instance(key)
            .map(|i| i.calls.get("status.aspx").copied().unwrap_or(0))
            .unwrap_or(0)
    };
    // Dropped once it has polled a few times (waited for, not timed: a loaded machine polls
    // late); the future stops at its next await.
    let mut flow = Box::pin(flow);
    let polled = async {
        while calls(&sim) < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::select! {
        ended = &mut flow => panic!("connect ended while polling: {:?}", ended.map(|_| ())),
        waited = tokio::time::timeout(Duration::from_secs(20), polled) => {
            waited.expect("three polls within 20 s");
        }
    }
    drop(flow);
    assert_eq!(*qrs.lock().expect("lock"), 1);
    let after_drop = calls(&sim);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        calls(&sim),
        after_drop,
        "no poll after the future was dropped"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_error_ends_connect_with_that_error() {
    let sim = Simulator::start_default().await.expect("sim");
    let c = client(&sim, "callback-fails", 0, 5000);
    let e = c
        .connect(
            |_qr| Err("the terminal is gone".into()),
            Duration::from_secs(10),
        )
        .await
        .expect_err("the callback failed");
    assert_eq!(e.code(), ErrorCode::Callback);
    assert_eq!(
        std::error::Error::source(&e)
            .map(|s| s.to_string())
            .as_deref(),
        Some("the terminal is gone")
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_many_concurrent_calls() {
    let sim = Simulator::start_default().await.expect("sim");
    let c = client(&sim, "concurrent", 0, 10_000);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let c = c.clone();
        tasks.spawn(async move { c.status().await.map(|s| s.code) });
    }
    let mut ok = 0;
    while let Some(r) = tasks.join_next().await {
        assert_eq!(
            r.expect("no panic").expect("status"),
            StatusCode::NoConnection
        );
        ok += 1;
    }
    assert_eq!(ok, 200);
    assert_eq!(
        sim.instance("concurrent")
            .expect("instance")
            .calls
            .get("status.aspx"),
        Some(&200)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_waited_for() {
    let sim = Simulator::start_default().await.expect("sim");
    let key = "retry-after";
    sim.add_fault(
        Fault::new("status", FaultKind::HttpStatus)
            .status(429)
            .retry_after("0.4")
            .times(1)
            .for_key(key),
    )
    .expect("fault");
    let c = client(&sim, key, 2, 5000);
    let started = std::time::Instant::now();
    c.status().await.expect("the retry succeeds");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "waited {:?}",
        started.elapsed()
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connect_flow_pairs_with_an_automatic_scan() {
    let sim = Simulator::start_default().await.expect("sim");
    let key = "auto-scan";
    sim.set_instance_config(
        key,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(100)),
            starting_delay_ms: Some(50),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    let c = client(&sim, key, 0, 5000);
    let mut svgs = Vec::new();
    let status = c
        .connect_with(
            |qr| {
                svgs.push(qr.svg.clone());
                Ok(())
            },
            witi::ConnectOptions {
                timeout: Duration::from_secs(10),
                poll_interval: Duration::from_millis(20),
                user_agent: None,
                ..witi::ConnectOptions::default()
            },
        )
        .await
        .expect("paired");
    assert_eq!(status.code, StatusCode::Authenticated);
    assert_eq!(svgs.len(), 1);
    assert!(svgs[0].contains("<svg"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_base_urls_use_rustls_and_fail_cleanly() {
    // TLS is initialised on the first https request: no crypto-provider panic, no OpenSSL,
    // just a connection error when nothing listens.
    let c = Client::builder()
        .api_key(KEY)
        .base_url("https://127.0.0.1:1/")
        .max_retries(0)
        .build()
        .expect("an https client builds");
    let e = c.status().await.expect_err("nothing listens on port 1");
    assert_eq!(e.code(), ErrorCode::Connection);
    assert_no_key(&format!("{e} {e:?}"), "a TLS connection error");
}

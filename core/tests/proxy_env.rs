//! Proxies from the environment, end to end: loopback is always direct, remote hosts follow
//! `HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` (SOCKS5 included), and an error through a proxy names
//! it without its credentials.
//!
//! The environment is process-wide, so this binary holds a single test that sets it; clients
//! read it when they are built.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use witi::{Client, ErrorCode};
use witi_sim::Simulator;

/// A proxy that records what it is asked and answers every plain-HTTP request with a status
/// body; a SOCKS5 greeting is recorded and refused.
struct RecordingProxy {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    fn start() -> RecordingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                    if head == [5] {
                        break;
                    }
                    if head.ends_with(b"\r\n\r\n") {
                        break;
                    }
                }
                if head == [5] {
                    log.lock().expect("log").push("SOCKS5".to_owned());
                    let _ = stream.write_all(&[5, 0xff]);
                    continue;
                }
                let text = String::from_utf8_lossy(&head);
                let line = text.lines().next().unwrap_or_default().to_owned();
                log.lock().expect("log").push(line);
                let body = r#"{"status":3,"statusString":"waitForQRAuthentication"}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        RecordingProxy { port, seen }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().expect("log"))
    }
}

fn set_env(pairs: &[(&str, Option<&str>)]) {
    for (name, value) in pairs {
        // SAFETY: this binary's only test; nothing else reads or writes the environment while
        // it runs (clients read it in `build`, on this thread).
        unsafe {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
    }
}

fn client(base: &str) -> Client {
    Client::builder()
        .api_key("proxy-test-key-S3CRET")
        .base_url(base)
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(3))
        .max_retries(0)
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_is_direct_and_remote_hosts_follow_the_environment() {
    let sim = Simulator::start_default().await.expect("sim");
    let proxy = RecordingProxy::start();
    let port = sim
        .url()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .expect("port")
        .to_owned();
    let remote = "http://witi-remote.invalid/";
    let proxy_url = proxy.url();
    set_env(&[
        ("HTTP_PROXY", Some(&proxy_url)),
        ("HTTPS_PROXY", Some(&proxy_url)),
        ("ALL_PROXY", Some(&proxy_url)),
        ("NO_PROXY", None),
        ("http_proxy", None),
        ("https_proxy", None),
        ("all_proxy", None),
        ("no_proxy", None),
    ]);

    // Loopback, by address and by name: straight to the simulator.
    for base in [sim.url().to_owned(), format!("http://localhost:{port}/")] {
        client(&base)
            .status()
            .await
            .expect("a direct call to the simulator");
    }
    assert_eq!(
        proxy.take(),
        Vec::<String>::new(),
        "loopback went through the proxy"
    );

    // A remote host goes through the proxy (absolute-form request line).
    let s = client(remote)
        .status()
        .await
        .expect("answered by the proxy");
    assert_eq!(s.code.code(), 3);
    let seen = proxy.take();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("GET http://witi-remote.invalid/status.aspx?wid="),
        "{seen:?}"
    );

    // NO_PROXY (curl's rules: a domain covers its subdomains, `*` covers all).
    for no_proxy in ["witi-remote.invalid", ".invalid", "*"] {
        set_env(&[("NO_PROXY", Some(no_proxy))]);
        let e = client(remote)
            .status()
            .await
            .expect_err("no such host, directly");
        assert_eq!(e.code(), ErrorCode::Connection, "{e}");
        assert!(!e.to_string().contains("proxy"), "{no_proxy}: {e}");
        assert_eq!(proxy.take(), Vec::<String>::new(), "{no_proxy}");
    }
    set_env(&[("NO_PROXY", None)]);

    // An explicit proxy is used for every host, loopback included.
    let explicit = Client::builder()
        .api_key("proxy-test-key-S3CRET")
        .base_url(sim.url())
        .proxy(proxy.url())
        .max_retries(0)
        .build()
        .expect("client");
    explicit.status().await.expect("answered by the proxy");
    let seen = proxy.take();
    assert!(seen[0].starts_with("GET http://127.0.0.1:"), "{seen:?}");

    // A dead proxy with credentials: the error names the proxy, not its user or password.
    set_env(&[
        ("HTTP_PROXY", Some("http://alice:hunter2%21@127.0.0.1:1")),
        ("ALL_PROXY", None),
    ]);
    let e = client(remote)
        .status()
        .await
        .expect_err("the proxy is down");
    let text = format!("{e} {e:?}");
    assert_eq!(e.code(), ErrorCode::Connection, "{text}");
    assert!(text.contains("through proxy http://127.0.0.1:1"), "{text}");
    for secret in ["hunter2", "alice", "S3CRET"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    // SOCKS5 from ALL_PROXY: with remote DNS (socks5h) and with local DNS (socks5, so an
    // address here).
    for (scheme, base) in [("socks5h", remote), ("socks5", "http://192.0.2.1/")] {
        let socks = format!("{scheme}://127.0.0.1:{}", proxy.port);
        set_env(&[("HTTP_PROXY", None), ("ALL_PROXY", Some(&socks))]);
        let e = client(base)
            .status()
            .await
            .expect_err("the SOCKS proxy refuses");
        assert_eq!(e.code(), ErrorCode::Connection, "{e}");
        assert!(
            e.to_string().contains(&format!("through proxy {socks}")),
            "{e}"
        );
        assert_eq!(proxy.take(), vec!["SOCKS5".to_owned()], "{scheme}");
        // Loopback stays direct under ALL_PROXY too.
        client(sim.url()).status().await.expect("direct");
        assert_eq!(proxy.take(), Vec::<String>::new());
    }
    sim.shutdown().await;
}

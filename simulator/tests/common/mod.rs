//! Helpers shared by the integration tests: an HTTP client, a tiny PostBack receiver and an
//! independent decoder of the three PostBack framings.
#![allow(dead_code)] // each test binary uses a different subset

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use witi_sim::{InstanceConfig, SimConfig, Simulator};

pub async fn sim() -> Simulator {
    Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts")
}

/// A simulator whose new instances use `patch` over the defaults.
pub async fn sim_with(patch: InstanceConfig) -> Simulator {
    let mut config = SimConfig::default();
    config.defaults.apply(&patch).expect("valid settings");
    Simulator::start(config).await.expect("simulator starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds")
}

pub fn url(sim: &Simulator, command: &str, key: &str) -> String {
    format!("{}{command}?wid={key}", sim.url())
}

/// GET a command; HTTP status and parsed JSON.
pub async fn get(sim: &Simulator, command: &str, key: &str) -> (u16, Value) {
    answer(client().get(url(sim, command, key))).await
}

/// POST a command with a JSON body.
pub async fn post(sim: &Simulator, command: &str, key: &str, body: Value) -> (u16, Value) {
    let request = client()
        .post(url(sim, command, key))
        .header("content-type", "application/json")
        .body(body.to_string());
    answer(request).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = request.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("JSON answer"))
}

/// POST to a control endpoint (path after the base URL, e.g. `_sim/instances/k/scan`).
pub async fn control(
    sim: &Simulator,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client().request(method, format!("{}{path}", sim.url()));
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Sorted keys of a JSON object.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

pub fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// Polls status.aspx until `code` or the timeout.
pub async fn wait_status(sim: &Simulator, key: &str, code: i64, timeout: Duration) -> Value {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let (_, v) = get(sim, "status.aspx", key).await;
        if v["status"] == code {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "status {code} not reached: {v}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path_and_query: String,
    pub content_type: String,
    pub body: Bytes,
}

/// A PostBack receiver: records every POST; the first `fail_first` get HTTP 500.
pub struct Receiver {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub attempts: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let attempts = Arc::new(AtomicUsize::new(0));
        let (rec, att) = (received.clone(), attempts.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (rec, att) = (rec.clone(), att.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (rec, att) = (rec.clone(), att.clone());
                        async move {
                            let n = att.fetch_add(1, Ordering::SeqCst);
                            let path_and_query = req.uri().to_string();
                            let content_type = req
                                .headers()
                                .get("content-type")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("")
                                .to_owned();
                            let body = req.into_body().collect().await?.to_bytes();
                            let status = if n < fail_first {
                                500
                            } else {
                                rec.lock().unwrap().push(Received {
                                    path_and_query,
                                    content_type,
                                    body,
                                });
                                200
                            };
                            let mut resp = Response::new(Full::new(Bytes::new()));
                            *resp.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                            Ok::<_, hyper::Error>(resp)
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Receiver {
            addr,
            received,
            attempts,
            task,
        }
    }

    /// A webhook URL with a query, so that the simulator's `&wid=` suffix extends it.
    pub fn webhook(&self) -> String {
        format!("http://{}/hook?token=t", self.addr)
    }

    /// Waits until at least `n` POSTs were accepted, then returns them all.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= n {
                return got;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {n} postbacks, got {}: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Decodes one PostBack body in any of the three framings into its events, checking the
/// framing details on the way (the BOM must be there in BULKGZ).
pub fn decode_postback(body: &[u8]) -> Vec<Value> {
    let from_array = |json: &[u8]| -> Vec<Value> {
        let items: Vec<String> = serde_json::from_slice(json).expect("a JSON array of strings");
        items
            .iter()
            .map(|b64| {
                let bytes = STANDARD.decode(b64).expect("base64 item");
                serde_json::from_slice(&bytes).expect("each item is one event's JSON")
            })
            .collect()
    };
    if let Some(rest) = body.strip_prefix(b"BULKGZ,") {
        let z = STANDARD.decode(rest).expect("base64 of zlib");
        let mut plain = Vec::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut plain)
            .expect("zlib");
        let json = plain
            .strip_prefix(b"\xEF\xBB\xBF")
            .expect("BULKGZ content starts with a UTF-8 BOM");
        from_array(json)
    } else if let Some(rest) = body.strip_prefix(b"BULK,") {
        from_array(rest)
    } else {
        vec![serde_json::from_slice(body).expect("plain JSON event")]
    }
}

/// A response's body as JSON (reqwest is built without its `json` feature).
pub async fn json_of(resp: reqwest::Response) -> Value {
    serde_json::from_str(&resp.text().await.expect("body")).expect("JSON body")
}

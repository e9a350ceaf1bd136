//! The receiver benchmark's Rust side: writes the PostBack bodies every language's receiver
//! is loaded with, and serves three receivers for `bench/receivers.py` to load with `wrk`:
//!
//! - `witi`: [`witi::webhook::WebhookServer`] with a handler that counts events;
//! - `hyper`: what a Rust developer would write by hand: a hyper 1 server that collects the
//!   body, decodes it with base64 + flate2 + serde_json (the same by-hand decoder as the
//!   decode benchmark, plus `BULK,`), calls the same counting handler per event, answers 200
//!   (400 on a body that does not decode);
//! - `limit`: a hyper server that drains the body unread and answers 200: what the HTTP
//!   stack and the loopback allow, the ceiling for every language's receiver.
//!
//! All three run on one tokio runtime in this process; only one is under load at a time.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use flate2::read::ZlibDecoder;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::convert::Infallible;
use std::hint::black_box;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The bodies, by file name: plain JSON (one event), and `BULK,` / `BULKGZ,` of 1, 100 and
/// 1,000 events (the decode benchmark's status events, about 1.2 KB of JSON each).
pub fn write_bodies(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let events: Vec<String> = (0..1_000).map(crate::decode::status_event).collect();
    let mut bodies = vec![("plain-1".to_string(), events[0].clone().into_bytes())];
    for n in [1, 100, 1_000] {
        bodies.push((format!("bulk-{n}"), crate::decode::bulk(&events[..n])));
        bodies.push((format!("bulkgz-{n}"), crate::decode::bulkgz(&events[..n])));
    }
    for (name, body) in bodies {
        // Both decoders must read every body before any is timed.
        let theirs = by_hand(&body).ok_or(format!("{name}: the by-hand decoder fails"))?;
        let ours = witi::decode_postback(&body).map_err(|e| format!("{name}: {e}"))?;
        if ours.len() != theirs.len() {
            return Err(format!("{name}: event counts differ"));
        }
        let path = dir.join(format!("{name}.txt"));
        std::fs::write(&path, body).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The hand-written decoder of the three framings: no tolerance of variants, no limits.
fn by_hand(body: &[u8]) -> Option<Vec<Value>> {
    let items = |text: &[u8]| -> Option<Vec<Value>> {
        let text = text.strip_prefix(BOM).unwrap_or(text);
        let items: Vec<String> = serde_json::from_slice(text).ok()?;
        items
            .iter()
            .map(|item| serde_json::from_slice(&B64.decode(item).ok()?).ok())
            .collect()
    };
    if let Some(payload) = body.strip_prefix(b"BULKGZ,") {
        let compressed = B64.decode(payload).ok()?;
        let mut text = Vec::new();
        ZlibDecoder::new(&compressed[..])
            .read_to_end(&mut text)
            .ok()?;
        items(&text)
    } else if let Some(payload) = body.strip_prefix(b"BULK,") {
        items(payload)
    } else {
        Some(vec![serde_json::from_slice(body).ok()?])
    }
}

/// Serves the three receivers, prints `NAME URL` for each and `ready`, then runs until killed.
pub fn serve() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let events = Arc::new(AtomicU64::new(0));
        let counted = events.clone();
        let any: SocketAddr = "127.0.0.1:0".parse().expect("a literal address");
        let witi = witi::webhook::WebhookServer::bind(
            any,
            witi::webhook::WebhookOptions::default(),
            move |event| {
                black_box(&event);
                counted.fetch_add(1, Ordering::Relaxed);
                async { Ok(()) }
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        println!("witi {}", witi.url());
        let hand = spawn_server(Kind::ByHand(events.clone())).await?;
        println!("hyper http://{hand}/");
        let limit = spawn_server(Kind::Limit).await?;
        println!("limit http://{limit}/");
        println!("ready");
        std::future::pending::<()>().await;
        drop(witi);
        Ok(())
    })
}

#[derive(Clone)]
enum Kind {
    ByHand(Arc<AtomicU64>),
    Limit,
}

async fn spawn_server(kind: Kind) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let kind = kind.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let kind = kind.clone();
                    async move { Ok::<_, Infallible>(answer(kind, req).await) }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

async fn answer(kind: Kind, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let mut body = req.into_body();
    let status = match kind {
        Kind::Limit => {
            // Drained so that the connection can carry the next request; never looked at.
            while let Some(frame) = body.frame().await {
                if frame.is_err() {
                    break;
                }
            }
            StatusCode::OK
        }
        Kind::ByHand(events) => match body.collect().await {
            Ok(collected) => match by_hand(&collected.to_bytes()) {
                Some(values) => {
                    for value in values {
                        black_box(&value);
                        events.fetch_add(1, Ordering::Relaxed);
                    }
                    StatusCode::OK
                }
                None => StatusCode::BAD_REQUEST,
            },
            Err(_) => StatusCode::BAD_REQUEST,
        },
    };
    let mut response = Response::new(Full::new(Bytes::from_static(b"OK\n")));
    *response.status_mut() = status;
    response
}

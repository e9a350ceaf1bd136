//! PostBack delivery: one queue and one task per instance, so an instance's events arrive in
//! order; bulk framings batch the events of a short window; failed POSTs are retried with a
//! doubling backoff.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::config::Settings;

/// Most events in one bulk POST; more wait for the next one.
const MAX_BATCH: usize = 500;
const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// The body framing an instance asked for with set_config.aspx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// One event per POST, the event's JSON as the body.
    Plain,
    /// `BULK,` + JSON array of base64 strings (APIVersion other than "1.1", bulk on).
    Bulk,
    /// `BULKGZ,` + base64(zlib(BOM + JSON array of base64 strings)) (APIVersion "1.1", bulk on).
    BulkGz,
}

impl Framing {
    pub(crate) fn of(api_version: &str, bulk: bool) -> Self {
        match (bulk, api_version) {
            (false, _) => Framing::Plain,
            (true, "1.1") => Framing::BulkGz,
            (true, _) => Framing::Bulk,
        }
    }
}

pub(crate) enum Payload {
    /// One event's JSON, framed per the instance's configuration.
    Event(Bytes),
    /// A body sent as is.
    Raw(Bytes),
}

/// Timings of delivery, copied from the instance's settings when the event is queued.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Policy {
    window: Duration,
    initial: Duration,
    max: Duration,
    attempts: u32,
    timeout: Duration,
}

impl From<&Settings> for Policy {
    fn from(s: &Settings) -> Self {
        Policy {
            window: Duration::from_millis(s.bulk_window_ms),
            initial: Duration::from_millis(s.retry_initial_ms),
            max: Duration::from_millis(s.retry_max_ms),
            attempts: s.retry_attempts.max(1),
            timeout: Duration::from_millis(s.postback_timeout_ms),
        }
    }
}

pub(crate) struct Item {
    pub url: Arc<str>,
    pub framing: Framing,
    pub payload: Payload,
    pub policy: Policy,
}

impl Item {
    fn batchable(&self) -> bool {
        matches!(self.payload, Payload::Event(_)) && self.framing != Framing::Plain
    }

    /// Events go in one POST only when they share the URL and the framing.
    fn joins(&self, head: &Item) -> bool {
        self.batchable() && self.framing == head.framing && self.url == head.url
    }
}

/// Delivery counts, in events (a raw body counts as one).
#[derive(Default, Debug)]
pub(crate) struct Counters {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    pub pending: AtomicU64,
}

/// An instance's queue. Dropping it (instance wiped) stops its delivery task.
pub(crate) struct Queue {
    tx: mpsc::UnboundedSender<Item>,
    pub counters: Arc<Counters>,
    task: AbortHandle,
}

impl Drop for Queue {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Queue {
    pub(crate) fn spawn(
        handle: &tokio::runtime::Handle,
        http: reqwest::Client,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let task = handle
            .spawn(run(rx, counters.clone(), http, shutdown))
            .abort_handle();
        Queue { tx, counters, task }
    }

    pub(crate) fn push(&self, item: Item) {
        self.counters.pending.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(item).is_err() {
            // The task is gone (shutdown): the event will never be delivered.
            self.counters.pending.fetch_sub(1, Ordering::Relaxed);
            self.counters.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<Item>,
    counters: Arc<Counters>,
    http: reqwest::Client,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut carry: Option<Item> = None;
    loop {
        let head = match carry.take() {
            Some(item) => item,
            None => tokio::select! {
                item = rx.recv() => match item { Some(i) => i, None => return },
                _ = crate::stopped(&mut shutdown) => return,
            },
        };
        let mut batch = vec![head];
        if batch[0].batchable() {
            let deadline = Instant::now() + batch[0].policy.window;
            while batch.len() < MAX_BATCH {
                tokio::select! {
                    item = rx.recv() => match item {
                        Some(i) if i.joins(&batch[0]) => batch.push(i),
                        Some(i) => { carry = Some(i); break; }
                        None => break,
                    },
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = crate::stopped(&mut shutdown) => return,
                }
            }
        }
        if !deliver(&http, &batch, &mut shutdown, &counters).await {
            return;
        }
    }
}

/// POSTs one batch, retrying while the receiver fails. `false` when shutdown interrupted it.
async fn deliver(
    http: &reqwest::Client,
    batch: &[Item],
    shutdown: &mut watch::Receiver<bool>,
    counters: &Counters,
) -> bool {
    let head = &batch[0];
    let n = batch.len() as u64;
    let settle = |ok: bool| {
        counters.pending.fetch_sub(n, Ordering::Relaxed);
        let c = if ok {
            &counters.delivered
        } else {
            &counters.failed
        };
        c.fetch_add(n, Ordering::Relaxed);
    };
    let Ok(url) = reqwest::Url::parse(&head.url) else {
        tracing::debug!("postback: webhook is not a valid URL");
        settle(false);
        return true;
    };
    let (body, content_type) = frame(batch);
    let mut delay = head.policy.initial;
    for attempt in 1..=head.policy.attempts {
        let send = http
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.clone())
            .timeout(head.policy.timeout)
            .send();
        let outcome = tokio::select! {
            r = send => r,
            _ = crate::stopped(shutdown) => return false,
        };
        match outcome {
            Ok(resp) if resp.status().is_success() => {
                settle(true);
                return true;
            }
            Ok(resp) => tracing::debug!(status = %resp.status(), attempt, "postback refused"),
            Err(e) => tracing::debug!(error = %e.without_url(), attempt, "postback failed"),
        }
        if attempt == head.policy.attempts {
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = crate::stopped(shutdown) => return false,
        }
        delay = (delay * 2).min(head.policy.max);
    }
    settle(false);
    true
}

/// The body and Content-Type of one POST.
fn frame(batch: &[Item]) -> (Bytes, &'static str) {
    let head = &batch[0];
    let events = || -> Vec<&Bytes> {
        batch
            .iter()
            .filter_map(|i| match &i.payload {
                Payload::Event(b) => Some(b),
                Payload::Raw(_) => None,
            })
            .collect()
    };
    match (&head.payload, head.framing) {
        (Payload::Raw(raw), _) => {
            let ct = if raw.starts_with(b"BULK") { TEXT } else { JSON };
            (raw.clone(), ct)
        }
        (Payload::Event(ev), Framing::Plain) => (ev.clone(), JSON),
        (Payload::Event(_), Framing::Bulk) => {
            let mut body = b"BULK,".to_vec();
            body.extend_from_slice(&bulk_array(&events()));
            (body.into(), TEXT)
        }
        (Payload::Event(_), Framing::BulkGz) => {
            let mut plain = b"\xEF\xBB\xBF".to_vec(); // the UTF-8 BOM the real server sends
            plain.extend_from_slice(&bulk_array(&events()));
            let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
            // Writing into a Vec cannot fail.
            let _ = z.write_all(&plain);
            let compressed = z.finish().unwrap_or_default();
            let mut body = b"BULKGZ,".to_vec();
            body.extend_from_slice(STANDARD.encode(compressed).as_bytes());
            (body.into(), TEXT)
        }
    }
}

/// JSON array of base64 strings, each one event's bytes.
fn bulk_array(events: &[&Bytes]) -> Vec<u8> {
    let items: Vec<String> = events.iter().map(|e| STANDARD.encode(e)).collect();
    serde_json::to_vec(&items).expect("a list of strings serializes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn item(framing: Framing, json: &'static str) -> Item {
        Item {
            url: Arc::from("http://127.0.0.1:9/h?x=1&wid=W"),
            framing,
            payload: Payload::Event(Bytes::from_static(json.as_bytes())),
            policy: Policy::from(&Settings::default()),
        }
    }

    #[test]
    fn framings() {
        assert_eq!(Framing::of("1.1", false), Framing::Plain);
        assert_eq!(Framing::of("1.0", true), Framing::Bulk);
        assert_eq!(Framing::of("1.1", true), Framing::BulkGz);

        let (b, ct) = frame(&[item(Framing::Plain, "{\"a\":1}")]);
        assert_eq!((&b[..], ct), (&b"{\"a\":1}"[..], JSON));

        let (b, ct) = frame(&[item(Framing::Bulk, "{}"), item(Framing::Bulk, "[]")]);
        assert_eq!(&b[..], b"BULK,[\"e30=\",\"W10=\"]");
        assert_eq!(ct, TEXT);

        let (b, _) = frame(&[item(Framing::BulkGz, "{}")]);
        let b64 = b.strip_prefix(b"BULKGZ,").unwrap();
        let z = STANDARD.decode(b64).unwrap();
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"\xEF\xBB\xBF[\"e30=\"]");
    }

    #[test]
    fn joining() {
        let a = item(Framing::Bulk, "{}");
        assert!(item(Framing::Bulk, "{}").joins(&a));
        assert!(!item(Framing::BulkGz, "{}").joins(&a));
        assert!(!item(Framing::Plain, "{}").batchable());
    }
}

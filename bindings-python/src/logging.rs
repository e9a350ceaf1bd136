//! The core's `tracing` output, forwarded to Python's `logging` (logger `witi`).
//!
//! The core already keeps the key out of every event (tested in `core/tests/client.rs`);
//! this layer logs the core's text of each event (`witi::log_line`) at the matching level
//! (TRACE is 5, below DEBUG).
//!
//! Cost: the core logs a DEBUG line per request, and taking the GIL on a runtime worker for
//! each would serialize the runtime behind Python. So the layer keeps the `witi` logger's
//! effective level in an atomic and drops events below it without touching Python. The level
//! is read again at most once a second (from the event path), at every client construction,
//! and by `witi._native.refresh_log_level()`.

use pyo3::prelude::*;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Python's `logging.WARNING` until the logger is first read.
static PY_LEVEL: AtomicU8 = AtomicU8::new(30);
static LAST_READ_MS: AtomicU64 = AtomicU64::new(0);
const REREAD_MS: u64 = 1000;

fn py_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn read_level(py: Python<'_>) -> PyResult<()> {
    let logger = py.import("logging")?.call_method1("getLogger", ("witi",))?;
    let level: i64 = logger.call_method0("getEffectiveLevel")?.extract()?;
    PY_LEVEL.store(level.clamp(0, 255) as u8, Ordering::Relaxed);
    LAST_READ_MS.store(now_ms(), Ordering::Relaxed);
    Ok(())
}

/// Reads the `witi` logger's effective level now (call after changing logging settings to
/// see DEBUG lines at once rather than within a second).
#[pyfunction]
pub fn refresh_log_level(py: Python<'_>) -> PyResult<()> {
    read_level(py)
}

/// Installs the forwarding layer as the process's global subscriber (once; a second install
/// by another library is refused by `tracing` and changes nothing).
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(ToPython);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct ToPython;

impl<S: tracing::Subscriber> Layer<S> for ToPython {
    // Decided per event, never cached per call site: the Python level can change.
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        let stale = now_ms().saturating_sub(LAST_READ_MS.load(Ordering::Relaxed)) > REREAD_MS;
        if stale {
            // Marked read first, so that concurrent events don't all go for the GIL.
            LAST_READ_MS.store(now_ms(), Ordering::Relaxed);
            let _ = crate::runtime::with_python(|py| read_level(py).ok());
        }
        py_level(metadata.level()) >= PY_LEVEL.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let text = witi::log_line::format_event(event);
        let level = py_level(event.metadata().level());
        let _ = crate::runtime::with_python(|py| {
            let logged = py
                .import("logging")
                .and_then(|m| m.call_method1("getLogger", ("witi",)))
                .and_then(|logger| logger.call_method1("log", (level, text)));
            // A failing handler of the user's logging setup must not reach the core.
            if let Err(e) = logged {
                e.print(py);
            }
        });
    }
}

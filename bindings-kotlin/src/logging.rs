//! The core's `tracing` output, handed to a logger of the host language.
//!
//! Kotlin and Swift have no one logging facade uniffi could call, so the host passes a
//! `WitiLogger` (Kotlin's `me.witi.logToJavaUtilLogging()` is one, on `java.util.logging`'s
//! logger `witi`). Without one, nothing is formatted and nothing crosses the FFI: the level
//! check is an atomic load. The core keeps the key out of every event (tested in
//! `core/tests/client.rs`); this file only formats an event as `message field=value ...`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// How much the core tells, from the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn rank(self) -> u8 {
        match self {
            LogLevel::Error => 1,
            LogLevel::Warn => 2,
            LogLevel::Info => 3,
            LogLevel::Debug => 4,
            LogLevel::Trace => 5,
        }
    }

    fn of(level: &Level) -> LogLevel {
        match *level {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            Level::TRACE => LogLevel::Trace,
        }
    }
}

/// Receives the core's log lines. Called on core threads: return quickly; what it throws is
/// dropped (a logger must not break a request).
#[uniffi::export(with_foreign)]
pub trait WitiLogger: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// 0: no logger. Otherwise the rank of the most verbose level wanted.
static MAX_RANK: AtomicU8 = AtomicU8::new(0);
static LOGGER: RwLock<Option<Arc<dyn WitiLogger>>> = RwLock::new(None);
static INSTALL: Once = Once::new();

/// Sends the core's log lines at `level` and more severe to `logger`; `None` stops them.
#[uniffi::export]
pub fn set_logger(logger: Option<Arc<dyn WitiLogger>>, level: LogLevel) {
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(ToHost);
        // Refused when the process already has a global subscriber: then that one logs.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    let rank = if logger.is_some() { level.rank() } else { 0 };
    *LOGGER.write().unwrap_or_else(|p| p.into_inner()) = logger;
    MAX_RANK.store(rank, Ordering::Relaxed);
}

struct ToHost;

impl<S: tracing::Subscriber> Layer<S> for ToHost {
    // Decided per event: the level changes with `set_logger`.
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        LogLevel::of(metadata.level()).rank() <= MAX_RANK.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let logger = LOGGER.read().unwrap_or_else(|p| p.into_inner()).clone();
        let Some(logger) = logger else { return };
        let mut text = Text::default();
        event.record(&mut text);
        let level = LogLevel::of(event.metadata().level());
        let target = event.metadata().target().to_owned();
        // A throwing host logger surfaces as a panic of the callback: contain it here.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            logger.log(level, target, text.0)
        }));
    }
}

/// `message field=value ...`, in the order the event gives.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.insert_str(0, value);
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0.insert_str(0, &format!("{value:?}"));
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

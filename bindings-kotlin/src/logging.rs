//! The core's `tracing` output, handed to a logger of the host language.
//!
//! Kotlin and Swift have no one logging facade uniffi could call, so the host passes a
//! `WitiLogger` (Kotlin's `me.witi.logToJavaUtilLogging()` is one, on `java.util.logging`'s
//! logger `witi`). Without one, nothing is formatted and nothing crosses the FFI: the level
//! check is an atomic load. The core keeps the key out of every event (tested in
//! `core/tests/client.rs`); the text of each event is the core's (`witi::log_line`).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

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
        let text = witi::log_line::format_event(event);
        let level = LogLevel::of(event.metadata().level());
        let target = event.metadata().target().to_owned();
        // A throwing host logger surfaces as a panic of the callback: contain it here.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            logger.log(level, target, text)
        }));
    }
}

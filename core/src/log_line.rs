//! One text per `tracing` event, for bindings that hand the core's log lines to a host logger
//! (Python's `logging`, a Kotlin/Swift `WitiLogger`): `message field=value ...`, fields in the
//! order the event gives. The core keeps the key out of every event, so the text needs no
//! redaction of its own.

use std::fmt::Write as _;
use tracing::field::{Field, Visit};

/// The event's message followed by its other fields as ` name=value`.
pub fn format_event(event: &tracing::Event<'_>) -> String {
    let mut line = Line::default();
    event.record(&mut line);
    line.0
}

#[derive(Default)]
struct Line(String);

impl Visit for Line {
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

    struct Capture(Arc<Mutex<Vec<String>>>);

    impl<S: tracing::Subscriber> Layer<S> for Capture {
        fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
            self.0
                .lock()
                .expect("not poisoned")
                .push(super::format_event(event));
        }
    }

    #[test]
    fn message_first_then_fields_in_order() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Capture(lines.clone()));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(command = "status.aspx", retry = 2, "answered");
            tracing::info!(path = %"/hook", "plain text");
        });
        assert_eq!(
            *lines.lock().expect("not poisoned"),
            [
                "answered command=\"status.aspx\" retry=2",
                "plain text path=/hook"
            ]
        );
    }
}

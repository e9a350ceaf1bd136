//! Fault injection: misbehaviours a real server (or the network) can show, queued per command
//! and optionally per key, consumed first-in first-out.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use hyper::header::HeaderValue;
use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::config::{MAX_MS, SimError};

/// What a fault does to the call it catches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Waits `latency_ms`, then answers normally.
    Latency,
    /// Answers `status` (default 500) with `body` (default a JSON error) and, when given, a
    /// `Retry-After: retry_after` header. The command is not executed.
    HttpStatus,
    /// Answers an HTML error page (`body` overrides it) with `status` (default 200).
    Html,
    /// Answers 200 (or `status`) with an empty body.
    Empty,
    /// Executes the command and answers the first half of its JSON.
    Truncated,
    /// Reads the request and resets the TCP connection without answering.
    Reset,
    /// Reads the request and never answers: the connection is reset after `stall_ms`, or at
    /// shutdown when no `stall_ms` is given.
    Stall,
}

/// One queued fault. Build it with [`Fault::new`] and the setters, or deserialize it from the
/// control API's JSON (same field names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Only calls with this `wid`; any key when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `status.aspx`, `status` or `*` (any command).
    #[serde(default = "any_command")]
    pub command: String,
    /// Catches this many calls, then is gone; every matching call while absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    pub kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_ms: Option<u64>,
    /// Run the command first (its effects happen: a message is sent and logged), then apply
    /// the fault to its answer: `latency` delays it, `stall`/`reset` withhold it,
    /// `http_status`/`html`/`empty` replace it. Lets a test make the server handle a call
    /// whose answer the client never gets in time.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub after_handling: bool,
}

fn any_command() -> String {
    "*".to_owned()
}

impl Fault {
    /// A fault of `kind` on `command` (`"status.aspx"`, `"status"` or `"*"`), for every call
    /// of any key until narrowed with [`Fault::for_key`] and [`Fault::times`].
    pub fn new(command: impl Into<String>, kind: FaultKind) -> Self {
        Fault {
            key: None,
            command: command.into(),
            count: None,
            kind,
            latency_ms: None,
            status: None,
            retry_after: None,
            body: None,
            stall_ms: None,
            after_handling: false,
        }
    }

    pub fn for_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn times(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    pub fn latency_ms(mut self, ms: u64) -> Self {
        self.latency_ms = Some(ms);
        self
    }

    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    pub fn stall_ms(mut self, ms: u64) -> Self {
        self.stall_ms = Some(ms);
        self
    }

    /// The command runs before the fault shapes its answer (see the field).
    pub fn after_handling(mut self, yes: bool) -> Self {
        self.after_handling = yes;
        self
    }

    /// Checks and normalizes (`status` → `status.aspx`) a fault before it is queued.
    pub(crate) fn validated(mut self) -> Result<Self, SimError> {
        let bad = |m: &str| Err(SimError::Invalid(m.to_owned()));
        if self.command != "*" {
            match Command::parse(&self.command) {
                Some(c) => self.command = c.name().to_owned(),
                None => return bad("command must be one of the commands or \"*\""),
            }
        }
        if self.key.as_deref() == Some("") {
            return bad("key must not be empty");
        }
        if self.count == Some(0) {
            return bad("count must be at least 1 (omit it for every call)");
        }
        if self
            .status
            .is_some_and(|s| hyper::StatusCode::from_u16(s).is_err())
        {
            return bad("status must be an HTTP status between 100 and 999");
        }
        if self
            .retry_after
            .as_deref()
            .is_some_and(|v| HeaderValue::from_str(v).is_err())
        {
            return bad("retry_after must be a valid header value");
        }
        if self.latency_ms.unwrap_or(0) > MAX_MS || self.stall_ms.unwrap_or(0) > MAX_MS {
            return bad("latency_ms and stall_ms must be at most one day");
        }
        if self.kind == FaultKind::Latency && self.latency_ms.is_none() {
            return bad("a latency fault needs latency_ms");
        }
        Ok(self)
    }

    fn matches(&self, command: Command, key: &str) -> bool {
        (self.command == "*" || self.command == command.name())
            && self.key.as_deref().is_none_or(|k| k == key)
    }
}

/// The queue of faults. `len` lets the hot path skip the lock when no fault is queued.
#[derive(Default)]
pub(crate) struct FaultStore {
    list: Mutex<VecDeque<Fault>>,
    len: AtomicUsize,
}

impl FaultStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Fault>> {
        // A panic while holding this lock cannot leave the queue half-updated in a harmful way.
        self.list.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add(&self, fault: Fault) -> Result<(), SimError> {
        let fault = fault.validated()?;
        let mut list = self.lock();
        list.push_back(fault);
        self.len.store(list.len(), Ordering::Release);
        Ok(())
    }

    /// Clears all faults, or only those narrowed to `key`.
    pub(crate) fn clear(&self, key: Option<&str>) {
        let mut list = self.lock();
        match key {
            None => list.clear(),
            Some(k) => list.retain(|f| f.key.as_deref() != Some(k)),
        }
        self.len.store(list.len(), Ordering::Release);
    }

    pub(crate) fn list(&self) -> Vec<Fault> {
        self.lock().iter().cloned().collect()
    }

    /// The first queued fault that matches this call, consuming one of its uses.
    pub(crate) fn take(&self, command: Command, key: &str) -> Option<Fault> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut list = self.lock();
        let pos = list.iter().position(|f| f.matches(command, key))?;
        let fault = match list[pos].count {
            Some(1) => list.remove(pos)?,
            Some(n) => {
                list[pos].count = Some(n - 1);
                list[pos].clone()
            }
            None => list[pos].clone(),
        };
        self.len.store(list.len(), Ordering::Release);
        Some(fault)
    }
}

/// The HTML page of an `html` fault: what an IIS/ASP.NET front end shows on an error.
pub(crate) const HTML_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Runtime Error</title></head>\
<body><h1>Server Error in '/' Application.</h1><h2><i>Runtime Error</i></h2>\
<p>An application error occurred on the server.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_counts() {
        let store = FaultStore::default();
        store
            .add(Fault::new("status", FaultKind::Empty).times(2))
            .unwrap();
        store
            .add(Fault::new("*", FaultKind::Html).for_key("k"))
            .unwrap();
        assert_eq!(
            store.take(Command::Status, "x").map(|f| f.kind),
            Some(FaultKind::Empty)
        );
        assert_eq!(
            store.take(Command::Clear, "x").map(|f| f.kind),
            None,
            "html is for k only"
        );
        assert_eq!(
            store.take(Command::Status, "k").map(|f| f.kind),
            Some(FaultKind::Empty)
        );
        assert_eq!(
            store.take(Command::Status, "k").map(|f| f.kind),
            Some(FaultKind::Html)
        );
        assert_eq!(
            store.take(Command::Status, "k").map(|f| f.kind),
            Some(FaultKind::Html),
            "no count: forever"
        );
        store.clear(Some("k"));
        assert_eq!(store.take(Command::Status, "k"), None);
    }

    #[test]
    fn validation() {
        assert!(Fault::new("nope", FaultKind::Empty).validated().is_err());
        assert!(Fault::new("*", FaultKind::Latency).validated().is_err());
        assert!(
            Fault::new("*", FaultKind::HttpStatus)
                .status(42)
                .validated()
                .is_err()
        );
        assert!(
            Fault::new("*", FaultKind::HttpStatus)
                .retry_after("1\r\nX: y")
                .validated()
                .is_err()
        );
        let f = Fault::new("clear", FaultKind::Reset).validated().unwrap();
        assert_eq!(f.command, "clear.aspx");
    }
}

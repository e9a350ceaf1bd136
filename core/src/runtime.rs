//! The one tokio runtime of the process, owned by core.
//!
//! Bindings run every core future here (`block_on` for blocking calls, `spawn` for async
//! ones), so there is exactly one reactor, one connection pool per client, and one place that
//! decides threads. It is created lazily on first use.
//!
//! Fork: a runtime's threads do not survive `fork()`, so a child that touched the parent's
//! runtime would hang. Every access compares the process id with the one the runtime was
//! built in; in a forked child the parent's runtime is leaked (its threads do not exist there,
//! and dropping it would try to join them) and a fresh one is built. Clients check the same
//! way and rebuild their connection pool (see `transport.rs`), so after `fork()` both an old
//! and a new `Client` work in the child.

use std::future::Future;
use std::sync::Mutex;
use tokio::runtime::{Handle, Runtime};

struct Owned {
    pid: u32,
    runtime: &'static Runtime,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

/// A handle to the process-wide runtime, built on first use (and again in a forked child).
pub fn handle() -> Handle {
    let pid = std::process::id();
    // A poisoned lock only means a thread panicked while holding it; the Option inside is
    // still whole, so take it over rather than panic in every later call.
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref() {
        Some(owned) if owned.pid == pid => owned.runtime.handle().clone(),
        _ => {
            // Leaked on purpose: the runtime lives as long as the process (and a parent's
            // runtime in a forked child can't be dropped safely).
            let runtime: &'static Runtime = Box::leak(Box::new(build()));
            *slot = Some(Owned { pid, runtime });
            runtime.handle().clone()
        }
    }
}

fn build() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name("witi-runtime")
        .worker_threads(worker_threads())
        .enable_all()
        .build()
        .expect("building the witi tokio runtime: the OS refused threads or an event fd")
}

/// `WITI_RUNTIME_THREADS` when set, else the number of CPUs (at least 2, at most 8: the work
/// is network waits, not computation).
fn worker_threads() -> usize {
    std::env::var("WITI_RUNTIME_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(2, 8)
        })
}

/// Runs a future to completion on the runtime, blocking this thread. Must not be called from
/// inside the runtime (a tokio rule): bindings call it from the host language's threads.
pub fn block_on<F: Future>(future: F) -> F::Output {
    handle().block_on(future)
}

/// Spawns a future on the runtime; awaiting the handle gives its output, dropping the handle
/// lets it run on (use `abort()` to cancel).
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    handle().spawn(future)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_runtime_per_process() {
        let a = super::handle();
        let b = super::handle();
        assert_eq!(a.id(), b.id());
        assert_eq!(super::block_on(async { 6 * 7 }), 42);
    }
}

//! Where core futures run, fixed in one place.
//!
//! uniffi drives an exported `async fn` from the host (a Kotlin coroutine, a Swift task) by
//! polling it; with `async_runtime = "tokio"` it polls inside a tokio context of its own. The
//! core owns the process's one runtime (`witi::runtime`): its reactor, its timers and its
//! connection pools. So every exported async call spawns the core future onto that runtime
//! and awaits the task ([`on_core`]); uniffi's poller only waits on a `JoinHandle`.
//!
//! Cancellation: when a coroutine is cancelled, uniffi drops the future it was polling. The
//! [`AbortOnDrop`] guard inside that future then aborts the spawned task, so the request (or
//! the `connect` flow, or the poll loop) stops at its next await instead of running on.
//!
//! [`export_async!`] is the only way this crate exports async functions: it always adds
//! `async_runtime = "tokio"`, so no export can forget it.

use std::future::Future;
use tokio::task::JoinHandle;

/// Exports an `impl` block that has `async fn`s, always with `async_runtime = "tokio"`.
macro_rules! export_async {
    ($($item:tt)*) => {
        #[uniffi::export(async_runtime = "tokio")]
        $($item)*
    };
}

/// Aborts the task when dropped, unless it already finished.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `future` on the core's runtime and returns its output; dropping the returned future
/// aborts the work. A panic in the work is re-raised here, where uniffi's own `catch_unwind`
/// around every call turns it into the host's internal exception (never an abort).
pub(crate) async fn on_core<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut guard = AbortOnDrop(witi::runtime::spawn(future));
    match (&mut guard.0).await {
        Ok(output) => output,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only `abort()` cancels the task, and only the guard's drop calls it, which cannot
        // happen while we are still awaiting here; the runtime shutting down is the one
        // other way, and the process is ending then.
        Err(_) => panic!("the witi runtime cancelled a task (the process is shutting down)"),
    }
}

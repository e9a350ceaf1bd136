//! The one place where the binding meets the core's tokio runtime (`witi::runtime`).
//!
//! - Blocking calls ([`wait`]) poll the core future on the caller's thread with the GIL
//!   released, in slices of [`TICK`]: between slices the thread takes the GIL back just long
//!   enough for `check_signals`, so Ctrl-C interrupts a long `wait_for_status`/`connect`
//!   within a slice (the future is dropped, which cancels the request).
//! - Async calls ([`future`]) go through pyo3-async-runtimes' generic bridge with
//!   [`WitiRuntime`], whose `spawn` is the core's: no second runtime exists, and after
//!   `fork()` the core builds a fresh one in the child (a runtime bound once at import would
//!   be dead there). Cancelling the asyncio future drops the Rust future.

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long a blocking call waits with the GIL released before it looks for a signal.
const TICK: Duration = Duration::from_millis(100);

/// Runs `fut` to completion on the core runtime, blocking this thread without the GIL;
/// a pending signal (Ctrl-C) raises its exception and drops the future.
pub fn wait<F>(py: Python<'_>, fut: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let mut fut = Box::pin(fut);
    loop {
        let slice = py.detach(|| {
            witi::runtime::block_on(async { tokio::time::timeout(TICK, fut.as_mut()).await.ok() })
        });
        if let Some(out) = slice {
            return Ok(out);
        }
        py.check_signals()?;
    }
}

/// Makes `fut` an asyncio awaitable bound to the running loop.
pub fn future<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::generic::future_into_py::<WitiRuntime, F, T>(py, fut)
}

/// pyo3-async-runtimes' view of the core runtime.
pub struct WitiRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl Runtime for WitiRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        witi::runtime::spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        witi::runtime::handle().spawn_blocking(f)
    }
}

impl ContextExt for WitiRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

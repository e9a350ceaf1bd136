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
//! - Every entry into Python from a runtime thread goes through [`with_python`] (or, for
//!   pyo3-async-runtimes, through [`WitiRuntime::spawn_blocking`], which does the same). At
//!   interpreter exit CPython ends any thread that takes the GIL back by unwinding it with
//!   `pthread_exit`; the unwind runs Rust destructors that drop Python objects without the GIL
//!   and corrupts the final garbage collection (a segfault at exit, seen in about one run in
//!   ten of an asyncio program). So `shutdown()`, registered with `atexit` (which runs before
//!   finalization starts), closes the door and waits, GIL released, for the threads already
//!   inside Python to leave.

use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, Runtime};
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);
/// Runtime threads inside (or about to enter) Python.
static IN_PYTHON: AtomicUsize = AtomicUsize::new(0);
/// The longest `shutdown` waits for them (a handler that never returns must not hang exit).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

struct Entered;

impl Entered {
    /// Counts this thread in, or `None` once the interpreter is shutting down. The count goes
    /// up before the flag is read, so `shutdown` either sees the count or the thread sees the
    /// flag.
    fn enter() -> Option<Entered> {
        IN_PYTHON.fetch_add(1, Ordering::SeqCst);
        let entered = Entered;
        (!SHUTTING_DOWN.load(Ordering::SeqCst)).then_some(entered)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        IN_PYTHON.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs `f` with the GIL from a runtime thread; `None` when the interpreter is going away.
pub fn with_python<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    let _entered = Entered::enter()?;
    Python::try_attach(f)
}

/// Registered with `atexit` by `witi/__init__.py`: no runtime thread enters Python after
/// this, and the ones inside get up to two seconds to leave.
#[pyfunction]
pub fn shutdown(py: Python<'_>) {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + SHUTDOWN_WAIT;
    py.detach(|| {
        while IN_PYTHON.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
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
        // pyo3-async-runtimes takes the GIL only in these closures (to complete the asyncio
        // future); after `shutdown` they are skipped: the loop that awaited them is gone.
        witi::runtime::handle().spawn_blocking(move || {
            if let Some(_entered) = Entered::enter() {
                f();
            }
        })
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

//! The one place where the binding meets the core's tokio runtime (`witi::runtime`).
//!
//! - Blocking calls ([`wait`]) poll the core future on the caller's thread with the GIL
//!   released, in slices of [`TICK`]: between slices the thread takes the GIL back just long
//!   enough for `check_signals`, so Ctrl-C interrupts a long `wait_for_status`/`connect`
//!   within a slice (the future is dropped, which cancels the request).
//! - Async calls go through the asyncio bridge of `aio.rs`, on the core's runtime: no second
//!   runtime exists, and after `fork()` the core builds a fresh one in the child.
//! - Every entry into Python from a runtime thread goes through [`with_python`]. At
//!   interpreter exit CPython ends any thread that takes the GIL back by unwinding it with
//!   `pthread_exit`; the unwind runs Rust destructors that drop Python objects without the GIL
//!   and corrupts the final garbage collection (a segfault at exit, seen in about one run in
//!   ten of an asyncio program). So `shutdown()`, registered with `atexit` (which runs before
//!   finalization starts), closes the door and waits, GIL released, for the threads already
//!   inside Python to leave. Those entries are short (completing an asyncio future, handing
//!   an event to the webhook's Python thread, a log line, an async `connect`'s `on_qr`): the
//!   webhook handler, which may run for long, runs on a Python thread of its own
//!   (`_webhook.py`), which CPython itself stops at exit.
//!
//! Fork: the count of threads inside Python and the shutdown flag are tagged with the
//! process id. A child inherits the parent's memory but none of its other threads, so a
//! count left by a parent thread that was inside Python at the moment of `fork()` means
//! nothing in the child: read there, it is zero (the child's exit used to wait the whole
//! [`SHUTDOWN_WAIT`] for threads that do not exist in it).

use pyo3::prelude::*;
use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
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

/// The process id whose interpreter is shutting down (0: none).
static SHUT_DOWN_IN: AtomicU32 = AtomicU32::new(0);
/// Runtime threads inside (or about to enter) Python: the process id in the high 32 bits,
/// the count in the low 32 (see the module docs on fork).
static IN_PYTHON: AtomicU64 = AtomicU64::new(0);
/// The longest `shutdown` waits for them (a thread stuck inside Python must not hang exit).
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

fn this_process() -> u64 {
    u64::from(std::process::id())
}

/// The count of this process's threads inside Python (a parent's count reads as zero).
fn in_python() -> u64 {
    let word = IN_PYTHON.load(Ordering::SeqCst);
    if word >> 32 == this_process() {
        word & u64::from(u32::MAX)
    } else {
        0
    }
}

fn shutting_down() -> bool {
    SHUT_DOWN_IN.load(Ordering::SeqCst) == std::process::id()
}

struct Entered;

impl Entered {
    /// Counts this thread in, or `None` once the interpreter is shutting down. The count goes
    /// up before the flag is read, so `shutdown` either sees the count or the thread sees the
    /// flag.
    fn enter() -> Option<Entered> {
        let pid = this_process();
        // A word of another process (the parent's, inherited) restarts from zero.
        let _ = IN_PYTHON.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
            Some(if word >> 32 == pid {
                word + 1
            } else {
                (pid << 32) | 1
            })
        });
        let entered = Entered;
        (!shutting_down()).then_some(entered)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        // A thread leaves in the process it entered in (threads do not cross a fork), so the
        // word is this process's and its count is at least one.
        let _ = IN_PYTHON.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
            (word >> 32 == this_process() && word & u64::from(u32::MAX) > 0).then(|| word - 1)
        });
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
    SHUT_DOWN_IN.store(std::process::id(), Ordering::SeqCst);
    let deadline = Instant::now() + SHUTDOWN_WAIT;
    py.detach(|| {
        while in_python() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

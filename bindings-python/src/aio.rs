//! The asyncio bridge: a core future as an awaitable of the running event loop.
//!
//! The future runs on the core's runtime; its result is handed to the loop with
//! `call_soon_threadsafe` from a blocking-pool thread (a runtime worker never waits for the
//! GIL), and cancelling the asyncio future aborts the task, which drops the core future and so
//! cancels the request.
//!
//! Why our own and not pyo3-async-runtimes' (which the binding used before): when the program
//! closes its loop by hand (`loop.close()`) with a call still in flight, that library prints
//! `RuntimeError: Event loop is closed` with a traceback on stderr for every such call, and
//! offers no hook to stop it. CPython's own thread-to-loop bridge (`asyncio.wrap_future`,
//! behind `run_in_executor`) drops a result for a closed loop without a word; so does this one,
//! including when the loop closes between the check and the hand-off.

use crate::runtime::with_python;
use futures_util::FutureExt;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::{IntoPyObjectExt, intern};
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Makes `fut` an asyncio awaitable bound to the running loop (`RuntimeError` without one,
/// as `asyncio.get_running_loop()` raises).
pub fn future<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = py
        .import(intern!(py, "asyncio"))?
        .call_method0(intern!(py, "get_running_loop"))?;
    let awaitable = event_loop.call_method0(intern!(py, "create_future"))?;
    let (target_loop, target) = (event_loop.unbind(), awaitable.clone().unbind());
    let task = witi::runtime::spawn(async move {
        // A panic (a bug) must still complete the awaitable, or its awaiter would hang.
        let result = match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(result) => result,
            Err(panic) => Err(PanicException::new_err(panic_text(panic.as_ref()))),
        };
        // The GIL is taken on the blocking pool, never on a runtime worker.
        witi::runtime::handle().spawn_blocking(move || {
            with_python(|py| hand_over(py, target_loop.bind(py), target.bind(py), result));
        });
    });
    awaitable.call_method1(
        intern!(py, "add_done_callback"),
        (CancelOnDone {
            task: task.abort_handle(),
        },),
    )?;
    Ok(awaitable)
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("the witi call panicked: {text}")
}

/// Schedules the result on the loop, or drops it when the loop is closed.
fn hand_over<T>(
    py: Python<'_>,
    event_loop: &Bound<'_, PyAny>,
    awaitable: &Bound<'_, PyAny>,
    result: PyResult<T>,
) where
    T: for<'a> IntoPyObject<'a>,
{
    if is_closed(event_loop) {
        return;
    }
    if let Err(e) = schedule(py, event_loop, awaitable, result) {
        // Closed since the check (`loop.close()` on the loop's thread may run between two
        // bytecodes of `call_soon_threadsafe`): dropped, as above. Anything else is reported
        // as Python reports an error nobody can catch, not lost.
        if !is_closed(event_loop) {
            e.write_unraisable(py, Some(event_loop));
        }
    }
}

fn schedule<T>(
    py: Python<'_>,
    event_loop: &Bound<'_, PyAny>,
    awaitable: &Bound<'_, PyAny>,
    result: PyResult<T>,
) -> PyResult<()>
where
    T: for<'a> IntoPyObject<'a>,
{
    let (value, error) = match result.and_then(|v| v.into_py_any(py)) {
        Ok(value) => (value, py.None()),
        Err(e) => (py.None(), e.into_value(py).into_any()),
    };
    event_loop.call_method1(
        intern!(py, "call_soon_threadsafe"),
        (wrap_pyfunction!(set_state, py)?, awaitable, value, error),
    )?;
    Ok(())
}

fn is_closed(event_loop: &Bound<'_, PyAny>) -> bool {
    event_loop
        .call_method0(intern!(event_loop.py(), "is_closed"))
        .and_then(|closed| closed.is_truthy())
        // A loop that cannot say is treated as gone: nothing can be delivered to it.
        .unwrap_or(true)
}

/// Runs on the loop's thread: completes the awaitable unless it was cancelled meanwhile.
#[pyfunction]
fn set_state(
    awaitable: &Bound<'_, PyAny>,
    value: &Bound<'_, PyAny>,
    error: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let py = awaitable.py();
    if awaitable.call_method0(intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    if error.is_none() {
        awaitable.call_method1(intern!(py, "set_result"), (value,))?;
    } else {
        awaitable.call_method1(intern!(py, "set_exception"), (error,))?;
    }
    Ok(())
}

/// The awaitable's done callback: a cancelled awaitable aborts the core task.
#[pyclass(frozen, module = "witi._native")]
struct CancelOnDone {
    task: tokio::task::AbortHandle,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, awaitable: &Bound<'_, PyAny>) -> PyResult<()> {
        if awaitable
            .call_method0(intern!(awaitable.py(), "cancelled"))?
            .is_truthy()?
        {
            self.task.abort();
        }
        Ok(())
    }
}

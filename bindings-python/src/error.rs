//! Core errors to the exceptions of `witi/_errors.py`.
//!
//! The class is chosen by the core's stable code (`_BY_CODE` maps each code to its class);
//! the message and the fields are the core's, already redacted there. The one code with no
//! class is `callback`: the caller's own exception (raised in `on_qr`) travelled through the
//! core boxed as the error's source, and is raised again as it was.

use crate::model::{ToPy, types};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, error: witi::Error) -> PyErr {
    if let witi::Error::Callback { source, .. } = error {
        return match source.downcast::<PyErr>() {
            Ok(original) => *original,
            // Only Python callbacks exist in this binding; keep the text if that ever changes.
            Err(other) => pyo3::exceptions::PyRuntimeError::new_err(other.to_string()),
        };
    }
    build(py, &error).unwrap_or_else(|e| e)
}

fn build(py: Python<'_>, error: &witi::Error) -> PyResult<PyErr> {
    let code = error.code().as_str();
    let class = types(py)?
        .errors
        .bind(py)
        .get_item(code)?
        .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err(error.to_string()))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", code)?;
    kwargs.set_item("command", error.command())?;
    kwargs.set_item("status", error.http_status())?;
    kwargs.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("server_message", error.server_message())?;
    kwargs.set_item("last_status", error.last_status().cloned().to_py(py)?)?;
    let instance = class.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// A callback's Python exception, boxed so it can travel through the core as the source of
/// `Error::Callback` (and come out of [`to_pyerr`] unchanged).
pub fn callback_error(e: PyErr) -> witi::CallbackError {
    Box::new(e)
}

/// Every code the core can produce (`ErrorCode::ALL`), so a test fails when one has no class.
#[pyfunction]
pub fn error_codes() -> Vec<&'static str> {
    witi::ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

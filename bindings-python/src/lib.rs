//! `witi._native`: the pyo3 module under the `witi` Python package.
//!
//! It translates and decides nothing: every call goes to the `witi` core, results become the
//! Python classes of `python/witi/_models.py` and errors the exceptions of
//! `python/witi/_errors.py` (real Python classes, so they pickle and subclass builtins).
//! The Python layer hands those classes to [`model::init_types`] at import.
//!
//! Panics never cross into Python as an abort: pyo3 turns a panic in any entry point into a
//! `PanicException`, and core futures run on tokio tasks, which catch their own.

mod aio;
mod calls;
mod client;
mod error;
mod json;
mod logging;
mod model;
mod postback;
mod runtime;
mod webhook;

use pyo3::prelude::*;

/// The native module; the Python package re-exports what users need.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The core's defaults, which `_client.py`'s signatures repeat (a test compares them).
    m.add(
        "DEFAULT_WAIT_TIMEOUT",
        witi::DEFAULT_WAIT_TIMEOUT.as_secs_f64(),
    )?;
    m.add(
        "DEFAULT_POLL_INTERVAL",
        witi::DEFAULT_POLL_INTERVAL.as_secs_f64(),
    )?;
    m.add(
        "DEFAULT_CONNECT_TIMEOUT",
        witi::DEFAULT_CONNECT_TIMEOUT.as_secs_f64(),
    )?;
    // The table of calls (`calls.rs`), from which `_calls.py` is generated.
    m.add("CALLS", calls::table(m.py())?)?;
    // Which fields the printed forms of results hide (`_models.py` reads it).
    m.add("HIDDEN_FIELDS", hidden_fields(m.py())?)?;
    m.add("REDACTED_FIELD", witi::REDACTED_FIELD)?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::AsyncClient>()?;
    m.add_class::<webhook::WebhookServer>()?;
    m.add_function(wrap_pyfunction!(model::init_types, m)?)?;
    m.add_function(wrap_pyfunction!(model::model_samples, m)?)?;
    m.add_function(wrap_pyfunction!(postback::decode_postback, m)?)?;
    m.add_function(wrap_pyfunction!(postback::event_status, m)?)?;
    m.add_function(wrap_pyfunction!(logging::refresh_log_level, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::shutdown, m)?)?;
    m.add_function(wrap_pyfunction!(error::error_codes, m)?)?;
    logging::install();
    Ok(())
}

/// `witi::HIDDEN_FIELDS` as a dict: the core's type name -> a tuple of field names.
fn hidden_fields(py: Python<'_>) -> PyResult<Bound<'_, pyo3::types::PyDict>> {
    let dict = pyo3::types::PyDict::new(py);
    for (name, fields) in witi::HIDDEN_FIELDS {
        dict.set_item(*name, pyo3::types::PyTuple::new(py, *fields)?)?;
    }
    Ok(dict)
}

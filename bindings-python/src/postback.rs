//! `decode_postback`: a PostBack body (any of the three framings) to a list of `Event`.
//!
//! The events are built without their `status`: a status event's typed `Status` (up to nine
//! Python objects) is made on first access of `Event.status`, by `event_status` (see
//! `witi/_postback.py`). Building every one of them was most of the cost of a decode (half
//! the speed of `json.loads` on a plain body, bench/python), and a handler reads few.

use crate::error::to_pyerr;
use crate::model::{ToPy, types};
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// Bodies above this are decoded with the GIL released (inflating a large BULKGZ batch takes
/// milliseconds; a small one is faster than giving the GIL away and taking it back).
const RELEASE_GIL_ABOVE: usize = 64 * 1024;

#[pyfunction]
#[pyo3(signature = (body, wid=None))]
pub fn decode_postback<'py>(
    py: Python<'py>,
    body: &[u8],
    wid: Option<&str>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let limits = witi::PostbackLimits::default();
    let decode = || witi::postback::decode_postback_texts_for(body, wid, &limits);
    let decoded = if body.len() > RELEASE_GIL_ABOVE {
        py.detach(decode)
    } else {
        decode()
    };
    let events = decoded.map_err(|e| to_pyerr(py, e))?;
    event_objects(py, events)
}

/// The `Event`s of decoded texts, each without a `status` of its own (see the module's doc);
/// the receiver's handler gets the same (`webhook.rs`).
pub(crate) fn event_objects<'py>(
    py: Python<'py>,
    events: Vec<witi::postback::EventText>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let class = &types(py)?.event;
    let status_key = pyo3::intern!(py, "status");
    let dict_key = pyo3::intern!(py, "__dict__");
    events
        .into_iter()
        .map(|event| {
            let values = PyTuple::new(
                py,
                [
                    event.kind.as_str().into_bound_py_any(py)?,
                    event.json.into_bound_py_any(py)?,
                    py.None().into_bound(py),
                    event.wid.into_bound_py_any(py)?,
                    event.id.into_bound_py_any(py)?,
                ],
            )?;
            let instance = class.build(py, values)?;
            // No `status` of its own: `Event.status` (witi/_postback.py) builds it when read.
            instance
                .getattr(dict_key)?
                .cast_into::<PyDict>()?
                .del_item(status_key)?;
            Ok(instance)
        })
        .collect()
}

/// The typed `Status` of an event's JSON text, exactly what a full decode gives it; `None`
/// for any other event.
#[pyfunction]
pub fn event_status<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyAny>> {
    witi::postback::event_status(json).to_py(py)
}

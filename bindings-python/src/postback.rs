//! `decode_postback`: a PostBack body (any of the three framings) to a list of `Event`.

use crate::error::to_pyerr;
use crate::model::ToPy;
use pyo3::prelude::*;

/// Bodies above this are decoded with the GIL released (inflating a large BULKGZ batch takes
/// milliseconds; a small one is faster than giving the GIL away and taking it back).
const RELEASE_GIL_ABOVE: usize = 64 * 1024;

#[pyfunction]
pub fn decode_postback<'py>(py: Python<'py>, body: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let decoded = if body.len() > RELEASE_GIL_ABOVE {
        py.detach(|| witi::decode_postback(body))
    } else {
        witi::decode_postback(body)
    };
    match decoded {
        Ok(events) => events.to_py(py),
        Err(e) => Err(to_pyerr(py, e)),
    }
}

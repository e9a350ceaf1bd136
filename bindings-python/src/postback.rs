//! `decode_postback`: a PostBack body (any of the three framings) to a list of `Event`.

use crate::error::to_pyerr;
use crate::model::ToPy;
use pyo3::prelude::*;

/// Bodies above this are decoded with the GIL released (inflating a large BULKGZ batch takes
/// milliseconds; a small one is faster than giving the GIL away and taking it back).
const RELEASE_GIL_ABOVE: usize = 64 * 1024;

#[pyfunction]
#[pyo3(signature = (body, wid=None))]
pub fn decode_postback<'py>(
    py: Python<'py>,
    body: &[u8],
    wid: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let limits = witi::PostbackLimits::default();
    let decoded = if body.len() > RELEASE_GIL_ABOVE {
        py.detach(|| witi::decode_postback_for(body, wid, &limits))
    } else {
        witi::decode_postback_for(body, wid, &limits)
    };
    match decoded {
        Ok(events) => events.to_py(py),
        Err(e) => Err(to_pyerr(py, e)),
    }
}

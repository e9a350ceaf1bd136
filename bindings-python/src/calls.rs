//! The table of calls (`witi::for_each_call!`) expanded for Python: one native entry point
//! per client, `invoke(name, args)`, and the table itself as data (`_native.CALLS`).
//!
//! Why one entry point and not one pymethod per call: pyo3 allows one `#[pymethods]` block
//! per class (without the `multiple-pymethods` feature and its `inventory` dependency), and
//! the hand-written methods (`connect`, `wait_for_status`, the constructor) share the
//! class. So the macro below expands the table into a `match` on the call's name: each arm
//! reads the arguments by their declared types and calls `witi::calls::<name>`. The typed
//! Python methods (signatures, docstrings, results) are `python/witi/_calls.py`, generated
//! from `CALLS` by `bindings-python/gen_calls.py` and drift-checked by `tests/test_calls.py`.
//! A call added to the core's table whose parameter and result types this file and
//! `model.rs` already convert costs no line here: only the regenerated `_calls.py`.

use crate::model::{Outcome, ToPy};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};
use std::future::Future;

/// How a client drives a core future: the blocking client waits for it on the caller's
/// thread, the asyncio client returns an awaitable.
pub trait Runner {
    fn run<'py, T, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        T: ToPy + Send + 'static,
        F: Future<Output = witi::Result<T>> + Send + 'static;
}

/// The blocking client's way.
pub struct Blocking;

impl Runner for Blocking {
    fn run<'py, T, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        T: ToPy + Send + 'static,
        F: Future<Output = witi::Result<T>> + Send + 'static,
    {
        crate::client::blocking(py, fut)
    }
}

/// The asyncio client's way.
pub struct Async;

impl Runner for Async {
    fn run<'py, T, F>(&self, py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
    where
        T: ToPy + Send + 'static,
        F: Future<Output = witi::Result<T>> + Send + 'static,
    {
        crate::aio::future(py, async move { Ok(Outcome(fut.await)) })
    }
}

/// An argument of one of the table's parameter types, read from the Python value given.
trait FromArg: Sized {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self>;
}

impl FromArg for String {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        value.extract()
    }
}

impl FromArg for bool {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        value.extract()
    }
}

impl FromArg for Vec<String> {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        // pyo3 refuses a `str` here (it is a sequence of strings too): "a,b" is an error,
        // not four participants.
        value.extract()
    }
}

/// `bytes`, `bytearray` or `memoryview` (the buffer protocol itself is not in the abi3 API
/// before Python 3.11).
impl FromArg for Vec<u8> {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(bytes.as_bytes().to_vec());
        }
        if let Ok(array) = value.cast::<PyByteArray>() {
            return Ok(array.to_vec());
        }
        if value.is_instance_of::<pyo3::types::PyMemoryView>() {
            let bytes = value.call_method0(pyo3::intern!(value.py(), "tobytes"))?;
            return Ok(bytes.cast::<PyBytes>()?.as_bytes().to_vec());
        }
        Err(PyTypeError::new_err(format!(
            "expected bytes, bytearray or memoryview, not {}",
            value.get_type().name()?
        )))
    }
}

impl FromArg for witi::calls::Json {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::json::from_py(value)
    }
}

impl<T: FromArg> FromArg for Option<T> {
    fn from_arg(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        if value.is_none() {
            Ok(None)
        } else {
            T::from_arg(value).map(Some)
        }
    }
}

/// Reads argument `index` of `call`; the error (a `TypeError`, or the `ValueError` of a body
/// that is no JSON) names the parameter.
fn arg<T: FromArg>(args: &Bound<'_, PyTuple>, index: usize, call: &str, name: &str) -> PyResult<T> {
    let py = args.py();
    T::from_arg(&args.get_item(index)?).map_err(|e| {
        let text = format!("{call}(): `{name}`: {}", e.value(py));
        // The same class with the parameter named, when the class takes one text; a subclass
        // that does not (a `str` with a lone surrogate, as `os.listdir` gives for a file name
        // that is not UTF-8, raises `UnicodeEncodeError`, whose constructor takes five
        // arguments: re-raising it as such gave "function takes exactly 5 arguments") becomes
        // its plain `ValueError` / `TypeError`, the original kept as `__cause__`.
        let ty = e.get_type(py);
        let plain = if ty.is(py.get_type::<PyTypeError>()) || ty.is(py.get_type::<PyValueError>()) {
            return PyErr::from_type(ty, text);
        } else if e.is_instance_of::<PyValueError>(py) {
            PyValueError::new_err(text)
        } else if e.is_instance_of::<PyTypeError>(py) {
            PyTypeError::new_err(text)
        } else {
            return e;
        };
        plain.set_cause(py, Some(e));
        plain
    })
}

/// The doc comment's lines as one text (rustdoc's leading space dropped).
fn doc(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A type as the table writes it, without the spaces `stringify!` puts between tokens.
fn ty(tokens: &str) -> String {
    tokens.chars().filter(|c| !c.is_whitespace()).collect()
}

macro_rules! python_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:expr)?)* $(,)?)
            -> [$($ret:tt)+] $body:block
    )*) => {
        /// Runs the table's call `name` with `args` (every parameter, in the table's order).
        pub fn invoke<'py, R: Runner>(
            runner: &R,
            py: Python<'py>,
            client: &witi::Client,
            name: &str,
            args: &Bound<'py, PyTuple>,
        ) -> PyResult<Bound<'py, PyAny>> {
            match name {
                $(stringify!($name) => {
                    let names: &[&str] = &[$(stringify!($arg)),*];
                    if args.len() != names.len() {
                        return Err(PyTypeError::new_err(format!(
                            "{}() takes {} arguments ({}), {} given",
                            stringify!($name), names.len(), names.join(", "), args.len()
                        )));
                    }
                    let mut _index = 0usize;
                    $(
                        let $arg: $($ty)+ = arg(args, _index, stringify!($name), stringify!($arg))?;
                        _index += 1;
                    )*
                    runner.run(py, witi::calls::$name(client.clone() $(, $arg)*))
                })*
                other => Err(PyTypeError::new_err(format!("no call named {other:?}"))),
            }
        }

        /// The table as data: `(name, doc, ((param, type, default or None), ...), result)`.
        pub fn table(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
            let entries = [$(
                (
                    stringify!($name),
                    doc(&[$($doc),*]),
                    PyTuple::new(py, {
                        let params: Vec<Bound<'_, PyTuple>> = vec![$(
                        PyTuple::new(py, [
                            PyString::new(py, stringify!($arg)).into_any(),
                            PyString::new(py, &ty(stringify!($($ty)+))).into_any(),
                            Option::<&str>::None
                                $(.or(Some(stringify!($default))))?
                                .into_pyobject(py)?
                                .into_any(),
                        ])?
                    ),*];
                        params
                    })?,
                    ty(stringify!($($ret)+)),
                ),
            )*];
            let rows = entries
                .into_iter()
                .map(|row| row.into_pyobject(py))
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, rows)
        }
    };
}

// The table's type names (`Json`, `Bytes`, the results) must resolve here.
#[allow(unused_imports)]
use witi::calls::{Bytes, Json};

witi::for_each_call!(python_calls);

//! Core results to the Python classes of `witi/_models.py`.
//!
//! The classes are plain Python (frozen dataclasses: attributes, repr, equality, pickling
//! come for free and `mypy` reads them); this file only fills them, in the field order
//! declared there. `init_types` receives them once, at import of `witi`.
//!
//! An instance is made the way `pickle` makes one: `object.__new__(cls)`, then its
//! `__dict__` filled. A frozen dataclass's `__init__` sets each field through
//! `object.__setattr__` from Python code, which made building a `Status` (up to nine
//! objects) the largest cost of `decode_postback`; this is several times cheaper and gives
//! the same object (the classes have no `__post_init__`, and must not get one).

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple};

/// A result class and its field names, in declaration order.
pub struct Class {
    cls: Py<PyAny>,
    names: Vec<Py<PyString>>,
}

static OBJECT_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

impl Class {
    fn load(models: &Bound<'_, PyAny>, name: &str) -> PyResult<Class> {
        let py = models.py();
        let cls = models.getattr(name)?;
        let fields = py.import("dataclasses")?.call_method1("fields", (&cls,))?;
        let names = fields
            .try_iter()?
            .map(|f| {
                let name = f?.getattr("name")?.extract::<String>()?;
                Ok(PyString::intern(py, &name).unbind())
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Class {
            cls: cls.unbind(),
            names,
        })
    }

    /// An instance with `values` as its fields, in declaration order.
    pub fn build<'py>(
        &self,
        py: Python<'py>,
        values: Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if values.len() != self.names.len() {
            return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "witi: {} values for the {} fields of {}",
                values.len(),
                self.names.len(),
                self.cls.bind(py)
            )));
        }
        let new = OBJECT_NEW.get_or_try_init(py, || -> PyResult<_> {
            Ok(py
                .import("builtins")?
                .getattr("object")?
                .getattr("__new__")?
                .unbind())
        })?;
        let instance = new.bind(py).call1((self.cls.bind(py),))?;
        let dict = instance
            .getattr(pyo3::intern!(py, "__dict__"))?
            .cast_into::<PyDict>()?;
        for (name, value) in self.names.iter().zip(values.iter()) {
            dict.set_item(name.bind(py), value)?;
        }
        Ok(instance)
    }
}

/// The Python classes results and errors are made of.
pub struct Types {
    pub status_codes: Py<PyDict>,
    pub status: Class,
    pub connection_info: Class,
    pub phone: Class,
    pub stats: Class,
    pub storage_node: Class,
    pub qr_code: Class,
    pub session_result: Class,
    pub clear_result: Class,
    pub event: Class,
    /// `code` string -> exception class.
    pub errors: Py<PyDict>,
}

static TYPES: PyOnceLock<Types> = PyOnceLock::new();

/// Called once by `witi/__init__.py` with the modules holding the result and error classes.
#[pyfunction]
pub fn init_types(models: &Bound<'_, PyAny>, errors: &Bound<'_, PyAny>) -> PyResult<()> {
    let py = models.py();
    let get = |name: &str| Class::load(models, name);
    let types = Types {
        status_codes: models
            .getattr("_STATUS_CODES")?
            .cast_into::<PyDict>()?
            .unbind(),
        status: get("Status")?,
        connection_info: get("ConnectionInfo")?,
        phone: get("Phone")?,
        stats: get("Stats")?,
        storage_node: get("StorageNode")?,
        qr_code: get("QrCode")?,
        session_result: get("SessionResult")?,
        clear_result: get("ClearResult")?,
        event: get("Event")?,
        errors: errors.getattr("_BY_CODE")?.cast_into::<PyDict>()?.unbind(),
    };
    // A second import (importlib.reload) keeps the first classes: results stay comparable.
    let _ = TYPES.set(py, types);
    Ok(())
}

pub fn types(py: Python<'_>) -> PyResult<&Types> {
    TYPES.get(py).ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("witi._native is used without `import witi`")
    })
}

/// Builds a tuple of mixed values (pyo3's tuple conversions stop at 12 elements).
macro_rules! args {
    ($py:expr; $($value:expr),* $(,)?) => {
        PyTuple::new($py, [$($value.into_bound_py_any($py)?),*])?
    };
}

/// A core result that becomes a Python object.
pub trait ToPy {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>>;
}

impl<T: ToPy> ToPy for Option<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Some(v) => v.to_py(py),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

impl<T: ToPy> ToPy for Vec<T> {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = self
            .iter()
            .map(|v| v.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(pyo3::types::PyList::new(py, items)?.into_any())
    }
}

/// An unknown code stays a plain `int`; a known one is its `StatusCode` member.
pub fn status_code<'py>(py: Python<'py>, code: witi::StatusCode) -> PyResult<Bound<'py, PyAny>> {
    let number = code.code();
    match types(py)?.status_codes.bind(py).get_item(number)? {
        Some(member) => Ok(member),
        None => number.into_bound_py_any(py),
    }
}

impl ToPy for witi::Status {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            status_code(py, self.code)?,
            &self.status_string,
            self.connected,
            self.connection_info.to_py(py)?,
            &self.web_id,
            &self.webhook,
            &self.user_agent,
            self.can_restore_connection,
            self.stats.to_py(py)?,
            self.storage.to_py(py)?,
            &self.raw_json,
        ];
        types(py)?.status.build(py, args)
    }
}

impl ToPy for witi::ConnectionInfo {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            &self.lg,
            &self.lc,
            self.phone.to_py(py)?,
            self.battery,
            self.plugged,
            &self.platform,
            &self.wid,
            &self.pushname,
            self.tos,
            PyTuple::new(py, &self.proto_version)?,
            self.connected,
            self.is_response,
            self.bin_version,
            PyTuple::new(py, &self.locales)?,
        ];
        types(py)?.connection_info.build(py, args)
    }
}

impl ToPy for witi::Phone {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py;
            &self.device_model,
            &self.wa_version,
            &self.mcc,
            &self.mnc,
            &self.os_version,
            &self.os_build_number,
            &self.device_manufacturer,
        ];
        types(py)?.phone.build(py, args)
    }
}

impl ToPy for witi::Stats {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; self.contacts, self.chats, self.sent_bytes, self.received_bytes];
        types(py)?.stats.build(py, args)
    }
}

impl ToPy for witi::StorageNode {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let subs = self
            .subs
            .iter()
            .map(|s| s.to_py(py))
            .collect::<PyResult<Vec<_>>>()?;
        let args = args![py; &self.name, self.bytes, self.files, PyTuple::new(py, subs)?];
        types(py)?.storage_node.build(py, args)
    }
}

impl ToPy for witi::QrCode {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; &self.svg, &self.data_url, self.ttl_seconds];
        types(py)?.qr_code.build(py, args)
    }
}

impl ToPy for witi::SessionResult {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; self.success, self.status.to_py(py)?, &self.raw_json];
        types(py)?.session_result.build(py, args)
    }
}

impl ToPy for witi::ClearResult {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; self.success, &self.message];
        types(py)?.clear_result.build(py, args)
    }
}

impl ToPy for witi::Event {
    fn to_py<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let args = args![py; self.kind.as_str(), &self.json, self.status.to_py(py)?, self.wid.as_deref(), &self.id];
        types(py)?.event.build(py, args)
    }
}

/// A core outcome crossing back from the runtime to the event loop: it becomes the Python
/// result or raises the Python exception once it has the GIL (in the asyncio bridge's
/// hand-off, `aio.rs`), so no worker thread ever waits for the GIL to build an error.
pub struct Outcome<T>(pub witi::Result<T>);

impl<'py, T: ToPy> IntoPyObject<'py> for Outcome<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(value) => value.to_py(py),
            Err(e) => Err(crate::error::to_pyerr(py, e)),
        }
    }
}

// After `args!`, which it uses.
mod messages;
pub use messages::model_samples;

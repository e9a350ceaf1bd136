//! Every API call of core's table (`witi::for_each_call!`) as a native `Client` method, plus
//! the table itself and core's hidden fields as data for `index.js`.
//!
//! Why: a call is declared once, in core. The macro below expands the table into one native
//! method per call, positional as in the table (its parameter types are mapped by
//! [`NativeArg`], its result by [`ToJs`]), so a call whose types this file already maps
//! needs no line here. `calls.js` installs the public method of each call from `callTable()`
//! (the `{ signal }` option, options objects, JSON bodies) and `calls-dts.js` writes its
//! TypeScript declaration (`calls.d.ts`) from the same table, so those need no line either.
//!
//! Results cross as one JSON text (camelCase, absent fields left out) that `calls.js` hands
//! to `JSON.parse`: one conversion for every result type, `call`'s arbitrary JSON included,
//! and V8 builds objects from JSON faster than napi sets their properties (see postback.rs).

use crate::client::Client;
use crate::error;
use crate::model;
use crate::runtime::{CancelToken, promise};
use napi::bindgen_prelude::{Env, External, Object, Uint8Array};
use napi_derive::napi;
use serde::Serialize;
use serde_json::json;
// The table's own type names, so that its bracketed types name core types here.
use witi::calls::{Bytes, Json};

/// A table parameter type as the native method receives it from `calls.js`.
pub trait NativeArg: Sized {
    /// What napi converts the JS argument into.
    type Native;
    /// The core value; `default` is the table's (`= …`), for an argument JS left out.
    fn from_native(native: Self::Native, default: Option<Self>, name: &str) -> napi::Result<Self>;
}

/// Types napi converts as they are.
macro_rules! same_native {
    ($($ty:ty),*) => {$(
        impl NativeArg for $ty {
            type Native = $ty;
            fn from_native(native: $ty, _: Option<Self>, _: &str) -> napi::Result<Self> {
                Ok(native)
            }
        }
    )*};
}
same_native!(String, Option<String>, Vec<String>, Option<bool>);

impl NativeArg for bool {
    // Optional in JS when the table gives a default (`changes_state = true`).
    type Native = Option<bool>;
    fn from_native(native: Option<bool>, default: Option<bool>, name: &str) -> napi::Result<bool> {
        native
            .or(default)
            .ok_or_else(|| error::invalid(format!("{name} is required")))
    }
}

impl NativeArg for Option<Bytes> {
    // A Buffer is a Uint8Array.
    type Native = Option<Uint8Array>;
    fn from_native(native: Option<Uint8Array>, _: Option<Self>, _: &str) -> napi::Result<Self> {
        Ok(native.map(|bytes| bytes.to_vec()))
    }
}

impl NativeArg for Option<Json> {
    // `calls.js` sends the text of `JSON.stringify` (its rules: `toJSON`, no `undefined`), not
    // napi's own walk of the object.
    type Native = Option<String>;
    fn from_native(native: Option<String>, _: Option<Self>, name: &str) -> napi::Result<Self> {
        native
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|e| error::invalid(format!("{name} is not JSON: {e}")))
    }
}

/// A table result type as it crosses into JS: a `Serialize` value (`model.rs` types).
pub trait ToJs {
    type Js: Serialize;
    fn to_js(self) -> Self::Js;
}

/// Core result types and their JS mirrors (`model.rs`): one line per result type.
macro_rules! via_from {
    ($($core:ty => $js:ty),* $(,)?) => {$(
        impl ToJs for $core {
            type Js = $js;
            fn to_js(self) -> $js {
                self.into()
            }
        }
    )*};
}
via_from!(
    witi::Status => model::Status,
    witi::QrCode => model::QrCode,
    witi::SessionResult => model::SessionResult,
    witi::ClearResult => model::ClearResult,
    witi::Chat => model::Chat,
    witi::Contact => model::Contact,
    witi::Group => model::Group,
    witi::SentMessage => model::SentMessage,
);

impl ToJs for bool {
    type Js = bool;
    fn to_js(self) -> bool {
        self
    }
}

impl ToJs for Json {
    type Js = Json;
    fn to_js(self) -> Json {
        self
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    type Js = Vec<T::Js>;
    fn to_js(self) -> Self::Js {
        self.into_iter().map(ToJs::to_js).collect()
    }
}

impl<T: ToJs> ToJs for Option<T> {
    type Js = Option<T::Js>;
    fn to_js(self) -> Self::Js {
        self.map(ToJs::to_js)
    }
}

/// A result's JSON text.
fn json_text<T: ToJs>(value: T) -> String {
    // Model structs and `serde_json::Value` (string keys) always serialize.
    serde_json::to_string(&value.to_js()).expect("plain data serializes to JSON")
}

/// The table as native methods. Internal (`skip_typescript`): the public methods are
/// `calls.js`'s, declared in `calls.d.ts`.
macro_rules! native_methods {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:expr)?)* $(,)?)
            -> [$($ret:tt)+] $body:block
    )*) => {
        #[napi]
        impl Client {
            $(
                $(#[doc = $doc])*
                #[napi(catch_unwind, skip_typescript)]
                #[allow(clippy::too_many_arguments)]
                pub fn $name<'env>(
                    &self,
                    env: &'env Env,
                    $($arg: <$($ty)+ as NativeArg>::Native,)*
                    cancel: Option<&External<CancelToken>>,
                ) -> napi::Result<Object<'env>> {
                    $(
                        let $arg = <$($ty)+ as NativeArg>::from_native(
                            $arg,
                            None $(.or(Some($default)))?,
                            stringify!($arg),
                        )?;
                    )*
                    let client = self.inner.clone();
                    let work = async move {
                        witi::calls::$name(client $(, $arg)*).await.map(json_text)
                    };
                    promise(env, cancel, work, |text: String| text)
                }
            )*
        }

        /// The table for `calls.js` and `calls-dts.js`, as JSON: per call its name, its core
        /// documentation, its parameters (name, table type, default) and its result type.
        #[napi(catch_unwind, skip_typescript)]
        pub fn call_table() -> String {
            json!([$({
                "name": stringify!($name),
                "doc": [$($doc),*],
                "params": [$({
                    "name": stringify!($arg),
                    "type": stringify!($($ty)+),
                    "default": None::<&str> $(.or(Some(stringify!($default))))?,
                }),*],
                "result": stringify!($($ret)+),
            }),*])
            .to_string()
        }
    };
}

witi::for_each_call!(native_methods);

/// Core's `HIDDEN_FIELDS` as JSON (`{ "Status": ["web_id", ...], ... }`), for the
/// `util.inspect` hooks of `index.js`.
#[napi(catch_unwind, skip_typescript)]
pub fn hidden_fields() -> String {
    let table: serde_json::Map<String, serde_json::Value> = witi::HIDDEN_FIELDS
        .iter()
        .map(|(name, fields)| ((*name).to_owned(), json!(fields)))
        .collect();
    serde_json::Value::Object(table).to_string()
}

//! Every call of the core's table (`witi::for_each_call!`) as a `Client` method: a `suspend
//! fun` in Kotlin, an `async throws` func in Swift, with the table's documentation, parameter
//! names (camelCase) and defaults (an `Option` parameter defaults to null / nil).
//!
//! Why a macro: a call used to be a hand-written method here and a line in the Kotlin runner.
//! Now [`export_calls!`] expands the table; each call becomes its own
//! `#[uniffi::export] impl Client` block (uniffi merges the blocks), whose body hands owned
//! arguments to `witi::calls::<name>` on the core's runtime and converts the result. A new
//! call whose parameter and result types are mapped below costs no line in this crate: the
//! generated Kotlin and Swift follow from the library's metadata.
//!
//! The table's type vocabulary resolves here: `String`, `bool`, `Vec<String>`, `Bytes`
//! (`ByteArray` / `Data`), `Json` ([`Json`], JSON text), `Option<…>` of those; results are
//! this crate's records of the same names ([`FromCore`]). Arguments and results are converted
//! inside the task on the core's runtime, not on the caller's thread: parsing and writing
//! JSON recurse (up to the core's limits), and that thread's stack is the host's.

use crate::client::Client;
use crate::error::WitiException;
use crate::json::Json;
use crate::messages::{Chat, Contact, Group, SentMessage};
use crate::model::{ClearResult, QrCode, SessionResult, Status};
use crate::runtime::on_core;

/// The table's `Bytes`: a file's bytes.
type Bytes = Vec<u8>;

/// A core value copied into this crate's type for it.
pub(crate) trait FromCore<C> {
    fn from_core(value: C) -> Self;
}

/// Types that are the same on both sides.
macro_rules! same_type {
    ($($t:ty),*) => {$(
        impl FromCore<$t> for $t {
            fn from_core(value: $t) -> Self {
                value
            }
        }
    )*};
}
same_type!(String, i64, bool);

/// The records of `model.rs`, converted with their `From`.
macro_rules! record_from_core {
    ($($t:ident),*) => {$(
        impl FromCore<witi::$t> for $t {
            fn from_core(value: witi::$t) -> Self {
                value.into()
            }
        }
    )*};
}
record_from_core!(Status, QrCode, SessionResult, ClearResult);

impl<C, H: FromCore<C>> FromCore<Option<C>> for Option<H> {
    fn from_core(value: Option<C>) -> Self {
        value.map(H::from_core)
    }
}

impl<C, H: FromCore<C>> FromCore<Vec<C>> for Vec<H> {
    fn from_core(value: Vec<C>) -> Self {
        value.into_iter().map(H::from_core).collect()
    }
}

impl FromCore<serde_json::Value> for Json {
    fn from_core(value: serde_json::Value) -> Self {
        value.into()
    }
}

/// A host argument turned into the core's type for it (fails only for a JSON body that is not
/// JSON or nests deeper than the core allows).
pub(crate) trait IntoCore<C> {
    fn into_core(self) -> Result<C, WitiException>;
}

macro_rules! same_arg {
    ($($t:ty),*) => {$(
        impl IntoCore<$t> for $t {
            fn into_core(self) -> Result<$t, WitiException> {
                Ok(self)
            }
        }
    )*};
}
same_arg!(String, bool, Vec<String>, Vec<u8>);

impl IntoCore<serde_json::Value> for Json {
    fn into_core(self) -> Result<serde_json::Value, WitiException> {
        self.try_into()
    }
}

impl<C, H: IntoCore<C>> IntoCore<Option<C>> for Option<H> {
    fn into_core(self) -> Result<Option<C>, WitiException> {
        self.map(H::into_core).transpose()
    }
}

/// Expands the table: one [`export_call!`] per entry, and [`call_table`]'s data.
macro_rules! export_calls {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:tt)?)* $(,)?)
            -> [$($ret:tt)+] $body:block
    )*) => {
        $(
            export_call! {
                @munch [$(#[doc = $doc])*] $name []
                [$($arg [$($ty)+] [$($default)?])*]
                [$($arg: [$($ty)+]),*] [$($ret)+]
            }
        )*

        /// The table, as [`call_table`] answers it.
        fn table() -> Vec<CallSignature> {
            vec![$(CallSignature {
                name: stringify!($name).to_owned(),
                params: vec![$(CallParam {
                    name: stringify!($arg).to_owned(),
                    default_value: None$(.or(Some(stringify!($default).to_owned())))?,
                }),*],
            }),*]
        }
    };
}

/// One call: walks its parameters to collect uniffi's `default(…)` list (the table's `= x`,
/// else `None` for an `Option`), then writes the exported method.
macro_rules! export_call {
    // A default given by the table.
    (@munch $docs:tt $name:ident [$($defs:tt)*]
        [$arg:ident [$($ty:tt)+] [$default:tt] $($rest:tt)*] $sig:tt $ret:tt) => {
        export_call! { @munch $docs $name [$($defs)* $arg = $default,] [$($rest)*] $sig $ret }
    };
    // An `Option` without one: null / nil.
    (@munch $docs:tt $name:ident [$($defs:tt)*]
        [$arg:ident [Option<$inner:ty>] [] $($rest:tt)*] $sig:tt $ret:tt) => {
        export_call! { @munch $docs $name [$($defs)* $arg = None,] [$($rest)*] $sig $ret }
    };
    // A required parameter.
    (@munch $docs:tt $name:ident [$($defs:tt)*]
        [$arg:ident [$($ty:tt)+] [] $($rest:tt)*] $sig:tt $ret:tt) => {
        export_call! { @munch $docs $name [$($defs)*] [$($rest)*] $sig $ret }
    };
    (@munch $docs:tt $name:ident [$($defs:tt)+] [] $sig:tt $ret:tt) => {
        export_call! { @emit $docs $name [#[uniffi::method(default($($defs)+))]] $sig $ret }
    };
    (@munch $docs:tt $name:ident [] [] $sig:tt $ret:tt) => {
        export_call! { @emit $docs $name [] $sig $ret }
    };
    (@emit [$($docs:tt)*] $name:ident [$($attr:tt)*]
        [$($arg:ident: [$($ty:tt)+]),*] [$($ret:tt)+]) => {
        export_async! {
        impl Client {
            $($docs)*
            $($attr)*
            #[allow(clippy::too_many_arguments)]
            pub async fn $name(&self $(, $arg: $($ty)+)*) -> Result<$($ret)+, WitiException> {
                let client = self.inner.clone();
                on_core(async move {
                    $(let $arg = IntoCore::into_core($arg)?;)*
                    let result = witi::calls::$name(client $(, $arg)*).await;
                    result.map(FromCore::from_core).map_err(Into::into)
                })
                .await
            }
        }
        }
    };
}

witi::for_each_call!(export_calls);

/// One parameter of a call of the table.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CallParam {
    /// snake_case, as in the core (`changes_state` is `changesState` here).
    pub name: String,
    /// The default as the core's table writes it (`"true"`); null when there is none (an
    /// optional parameter then defaults to null).
    pub default_value: Option<String>,
}

/// One call of the table.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct CallSignature {
    /// snake_case, as in the core (`send_message` is `sendMessage` here).
    pub name: String,
    pub params: Vec<CallParam>,
}

/// Every call `Client` has from the core's table, in the table's order, with its
/// parameters: for tools and tests that drive the client generically.
#[uniffi::export]
pub fn call_table() -> Vec<CallSignature> {
    table()
}

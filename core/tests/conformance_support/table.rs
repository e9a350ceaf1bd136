//! The Rust runner's dispatch of the table's calls (`witi::for_each_call!`): a scenario's
//! `{"call": NAME, "args": {...}}` becomes `witi::calls::NAME(client, args…)` with each
//! argument read from the JSON by its declared type, so a call added to the table needs no
//! line here. A `Bytes` parameter `x` is read from `x_base64`.

use base64::Engine;
use serde_json::Value;
use witi::Client;

fn text(args: &Value, name: &str) -> String {
    args.get(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("the scenario gives `{name}`"))
        .to_owned()
}

fn opt_text(args: &Value, name: &str) -> Option<String> {
    args.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn texts(args: &Value, name: &str) -> Vec<String> {
    args.get(name)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().expect("a list of strings").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn opt_bytes(args: &Value, name: &str) -> Option<Vec<u8>> {
    args.get(format!("{name}_base64"))
        .and_then(Value::as_str)
        .map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("the scenario's base64 is valid")
        })
}

macro_rules! arg {
    ($args:ident, $name:ident, [String]) => {
        text($args, stringify!($name))
    };
    ($args:ident, $name:ident, [Option<String>]) => {
        opt_text($args, stringify!($name))
    };
    ($args:ident, $name:ident, [Vec<String>]) => {
        texts($args, stringify!($name))
    };
    ($args:ident, $name:ident, [Option<Bytes>]) => {
        opt_bytes($args, stringify!($name))
    };
    ($args:ident, $name:ident, [Option<Json>]) => {
        $args.get(stringify!($name)).cloned()
    };
    ($args:ident, $name:ident, [Option<bool>]) => {
        $args.get(stringify!($name)).and_then(Value::as_bool)
    };
    ($args:ident, $name:ident, [bool], $default:expr) => {
        $args
            .get(stringify!($name))
            .and_then(Value::as_bool)
            .unwrap_or($default)
    };
}

macro_rules! dispatch {
    ($(
        $(#[doc = $doc:literal])*
        fn $name:ident($client:ident $(, $arg:ident : [$($ty:tt)+] $(= $default:expr)?)* $(,)?)
            -> [$($ret:tt)+] $body:block
    )*) => {
        /// The table call `name` with `args`, as JSON; `None` when `name` is not in the table.
        pub async fn call(client: Client, name: &str, args: &Value) -> Option<witi::Result<Value>> {
            match name {
                $(stringify!($name) => Some(
                    witi::calls::$name(client $(, arg!(args, $arg, [$($ty)+] $(, $default)?))*)
                        .await
                        .map(|v| serde_json::to_value(v).expect("results serialize")),
                ),)*
                _ => None,
            }
        }
    };
}

witi::for_each_call!(dispatch);

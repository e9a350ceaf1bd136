//! `JsonValue`: any JSON, for `call`'s body and answer.
//!
//! Why a recursive enum and not a JSON string: the issue asks for the answer "parsed in the
//! language", and the JVM has no JSON type of its own (Jackson, Gson, kotlinx.serialization
//! and Android's org.json all compete), so a string would leave every user to pick and wire a
//! parser. uniffi 0.32 carries recursive enums (a Kotlin sealed class, a Swift `indirect
//! enum`), so the value crosses already parsed, with no dependency on either side; `Witi.kt`
//! adds `toKotlin()` (plain `Map`/`List`/`String`/`Long`/`Double`/`Boolean`/null),
//! `jsonValueOf(...)` and indexing. Variant names avoid the Kotlin types the generated sealed
//! class names unqualified inside itself (`String` in `toString()`, `List`): `Text`, `Array`.
//!
//! Objects cross as maps; the core's JSON keeps keys sorted and uniffi's maps are hash maps,
//! so key order is not kept (JSON objects are unordered).

use crate::error::WitiException;
use std::collections::HashMap;
use std::fmt;

/// Any JSON value. Integers that fit a signed 64-bit number are `Integer`, every other number
/// `Decimal`. `toString()` / `description` is the JSON text (compact).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
#[uniffi::export(Display)]
pub enum JsonValue {
    Null,
    Bool { value: bool },
    Integer { value: i64 },
    Decimal { value: f64 },
    Text { value: String },
    Array { items: Vec<JsonValue> },
    Object { fields: HashMap<String, JsonValue> },
}

/// The JSON text; a `Decimal` JSON cannot write (NaN, an infinity) shows as Kotlin would.
impl fmt::Display for JsonValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonValue::Decimal { value } if !value.is_finite() => write!(f, "{value}"),
            JsonValue::Array { items } => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    f.write_str(if i > 0 { "," } else { "" })?;
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            JsonValue::Object { fields } => {
                let mut keys: Vec<&String> = fields.keys().collect();
                keys.sort();
                f.write_str("{")?;
                for (i, key) in keys.into_iter().enumerate() {
                    let key_text = serde_json::Value::from(key.as_str());
                    write!(
                        f,
                        "{}{key_text}:{}",
                        if i > 0 { "," } else { "" },
                        fields[key]
                    )?;
                }
                f.write_str("}")
            }
            scalar => match serde_json::Value::try_from(scalar.clone()) {
                Ok(value) => write!(f, "{value}"),
                Err(_) => f.write_str("null"),
            },
        }
    }
}

impl From<serde_json::Value> for JsonValue {
    fn from(value: serde_json::Value) -> Self {
        use serde_json::Value as V;
        match value {
            V::Null => JsonValue::Null,
            V::Bool(value) => JsonValue::Bool { value },
            V::Number(n) => match n.as_i64() {
                Some(value) => JsonValue::Integer { value },
                // A u64 past i64::MAX, or a fraction: serde_json always has an f64 for it.
                None => JsonValue::Decimal {
                    value: n.as_f64().unwrap_or(f64::NAN),
                },
            },
            V::String(value) => JsonValue::Text { value },
            V::Array(items) => JsonValue::Array {
                items: items.into_iter().map(Into::into).collect(),
            },
            V::Object(map) => JsonValue::Object {
                fields: map.into_iter().map(|(k, v)| (k, v.into())).collect(),
            },
        }
    }
}

impl TryFrom<JsonValue> for serde_json::Value {
    type Error = WitiException;

    /// Fails only for a `Decimal` that JSON cannot write (NaN, an infinity).
    fn try_from(value: JsonValue) -> Result<Self, WitiException> {
        use serde_json::Value as V;
        Ok(match value {
            JsonValue::Null => V::Null,
            JsonValue::Bool { value } => V::Bool(value),
            JsonValue::Integer { value } => V::from(value),
            JsonValue::Decimal { value } => {
                V::Number(serde_json::Number::from_f64(value).ok_or_else(|| {
                    WitiException::InvalidArgument {
                        code: witi::ErrorCode::InvalidArgument.as_str().to_owned(),
                        detail: format!("JSON has no number {value}"),
                    }
                })?)
            }
            JsonValue::Text { value } => V::String(value),
            JsonValue::Array { items } => V::Array(
                items
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<Result<_, _>>()?,
            ),
            JsonValue::Object { fields } => V::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| Ok((k, v.try_into()?)))
                    .collect::<Result<_, WitiException>>()?,
            ),
        })
    }
}

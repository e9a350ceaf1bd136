//! `Json`: any JSON, for `call`'s body and answer, crossing the FFI as its text.
//!
//! Why text and not a recursive uniffi enum (what this was): uniffi lifts and lowers a
//! recursive enum recursively, on a thread whose stack we do not control (the argument is
//! lifted synchronously in the scaffolding, on the caller's Java thread, before the future
//! starts; `toString()` crossed too). A body nested some 70 levels deep overflowed that stack in
//! a dev build, and a native stack overflow on a JVM thread is a SIGSEGV that kills the host
//! process; the core's depth limit ([`witi::MAX_BODY_DEPTH`]) came only after the lift. As a
//! `String`, the value crosses flat; here the text's depth is counted without recursion before
//! serde_json parses it, and parsing and writing run on the core's runtime (`calls.rs`), so
//! nothing recursive ever runs deeper than 128 levels (serde_json's own limit for answers) or on
//! a foreign thread.
//!
//! What users see: Kotlin keeps `JsonValue`, a sealed class written in `Witi.kt` (uniffi.toml
//! maps `Json` to it) whose parser and printer are iterative; Swift sees `Json`, a typealias
//! of `String` holding the JSON text (Foundation's `JSONSerialization` / `Codable` read it).

use crate::error::WitiException;
use serde_json::Value;

/// JSON text: `call`'s body (any JSON value, compact or not) and answer (compact).
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub String);

uniffi::custom_type!(Json, String, {
    lower: |json| json.0,
    try_lift: |text| Ok(Json(text)),
});

fn invalid(detail: String) -> WitiException {
    WitiException::InvalidArgument {
        code: witi::ErrorCode::InvalidArgument.as_str().to_owned(),
        detail,
    }
}

/// The deepest nesting of arrays and objects in `text`, counted without parsing (brackets
/// inside strings do not count), stopping as soon as it passes `limit`.
fn depth_exceeds(text: &str, limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

impl TryFrom<Json> for Value {
    type Error = WitiException;

    /// A body: deeper than [`witi::MAX_BODY_DEPTH`] (the core's words) or not JSON is
    /// `InvalidArgument`, found before anything recursive runs.
    fn try_from(json: Json) -> Result<Value, WitiException> {
        if depth_exceeds(&json.0, witi::MAX_BODY_DEPTH) {
            return Err(invalid(format!(
                "the body is nested deeper than {} levels",
                witi::MAX_BODY_DEPTH
            )));
        }
        serde_json::from_str(&json.0).map_err(|e| invalid(format!("the body is not JSON: {e}")))
    }
}

impl From<Value> for Json {
    /// An answer: the core's parser read it, so it nests at most 128 levels.
    fn from(value: Value) -> Self {
        Json(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        "[".repeat(depth) + &"]".repeat(depth)
    }

    #[test]
    fn depth_is_counted_outside_strings() {
        assert!(!depth_exceeds(&nested(100), 100));
        assert!(depth_exceeds(&nested(101), 100));
        assert!(!depth_exceeds(r#"{"a":"[[[[\"[[[["}"#, 1));
        assert!(depth_exceeds(r#"{"a":"\\",  "b":[1]}"#, 1));
    }

    #[test]
    fn a_deep_body_is_invalid_without_recursion() {
        let deep = Json(nested(1_000_000));
        match Value::try_from(deep) {
            Err(WitiException::InvalidArgument { detail, .. }) => {
                assert!(detail.contains("deeper than 100"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            Value::try_from(Json(r#"{"a": [1, 2.5]}"#.into())).unwrap(),
            serde_json::json!({"a": [1, 2.5]})
        );
        assert!(Value::try_from(Json("[1".into())).is_err());
    }
}

//! A projection reader: reads JSON and keeps only the fields a known shape names, skipping
//! everything else without building it.
//!
//! Why: a PostBack event is classified as connection information (or not) on every delivery,
//! and a `serde_json::Value` tree of a hostile event costs 20–50× its text (an array of 32
//! million zeros is 1 GiB of `Value`s). Here a skipped value costs nothing (serde's
//! `IgnoredAny` validates it as it goes), and what is kept is bounded by the shape: one value
//! per named key (the last one wins, as in a JSON object read into a map), arrays only where
//! the shape has one, at most [`MAX_ITEMS`] array items in all and at most [`MAX_ARRAY_DEPTH`]
//! arrays deep. The text is still validated in full, in the same pass.
//!
//! Why not `#[derive(Deserialize)]`: derived readers fail on a duplicate key and on a field of
//! an unexpected type; the API's fields change type (README "Tolerance"), so here a value of
//! the wrong kind is kept as what it is and the caller's lenient accessors decide.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

/// How many array items one read keeps in all (a real `storage` tree has tens of nodes, a
/// `protoVersion` three numbers); items past it are validated and skipped.
pub(crate) const MAX_ITEMS: usize = 10_000;

/// How many arrays deep values are kept: a `storage` tree is cut at this depth.
pub(crate) const MAX_ARRAY_DEPTH: usize = 32;

/// What to keep of a JSON value.
pub(crate) enum Shape {
    /// A string, number, boolean or null; an object or array here is skipped.
    Scalar,
    /// An object's named fields, each with its own shape; other keys are skipped.
    Object(&'static [(&'static str, Shape)]),
    /// An array of items of one shape.
    Array(&'static Shape),
    /// Any value, validated and skipped at the parser's own pace (serde's `IgnoredAny`), kept
    /// as [`Node::Other`]: for a key whose presence is all that matters.
    Present,
}

/// A scalar as it came.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    Null,
}

/// What was kept of a value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Scalar(Scalar<'a>),
    /// The named keys that were present, in the shape's terms (last occurrence wins).
    Object(Vec<(&'static str, Node<'a>)>),
    Array(Vec<Node<'a>>),
    /// Present, but of a kind the shape does not keep (or past a bound).
    Other,
}

impl<'a> Node<'a> {
    /// The value of `key` when this is an object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, Node::Object(_))
    }
}

/// Reads `deserializer`'s value, keeping what `shape` names.
pub(crate) fn read<'de, D: de::Deserializer<'de>>(
    shape: &'static Shape,
    deserializer: D,
) -> Result<Node<'de>, D::Error> {
    let items = Cell::new(0);
    Seed {
        shape,
        depth: 0,
        items: &items,
    }
    .deserialize(deserializer)
}

/// Reads a whole JSON text (trailing characters other than whitespace are an error).
pub(crate) fn read_str<'a>(
    shape: &'static Shape,
    text: &'a str,
) -> Result<Node<'a>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let node = read(shape, &mut de)?;
    de.end()?;
    Ok(node)
}

struct Seed<'s> {
    shape: &'static Shape,
    /// Arrays entered so far on this path.
    depth: usize,
    /// Array items kept so far in this read.
    items: &'s Cell<usize>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Node<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        if let Shape::Present = self.shape {
            IgnoredAny::deserialize(d)?;
            return Ok(Node::Other);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::UInt(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Float(v)))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Str(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Str(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Str(Cow::Owned(v))))
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Null))
    }
    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Scalar(Scalar::Null))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let Shape::Object(fields) = self.shape else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Node::Other);
        };
        let mut kept: Vec<(&'static str, Node<'de>)> = Vec::with_capacity(fields.len());
        while let Some(index) = map.next_key_seed(KeySeed(fields))? {
            let Some(index) = index else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let (name, shape) = &fields[index];
            let value = map.next_value_seed(Seed {
                shape,
                depth: self.depth,
                items: self.items,
            })?;
            match kept.iter_mut().find(|(k, _)| k == name) {
                Some(slot) => slot.1 = value,
                None => kept.push((name, value)),
            }
        }
        Ok(Node::Object(kept))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let item_shape = match self.shape {
            Shape::Array(item) if self.depth < MAX_ARRAY_DEPTH => item,
            _ => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(Node::Other);
            }
        };
        let mut items = Vec::new();
        loop {
            if self.items.get() >= MAX_ITEMS {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                break;
            }
            let seed = Seed {
                shape: item_shape,
                depth: self.depth + 1,
                items: self.items,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => {
                    self.items.set(self.items.get() + 1);
                    items.push(item);
                }
                None => break,
            }
        }
        Ok(Node::Array(items))
    }
}

/// Reads an object key as its index among the shape's names (`None`: not named), without
/// keeping the key's text.
struct KeySeed(&'static [(&'static str, Shape)]);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|(name, _)| *name == v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static INNER: Shape = Shape::Object(&[("a", Shape::Scalar)]);
    static TOP: Shape = Shape::Object(&[
        ("s", Shape::Scalar),
        ("o", Shape::Object(&[("a", Shape::Scalar)])),
        ("l", Shape::Array(&INNER)),
    ]);

    #[test]
    fn keeps_only_named_fields_last_wins() {
        let node = read_str(
            &TOP,
            r#"{"s":1,"x":[1,2,{"s":3}],"s":"two","o":{"a":true,"b":1}}"#,
        )
        .expect("valid");
        assert_eq!(
            node.get("s"),
            Some(&Node::Scalar(Scalar::Str("two".into())))
        );
        assert_eq!(node.get("x"), None);
        let o = node.get("o").expect("kept");
        assert_eq!(o.get("a"), Some(&Node::Scalar(Scalar::Bool(true))));
        assert_eq!(o.get("b"), None);
    }

    #[test]
    fn wrong_kinds_are_other_not_errors() {
        let node = read_str(&TOP, r#"{"s":{"deep":[1]},"o":3,"l":{}}"#).expect("valid");
        assert_eq!(node.get("s"), Some(&Node::Other));
        assert_eq!(node.get("o"), Some(&Node::Scalar(Scalar::UInt(3))));
        assert_eq!(node.get("l"), Some(&Node::Other));
    }

    #[test]
    fn invalid_json_anywhere_is_an_error() {
        assert!(read_str(&TOP, r#"{"x":[1,}"#).is_err());
        assert!(read_str(&TOP, r#"{"s":1} x"#).is_err());
        assert!(read_str(&TOP, r#"{"s":1"#).expect_err("eof").is_eof());
    }

    #[test]
    fn present_keeps_that_a_value_is_there_and_still_validates_it() {
        static SEEN: Shape = Shape::Object(&[("p", Shape::Present), ("s", Shape::Scalar)]);
        for value in ["null", "1", r#""x""#, r#"{"a":[1,{"b":"\u00e9"}]}"#, "[]"] {
            let text = format!(r#"{{"p":{value},"s":2}}"#);
            let node = read_str(&SEEN, &text).expect("valid");
            assert_eq!(node.get("p"), Some(&Node::Other), "{value}");
            assert_eq!(node.get("s"), Some(&Node::Scalar(Scalar::UInt(2))));
        }
        assert!(
            read_str(&SEEN, r#"{"s":2}"#)
                .expect("valid")
                .get("p")
                .is_none()
        );
        for bad in [r#"{"p":{"a":[1,]}}"#, r#"{"p":"\q"}"#, r#"{"p":tru}"#] {
            assert!(read_str(&SEEN, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn arrays_are_bounded() {
        let many = format!(r#"{{"l":[{}]}}"#, vec!["{}"; MAX_ITEMS + 5].join(","));
        let node = read_str(&TOP, &many).expect("valid");
        match node.get("l") {
            Some(Node::Array(items)) => assert_eq!(items.len(), MAX_ITEMS),
            other => panic!("{other:?}"),
        }
    }
}

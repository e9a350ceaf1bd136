//! Walks a JSON array one item at a time, handing out each item's exact text.
//!
//! Why not `Vec<serde_json::Value>`: the SDK promises each event's *own* JSON text (a
//! re-serialized `Value` would reorder keys and reformat numbers), and walking item by item
//! lets the event limit stop a hostile array at its first excess item instead of after the
//! whole tree is built. serde_json still does all the JSON syntax work (with its nesting
//! limit, so deep nesting is an error, not a stack overflow); this only finds the commas.

use serde::de::IgnoredAny;

/// Why the text is not a well-formed JSON array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArrayError {
    /// The first non-space character is not `[`.
    NotAnArray,
    /// The text ends before the closing `]`.
    Truncated,
    /// Item `index` is not valid JSON.
    BadItem { index: usize },
    /// Something other than `,` or `]` after item `index`.
    BadSeparator { index: usize },
    /// Text after the closing `]`.
    TrailingData,
}

/// An iterator over the raw text of each item of a JSON array.
pub(super) struct Items<'a> {
    text: &'a [u8],
    pos: usize,
    index: usize,
    done: bool,
}

impl<'a> Items<'a> {
    /// Starts at the opening `[` (after optional whitespace).
    pub(super) fn new(text: &'a [u8]) -> Result<Self, ArrayError> {
        let pos = skip_ws(text, 0);
        if text.get(pos) != Some(&b'[') {
            return Err(ArrayError::NotAnArray);
        }
        Ok(Items {
            text,
            pos: pos + 1,
            index: 0,
            done: false,
        })
    }

    /// Consumes the closing `]` (and checks that only whitespace follows) or returns `false`.
    fn close(&mut self) -> Result<bool, ArrayError> {
        if self.text.get(self.pos) != Some(&b']') {
            return Ok(false);
        }
        self.done = true;
        if skip_ws(self.text, self.pos + 1) != self.text.len() {
            return Err(ArrayError::TrailingData);
        }
        Ok(true)
    }

    fn step(&mut self) -> Result<Option<&'a [u8]>, ArrayError> {
        self.pos = skip_ws(self.text, self.pos);
        if self.index == 0 {
            if self.close()? {
                return Ok(None);
            }
        } else {
            match self.text.get(self.pos) {
                None => return Err(ArrayError::Truncated),
                Some(b',') => self.pos = skip_ws(self.text, self.pos + 1),
                Some(_) => {
                    if self.close()? {
                        return Ok(None);
                    }
                    return Err(ArrayError::BadSeparator {
                        index: self.index - 1,
                    });
                }
            }
        }
        if self.pos >= self.text.len() {
            return Err(ArrayError::Truncated);
        }
        let start = self.pos;
        let mut stream =
            serde_json::Deserializer::from_slice(&self.text[start..]).into_iter::<IgnoredAny>();
        match stream.next() {
            Some(Ok(_)) => {
                self.pos = start + stream.byte_offset();
                self.index += 1;
                Ok(Some(&self.text[start..self.pos]))
            }
            Some(Err(e)) if e.is_eof() => Err(ArrayError::Truncated),
            _ => Err(ArrayError::BadItem { index: self.index }),
        }
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Result<&'a [u8], ArrayError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

fn skip_ws(text: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\r' | b'\n') = text.get(pos) {
        pos += 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(text: &str) -> Result<Vec<String>, ArrayError> {
        Items::new(text.as_bytes())?
            .map(|r| r.map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    #[test]
    fn exact_item_texts() {
        assert_eq!(
            items(r#" [ {"b":1, "a":2} ,"x",3,[1,2] , null ] "#).expect("valid"),
            [r#"{"b":1, "a":2}"#, r#""x""#, "3", "[1,2]", "null"]
        );
        assert_eq!(items("[]").expect("valid"), Vec::<String>::new());
        assert_eq!(items(" [ \n ] ").expect("valid"), Vec::<String>::new());
    }

    #[test]
    fn malformed_arrays() {
        assert_eq!(items("{}"), Err(ArrayError::NotAnArray));
        assert_eq!(items(""), Err(ArrayError::NotAnArray));
        assert_eq!(items("[1,"), Err(ArrayError::Truncated));
        assert_eq!(items("[1"), Err(ArrayError::Truncated));
        assert_eq!(items("[\"ab"), Err(ArrayError::Truncated));
        assert_eq!(items("[1,]"), Err(ArrayError::BadItem { index: 1 }));
        assert_eq!(items("[1 2]"), Err(ArrayError::BadSeparator { index: 0 }));
        assert_eq!(items("[1] x"), Err(ArrayError::TrailingData));
        assert_eq!(items("[nope]"), Err(ArrayError::BadItem { index: 0 }));
    }
}

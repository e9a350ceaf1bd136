//! Walks a JSON array one item at a time, from a stream, handing out each item's exact text.
//!
//! Why a stream: a `BULKGZ,` body inflates to text many times its size; reading items as the
//! inflater produces them means a request holds one item (at most
//! `PostbackLimits::max_event_bytes`) and one read chunk, never the whole text. Why not
//! `Vec<serde_json::Value>`: the SDK promises each event's *own* JSON text (a re-serialized
//! `Value` would reorder keys and reformat numbers), and a tree costs 20–50× its text.
//!
//! This only finds where each item ends (strings, escapes and bracket depth, counted without
//! recursion, so deep nesting costs no stack); the caller validates the item's JSON with
//! serde_json, which has its own nesting limit.

use super::budget::{Exhausted, Grant};
use super::bytebuf::ByteBuf;
use super::inflate::InflateError;
use std::time::Duration;

/// Why the text is not a well-formed JSON array of acceptable items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArrayError {
    /// The first character (after whitespace and BOMs) is not `[`.
    NotAnArray,
    /// The text ends before the closing `]`.
    Truncated,
    /// Item `index` is not a JSON value (e.g. nothing between two commas).
    BadItem { index: usize },
    /// Something other than `,` or `]` after item `index`.
    BadSeparator { index: usize },
    /// Text after the closing `]`.
    TrailingData,
    /// Item `index` is longer than the per-event limit.
    ItemTooLarge { index: usize },
    /// The stream failed (decompression error or limit).
    Source(InflateError),
    /// The process-wide decoding budget could not cover the read buffer.
    Budget(Exhausted),
}

/// Where the text comes from: a slice in memory, or an inflater.
pub(super) trait Source {
    /// Reads up to `out.len()` bytes; 0 means the end.
    fn read(&mut self, out: &mut [u8]) -> Result<usize, InflateError>;
}

impl Source for &[u8] {
    fn read(&mut self, out: &mut [u8]) -> Result<usize, InflateError> {
        let n = out.len().min(self.len());
        out[..n].copy_from_slice(&self[..n]);
        *self = &self[n..];
        Ok(n)
    }
}

/// How much one read asks for.
const CHUNK: usize = 64 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A lending iterator over the raw text of each item of a JSON array.
pub(super) struct Items<S: Source> {
    source: S,
    /// Bytes read and not consumed are `buf[pos..]`.
    buf: ByteBuf,
    pos: usize,
    eof: bool,
    index: usize,
    started: bool,
    done: bool,
    max_item: usize,
    /// The read buffer's capacity, taken from the process-wide budget (given back on drop).
    grant: Grant,
    /// The buffer capacity already taken from `grant`.
    accounted: usize,
}

impl<S: Source> Items<S> {
    /// Reads up to the opening `[` (after whitespace and any run of BOMs).
    pub(super) fn new(source: S, max_item: usize) -> Result<Self, ArrayError> {
        let mut items = Items {
            source,
            // One item and the chunk read ahead of it, at most.
            buf: ByteBuf::with_max(max_item.saturating_add(2 * CHUNK)),
            pos: 0,
            eof: false,
            index: 0,
            started: false,
            done: false,
            max_item,
            grant: Grant::empty(),
            accounted: 0,
        };
        items.skip_ws_and_boms()?;
        if items.peek()? != Some(b'[') {
            return Err(ArrayError::NotAnArray);
        }
        items.pos += 1;
        Ok(items)
    }

    /// The next item's text, `None` after the closing `]`; an error ends the walk.
    pub(super) fn next_item(&mut self) -> Option<Result<&[u8], ArrayError>> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some((start, end))) => Some(Ok(&self.buf[start..end])),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }

    fn step(&mut self) -> Result<Option<(usize, usize)>, ArrayError> {
        self.skip_ws()?;
        if self.started {
            match self.peek()? {
                None => return Err(ArrayError::Truncated),
                Some(b',') => {
                    self.pos += 1;
                    self.skip_ws()?;
                }
                Some(b']') => return self.close().map(|()| None),
                Some(_) => {
                    return Err(ArrayError::BadSeparator {
                        index: self.index - 1,
                    });
                }
            }
        } else if self.peek()? == Some(b']') {
            return self.close().map(|()| None);
        }
        // An item's leading BOMs are its event's (dropped at every level, as the body's).
        self.skip_ws_and_boms()?;
        self.started = true;
        let len = self.item_len()?;
        let start = self.pos;
        self.pos += len;
        self.index += 1;
        Ok(Some((start, start + len)))
    }

    /// After `]`: only whitespace may follow, to the end of the stream.
    fn close(&mut self) -> Result<(), ArrayError> {
        self.pos += 1;
        self.skip_ws()?;
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(ArrayError::TrailingData),
        }
    }

    /// The length of the item starting at `pos`, reading more as needed.
    fn item_len(&mut self) -> Result<usize, ArrayError> {
        let index = self.index;
        let first = match self.peek()? {
            None => return Err(ArrayError::Truncated),
            Some(b) => b,
        };
        let mut scan = Scan::new(first);
        let mut len = 0;
        loop {
            let avail = &self.buf[self.pos + len..];
            match scan.feed(avail) {
                Some(end) => {
                    len += end;
                    if len == 0 {
                        return Err(ArrayError::BadItem { index });
                    }
                    if len > self.max_item {
                        return Err(ArrayError::ItemTooLarge { index });
                    }
                    return Ok(len);
                }
                None => len += avail.len(),
            }
            if len > self.max_item {
                return Err(ArrayError::ItemTooLarge { index });
            }
            if !self.fill()? {
                return Err(ArrayError::Truncated);
            }
        }
    }

    /// Whitespace and BOMs, in any mix.
    fn skip_ws_and_boms(&mut self) -> Result<(), ArrayError> {
        loop {
            self.skip_ws()?;
            if !self.peek_is(BOM)? {
                return Ok(());
            }
            self.pos += BOM.len();
        }
    }

    fn skip_ws(&mut self) -> Result<(), ArrayError> {
        loop {
            while let Some(b' ' | b'\t' | b'\r' | b'\n') = self.buf.get(self.pos) {
                self.pos += 1;
            }
            if self.pos < self.buf.len() || !self.fill()? {
                return Ok(());
            }
        }
    }

    fn peek(&mut self) -> Result<Option<u8>, ArrayError> {
        if self.pos >= self.buf.len() && !self.fill()? {
            return Ok(None);
        }
        Ok(self.buf.get(self.pos).copied())
    }

    fn peek_is(&mut self, bytes: &[u8]) -> Result<bool, ArrayError> {
        while self.buf.len() - self.pos < bytes.len() {
            if !self.fill()? {
                break;
            }
        }
        Ok(self.buf[self.pos..].starts_with(bytes))
    }

    /// Reads one more chunk after what is buffered (dropping what was consumed first);
    /// `false` at the end of the stream.
    fn fill(&mut self) -> Result<bool, ArrayError> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.consume_front(self.pos);
            self.pos = 0;
        }
        let source = &mut self.source;
        let read = match self.buf.fill(CHUNK, |out| source.read(out)) {
            Some(read) => read,
            // Only an item past its limit fills the buffer (see `item_len`).
            None => return Err(ArrayError::ItemTooLarge { index: self.index }),
        };
        let footprint = self.buf.footprint();
        if footprint > self.accounted {
            self.grant
                .reserve(footprint - self.accounted, Duration::ZERO)
                .map_err(ArrayError::Budget)?;
            self.accounted = footprint;
        }
        let n = read.map_err(ArrayError::Source)?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }
}

/// Finds where one JSON value ends, fed its text piece by piece.
struct Scan {
    kind: Kind,
    /// Whether the value's first byte has been seen.
    started: bool,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `{…}` or `[…]`.
    Nested,
    /// `"…"`.
    String,
    /// A number, `true`, `false`, `null` (or garbage): up to the next delimiter.
    Bare,
}

impl Scan {
    fn new(first: u8) -> Scan {
        let kind = match first {
            b'{' | b'[' => Kind::Nested,
            b'"' => Kind::String,
            _ => Kind::Bare,
        };
        Scan {
            kind,
            started: false,
            depth: 0,
            in_string: false,
            escaped: false,
        }
    }

    /// Feeds the next piece; `Some(n)` when the value ends `n` bytes into it.
    ///
    /// Inside a string (most of a batch's text: each item is one long base64 string) it jumps
    /// to the next `"` or `\` with `memchr2` instead of looking at every byte.
    fn feed(&mut self, piece: &[u8]) -> Option<usize> {
        if self.kind == Kind::Bare {
            return piece
                .iter()
                .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n'));
        }
        let mut i = 0;
        if !self.started && !piece.is_empty() {
            self.started = true;
            if self.kind == Kind::String {
                self.in_string = true;
                i = 1;
            }
        }
        while i < piece.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                i += memchr::memchr2(b'"', b'\\', &piece[i..])?;
                if piece[i] == b'\\' {
                    self.escaped = true;
                } else {
                    self.in_string = false;
                    if self.kind == Kind::String {
                        return Some(i + 1);
                    }
                }
            } else {
                match piece[i] {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    b'}' | b']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items_with(text: &str, max_item: usize) -> Result<Vec<String>, ArrayError> {
        let mut items = Items::new(text.as_bytes(), max_item)?;
        let mut out = Vec::new();
        while let Some(item) = items.next_item() {
            out.push(String::from_utf8_lossy(item?).into_owned());
        }
        Ok(out)
    }

    fn items(text: &str) -> Result<Vec<String>, ArrayError> {
        items_with(text, usize::MAX)
    }

    #[test]
    fn exact_item_texts() {
        assert_eq!(
            items(r#" [ {"b":1, "a":"]}\""} ,"x\"]",3,[1,[2]] , null ] "#).expect("valid"),
            [
                r#"{"b":1, "a":"]}\""}"#,
                r#""x\"]""#,
                "3",
                "[1,[2]]",
                "null"
            ]
        );
        assert_eq!(items("[]").expect("valid"), Vec::<String>::new());
        assert_eq!(items(" [ \n ] ").expect("valid"), Vec::<String>::new());
        assert_eq!(items("\u{feff} \u{feff}[1]").expect("BOMs"), ["1"]);
        // An item's own leading BOMs go too (a JSON item with commas is still one item).
        assert_eq!(
            items("[\u{feff}{\"a\":1,\"b\":2}, \u{feff}\u{feff} \"x\"]").expect("BOMs"),
            [r#"{"a":1,"b":2}"#, r#""x""#]
        );
    }

    #[test]
    fn items_longer_than_a_chunk() {
        let long = format!("\"{}\"", "a".repeat(3 * CHUNK + 7));
        let text = format!("[{long},{long}]");
        assert_eq!(items(&text).expect("valid"), [long.clone(), long]);
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
        assert_eq!(
            items_with("[1, \"abcdef\"]", 4),
            Err(ArrayError::ItemTooLarge { index: 1 })
        );
        assert_eq!(
            items_with(&format!("[[{}", "[".repeat(5 * CHUNK)), 2 * CHUNK),
            Err(ArrayError::ItemTooLarge { index: 0 })
        );
    }
}

//! A text's *decoded view*: what its bytes say once every common encoding is undone, with each
//! decoded byte pointing back at where it came from.
//!
//! Why normalise instead of listing encoded needles: a server may echo the key percent-encoded
//! in upper, lower or mixed case, with `+` or `%20` for a space, encoded twice (`%2541`), as a
//! JSON string (`\/`, `\u002b`) or in an HTML page (`&amp;`, `&#43;`), and in any mix of
//! these. The needles would multiply with each form; decoding the text once per layer and
//! searching the key's own decoded form finds them all in time linear in the text.
//!
//! Each pass undoes one layer of every scheme at once (`%XX` in any case; JSON's `\/ \\ \"
//! \b \f \n \r \t \uXXXX`; HTML's `&amp; &lt; &gt; &quot; &apos; &plus; &sol; &equals;
//! &percnt; &#N; &#xH;`); passes repeat until nothing changes, at most [`MAX_PASSES`] times,
//! so the work is bounded by `MAX_PASSES × len`. Finally ASCII is case-folded and `+` becomes a
//! space (form encoding), on both the text and the key, so the comparison is between canonical
//! forms. Decoding too much (a `+` that was a plus) only ever makes the redactor cover more.

/// Layers of encoding undone: enough for an echo of an echo of a double-encoded key.
const MAX_PASSES: usize = 4;

/// Decoded bytes and, for each, the offset in the original text of the token it came from.
/// A token's bytes all share its start; a token ends where the next distinct start begins.
pub(super) struct View {
    pub bytes: Vec<u8>,
    pub starts: Vec<u32>,
    len: usize,
}

impl View {
    /// The canonical decoded view of `text`. Offsets are `u32`: callers only pass texts the
    /// SDK already bounds (response bodies are cut at 8 MiB).
    pub fn new(text: &str) -> View {
        let len = text.len().min(u32::MAX as usize);
        let mut bytes = text.as_bytes()[..len].to_vec();
        let mut starts: Vec<u32> = (0..len as u32).collect();
        for _ in 0..MAX_PASSES {
            match decode_pass(&bytes, &starts) {
                Some((b, s)) => {
                    bytes = b;
                    starts = s;
                }
                None => break,
            }
        }
        for b in &mut bytes {
            *b = if *b == b'+' {
                b' '
            } else {
                b.to_ascii_lowercase()
            };
        }
        View { bytes, starts, len }
    }

    /// The range of the original text that decoded bytes `from..to` came from, widened to
    /// whole tokens.
    pub fn source_range(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        let start = self.starts[from] as usize;
        let last = self.starts[to - 1];
        let end = self.starts[to..]
            .iter()
            .find(|&&s| s > last)
            .map_or(self.len, |&s| s as usize);
        start..end
    }
}

/// One layer of decoding over the whole text, or `None` when there was nothing to decode.
fn decode_pass(bytes: &[u8], starts: &[u32]) -> Option<(Vec<u8>, Vec<u32>)> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut out_starts = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    let mut utf8 = [0u8; 4];
    while i < bytes.len() {
        let (decoded, used): (&[u8], usize) = match token(&bytes[i..], &mut utf8) {
            Some((d, used)) => {
                changed = true;
                (d, used)
            }
            None => (&bytes[i..=i], 1),
        };
        for &b in decoded {
            out.push(b);
            out_starts.push(starts[i]);
        }
        i += used;
    }
    changed.then_some((out, out_starts))
}

/// The bytes one encoded token at the start of `s` stands for, and its length.
fn token<'a>(s: &[u8], utf8: &'a mut [u8; 4]) -> Option<(&'a [u8], usize)> {
    let one = |b: u8, used: usize, utf8: &'a mut [u8; 4]| {
        utf8[0] = b;
        Some((&utf8[..1], used))
    };
    match s.first()? {
        b'%' => {
            let hi = hex(*s.get(1)?)?;
            let lo = hex(*s.get(2)?)?;
            one(hi << 4 | lo, 3, utf8)
        }
        b'\\' => match s.get(1)? {
            c @ (b'/' | b'\\' | b'"' | b'\'') => one(*c, 2, utf8),
            b'b' => one(0x08, 2, utf8),
            b'f' => one(0x0c, 2, utf8),
            b'n' => one(b'\n', 2, utf8),
            b'r' => one(b'\r', 2, utf8),
            b't' => one(b'\t', 2, utf8),
            b'u' => {
                let code = hex4(s.get(2..6)?)?;
                // A character past U+FFFF is a UTF-16 surrogate pair in JSON (`\ud83d\ude00`),
                // as ASCII-only encoders (Python's `json.dumps`) write every such character.
                if (0xD800..0xDC00).contains(&code) {
                    let low = s
                        .get(6..12)
                        .filter(|t| t.starts_with(b"\\u"))
                        .and_then(|t| hex4(&t[2..]));
                    let low = low.filter(|l| (0xDC00..0xE000).contains(l))?;
                    let c = char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))?;
                    return Some((c.encode_utf8(utf8).as_bytes(), 12));
                }
                let c = char::from_u32(code)?;
                Some((c.encode_utf8(utf8).as_bytes(), 6))
            }
            _ => None,
        },
        b'&' => entity(s, utf8),
        _ => None,
    }
}

/// An HTML character reference at the start of `s`: the named ones an echo of a key can need,
/// and every numeric one (at most 8 digits, so a run of zeros can't make a token unbounded).
fn entity<'a>(s: &[u8], utf8: &'a mut [u8; 4]) -> Option<(&'a [u8], usize)> {
    let end = s.iter().take(12).position(|&b| b == b';')?;
    let name = &s[1..end];
    let used = end + 1;
    let c = if let Some(num) = name.strip_prefix(b"#") {
        let (digits, radix) = match num.first()? {
            b'x' | b'X' => (&num[1..], 16),
            _ => (num, 10),
        };
        // Digits only: `from_str_radix` alone would take a sign (`&#+43;`).
        if digits.is_empty() || digits.len() > 8 || !digits.iter().all(|d| d.is_ascii_hexdigit()) {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, radix).ok()?;
        char::from_u32(code)?
    } else {
        match name.to_ascii_lowercase().as_slice() {
            b"amp" => '&',
            b"lt" => '<',
            b"gt" => '>',
            b"quot" => '"',
            b"apos" => '\'',
            b"plus" => '+',
            b"sol" => '/',
            b"equals" => '=',
            b"percnt" => '%',
            b"num" => '#',
            b"quest" => '?',
            b"nbsp" => ' ',
            _ => return None,
        }
    };
    Some((c.encode_utf8(utf8).as_bytes(), used))
}

/// Four hex digits (a JSON `\u` escape's) as a number.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |code, &d| Some(code << 4 | u32::from(hex(d)?)))
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::View;

    fn decoded(text: &str) -> String {
        String::from_utf8_lossy(&View::new(text).bytes).into_owned()
    }

    #[test]
    fn every_layer_and_case_decodes_to_one_form() {
        let want = "k3y /=%41";
        for form in [
            "K3y+/=%41",
            "K3y%2b%2f%3d%2541",
            "K3y%2B%2F%3D%2541",
            "k3y%2B%2f%3D%252541",
            "K3y%20/=%41",
            r"K3y\u002b\/=\u002541",
            "K3y&#43;&sol;&#x3D;&percnt;41",
            "K3y&amp;#43;/=%41",
        ] {
            let got = decoded(form);
            // `%41` decodes to `a` on both sides (the key's canonical form is decoded too).
            assert_eq!(got, decoded(want), "{form}");
        }
    }

    #[test]
    fn source_ranges_cover_whole_tokens() {
        let text = "ab%2Bcd\u{e9}";
        let v = View::new(text);
        assert_eq!(v.bytes, b"ab cd\xc3\xa9");
        assert_eq!(v.source_range(2, 3), 2..5);
        assert_eq!(v.source_range(0, 2), 0..2);
        assert_eq!(v.source_range(5, 7), 7..9);
        let v = View::new(r"x\u00e9y");
        assert_eq!(
            v.source_range(1, 2),
            1..7,
            "half a decoded char widens to its token"
        );
    }

    #[test]
    fn passes_are_bounded() {
        // Five layers: four are undone, the fifth stays.
        assert_eq!(decoded("%2525252541"), "%41");
    }
}

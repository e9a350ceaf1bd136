//! Keeping the API key out of every text the SDK produces.
//!
//! The key travels in the URL's query string (`wid=<key>`), and reqwest's errors carry the
//! URL, so a careless `to_string()` of an error is enough to print the key. Two layers stop it:
//! reqwest errors are stripped of their URL before anything reads them (`transport.rs`), and
//! every text that goes into an [`crate::Error`] passes through [`Redactor::redact`], which
//! replaces the key in every encoded form it is likely to be echoed in (percent-encoding in
//! any case and depth, `+` or `%20` for a space, JSON and HTML escapes: see [`view`]; inside
//! base64 and hex: see [`encoded_forms`]) and any
//! `wid=` query value with `REDACTED`. The second layer covers a server that echoes the URL
//! or the key in an error page. A text cut to a length ([`Redactor::snippet`]) is redacted
//! whole first and cut afterwards, so a cut can never split a key into an unrecognised head.

mod view;

/// What replaces a secret.
pub(crate) const REDACTED: &str = "REDACTED";

/// The longest snippet of a body put into an error, in bytes (cut on a char boundary).
pub(crate) const SNIPPET_MAX: usize = 120;

/// A tail this long (decoded) that starts a secret is dropped from a cut text: shorter ones
/// say nothing about the key, and dropping them would eat ordinary text.
const MIN_PREFIX_TAIL: usize = 4;

/// Redacts one client's secrets (its key, and a proxy's password) from texts.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// Each secret as given (for the cheap exact pass), longest first.
    raw: Vec<String>,
    /// Each secret's canonical decoded form (see [`view`]), with its finder.
    canonical: Vec<memchr::memmem::Finder<'static>>,
    /// Each secret as it reads inside base64 (both alphabets, any alignment) and hex (both
    /// cases): see [`encoded_forms`].
    encoded: Vec<String>,
}

impl Redactor {
    #[cfg(test)]
    pub(crate) fn new(key: &str) -> Self {
        Redactor::with_secrets(key, [])
    }

    /// A redactor for the API key and other secrets (a proxy's password). An extra secret
    /// shorter than [`MIN_PREFIX_TAIL`] is left out: it could not leak anything a reader
    /// could use, and replacing every `x` of a text would make errors unreadable.
    pub(crate) fn with_secrets<'a>(key: &'a str, extra: impl IntoIterator<Item = &'a str>) -> Self {
        let mut raw: Vec<String> = std::iter::once(key)
            .chain(extra.into_iter().filter(|s| s.len() >= MIN_PREFIX_TAIL))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        raw.sort_by_key(|n| std::cmp::Reverse(n.len()));
        raw.dedup();
        let canonical = raw
            .iter()
            .map(|s| view::View::new(s).bytes)
            .filter(|c| !c.is_empty())
            .map(|c| memchr::memmem::Finder::new(&c).into_owned())
            .collect();
        let encoded = raw
            .iter()
            .flat_map(|s| encoded_forms(s.as_bytes()))
            .collect();
        Redactor {
            raw,
            canonical,
            encoded,
        }
    }
    /// The error with every text it carries redacted.
    pub(crate) fn scrub(&self, error: crate::Error) -> crate::Error {
        use crate::Error as E;
        match error {
            E::Api { command, message } => E::Api {
                command,
                message: self.redact(&message),
            },
            E::HttpStatus {
                command,
                status,
                snippet,
                retry_after,
            } => E::HttpStatus {
                command,
                status,
                snippet: self.redact(&snippet),
                retry_after,
            },
            E::Connection { command, message } => E::Connection {
                command,
                message: self.redact(&message),
            },
            E::Decode {
                command,
                message,
                content_type,
                snippet,
            } => E::Decode {
                command,
                message: self.redact(&message),
                content_type: content_type.map(|c| self.redact(&c)),
                snippet: self.redact(&snippet),
            },
            E::InvalidArgument { message } => E::InvalidArgument {
                message: self.redact(&message),
            },
            E::Postback { message } => E::Postback {
                message: self.redact(&message),
            },
            other => other,
        }
    }

    /// The text with every secret, in any encoding its decoded view recognises (see
    /// [`view`]), and every `wid=` value replaced by `REDACTED`. Linear in the text's length.
    pub(crate) fn redact(&self, text: &str) -> String {
        // The secrets first: a `wid=` pass first could cut a key with spaces in two and leave
        // its head behind.
        let mut out = text.to_owned();
        for needle in &self.raw {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        for needle in &self.encoded {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        let out = self.redact_encoded(out);
        redact_wid_params(&out)
    }

    /// The start of a text for an error: the whole text redacted first, then cut to
    /// [`SNIPPET_MAX`] bytes, then a tail that could be the head of a secret dropped (a cut,
    /// or a server's own truncation, can leave one that no longer matches a whole secret).
    pub(crate) fn snippet(&self, text: &str) -> String {
        let redacted = self.redact(text);
        let end = floor_char_boundary(&redacted, SNIPPET_MAX);
        let kept = self.cut_before_secret_head(&redacted, end);
        let mut out = redacted[..kept].to_owned();
        if kept < redacted.len() {
            out.push('…');
        }
        out
    }

    /// Every canonical match of a secret replaced, on whole source tokens.
    fn redact_encoded(&self, text: String) -> String {
        if self.canonical.is_empty() {
            return text;
        }
        let view = view::View::new(&text);
        let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
        for finder in &self.canonical {
            let n = finder.needle().len();
            for at in finder.find_iter(&view.bytes) {
                ranges.push(view.source_range(at, at + n));
            }
        }
        if ranges.is_empty() {
            return text;
        }
        ranges.sort_by_key(|r| r.start);
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        for r in ranges {
            // Widened to char boundaries; overlapping matches merge.
            let mut start = r.start.max(done);
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = r.end;
            while !text.is_char_boundary(end) {
                end += 1;
            }
            if end <= done {
                continue;
            }
            if start < done {
                start = done;
            } else {
                out.push_str(&text[done..start]);
                out.push_str(REDACTED);
            }
            done = end;
        }
        out.push_str(&text[done..]);
        out
    }

    /// Where to cut `text` at or before `cut` so that no kept tail starts a secret: a tail
    /// that, read on past the cut, decodes to the head of a secret (at least
    /// [`MIN_PREFIX_TAIL`] bytes of it) is dropped, and so is an escape split by the cut.
    fn cut_before_secret_head(&self, text: &str, cut: usize) -> usize {
        let mut cut = cut;
        for finder in &self.canonical {
            let secret = finder.needle();
            let min = MIN_PREFIX_TAIL.min(secret.len());
            // The text around the cut, far enough on for a secret in the deepest encoding the
            // view undoes (a byte is at most a dozen characters per layer).
            let from = floor_char_boundary(text, cut.saturating_sub(secret.len() * 12 * 4 + 12));
            let to = floor_char_boundary(text, (cut + secret.len() * 12 * 4 + 12).min(text.len()));
            let view = view::View::new(&text[from..to]);
            let local_cut = cut - from;
            let first_after = view
                .starts
                .iter()
                .position(|&s| s as usize >= local_cut)
                .unwrap_or(view.bytes.len());
            // Earliest start first: the longest head is the one dropped.
            for i in first_after.saturating_sub(secret.len())..first_after {
                let common = view.bytes[i..]
                    .iter()
                    .zip(secret)
                    .take_while(|(a, b)| a == b)
                    .count();
                if common >= min {
                    cut = floor_char_boundary(text, from + view.starts[i] as usize);
                    break;
                }
            }
        }
        cut
    }
}

/// The shortest encoded form searched: shorter ones would match ordinary text by chance.
const MIN_ENCODED_LEN: usize = 8;

/// How `secret` reads inside a longer base64 text (standard and URL-safe alphabets, at each of
/// the three byte alignments) and inside hex (lower and upper case). In base64 the characters
/// at either end of the secret's stretch also hold bits of its neighbours, so only the
/// characters that hold nothing but the secret's bits are searched: whatever surrounds it, they
/// are the same. A server that echoes the URL base64-encoded (a token, a trace id) is caught.
fn encoded_forms(secret: &[u8]) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut forms = Vec::new();
    for engine in [STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
        for offset in 0..3usize {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(secret);
            let text = engine.encode(&bytes);
            // Characters holding only prefix bits or prefix and secret bits: 0, 2, 3.
            let skip = [0, 2, 3][offset];
            // The last character holds padding bits unless the length is a multiple of 3.
            let end = if bytes.len() % 3 == 0 {
                text.len()
            } else {
                text.len() - 1
            };
            if end > skip && end - skip >= MIN_ENCODED_LEN {
                forms.push(text[skip..end].to_owned());
            }
        }
    }
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    if hex.len() >= MIN_ENCODED_LEN {
        forms.push(hex.to_ascii_uppercase());
        forms.push(hex);
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// The largest char boundary at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Replaces the value of every `wid=` parameter (up to `&`, `#`, whitespace or a quote) with
/// `REDACTED`, whatever the key: this alone keeps URLs safe even without knowing the key.
pub(crate) fn redact_wid_params(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest_start = 0;
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("wid=") {
        let at = search_from + found;
        // Only a parameter name: `wid=` preceded by `?`, `&`, a start, a space or a quote, so
        // a word like `rowid=` keeps its value.
        let boundary = at == 0
            || matches!(
                text.as_bytes()[at - 1],
                b'?' | b'&'
                    | b' '
                    | b'"'
                    | b'\''
                    | b'('
                    | b'\n'
                    | b';'
                    | b'>'
                    | b'/'
                    | b','
                    | b'\t'
            );
        let value_start = at + 4;
        if !boundary {
            search_from = value_start;
            continue;
        }
        let value_len = text[value_start..]
            .find(|c: char| {
                matches!(c, '&' | '#' | '"' | '\'' | '<' | '>' | ')') || c.is_whitespace()
            })
            .unwrap_or(text.len() - value_start);
        out.push_str(&text[rest_start..value_start]);
        out.push_str(REDACTED);
        rest_start = value_start + value_len;
        search_from = rest_start;
    }
    out.push_str(&text[rest_start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wid_values_are_replaced_anywhere() {
        assert_eq!(
            redact_wid_params("GET http://h/status.aspx?wid=abc-123&x=1 failed"),
            "GET http://h/status.aspx?wid=REDACTED&x=1 failed"
        );
        assert_eq!(
            redact_wid_params("http://h/x.aspx?WID=s3cr3t"),
            "http://h/x.aspx?WID=REDACTED"
        );
        assert_eq!(redact_wid_params("rowid=5"), "rowid=5");
        assert_eq!(
            redact_wid_params("a&wid=k1&wid=k2"),
            "a&wid=REDACTED&wid=REDACTED"
        );
    }

    #[test]
    fn raw_and_encoded_key_are_replaced() {
        let r = Redactor::new("k/ey+ 1");
        let text = "echo k/ey+ 1 and k%2Fey%2B+1";
        let out = r.redact(text);
        assert!(
            !out.contains("k/ey+ 1") && !out.contains("k%2Fey%2B+1"),
            "{out}"
        );
    }

    /// The issue's key and every form a server was seen, or could plausibly, echo it in.
    const KEY: &str = "K3y+/=%41-witi SECRET";

    fn echoes() -> Vec<String> {
        vec![
            KEY.to_owned(),
            "K3y%2B%2F%3D%2541-witi+SECRET".into(),
            "K3y%2b%2f%3d%2541-witi+SECRET".into(),
            "K3y%2b%2F%3d%2541-witi%20SECRET".into(),
            "k3y%2B%2F%3D%41-WITI%20secret".into(),
            "K3y%252B%252F%253D%252541-witi%2BSECRET".into(),
            r"K3y+\/=%41-witi SECRET".into(),
            r"K3y\u002b\u002f\u003d\u002541-witi\u0020SECRET".into(),
            "K3y&#43;&#x2F;&equals;&percnt;41-witi&nbsp;SECRET".into(),
            "K3y&amp;#43;/=%41-witi SECRET".into(),
            "K3y&plus;&sol;=%2541-witi SECRET".into(),
        ]
    }

    #[test]
    fn every_encoded_form_of_the_key_is_replaced() {
        let r = Redactor::new(KEY);
        for echo in echoes() {
            for text in [
                echo.clone(),
                format!(r#"{{"status":0,"error":"invalid wid {echo}"}}"#),
                format!("<html><body>échec: {echo}</body></html>"),
                format!("X-Echo: {echo}\r\nServer: IIS"),
            ] {
                let out = r.redact(&text);
                assert!(out.contains(REDACTED), "{text} -> {out}");
                for piece in ["SECRET", "secret", "K3y", "k3y", "witi"] {
                    assert!(!out.contains(piece), "{piece} left in {out} (from {text})");
                }
            }
        }
    }

    #[test]
    fn the_key_inside_base64_or_hex_is_replaced() {
        use base64::Engine;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let key = "K3y+/=%41-witi-SECRET";
        let r = Redactor::new(key);
        for prefix in ["", "a", "ab", "https://api.witi.me/status.aspx?wid="] {
            let plain = format!("{prefix}{key}&more");
            for encoded in [
                STANDARD.encode(&plain),
                URL_SAFE.encode(&plain),
                plain
                    .bytes()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
                plain
                    .bytes()
                    .map(|b| format!("{b:02X}"))
                    .collect::<String>(),
            ] {
                let text = format!("trace={encoded} end");
                let out = r.redact(&text);
                assert!(out.contains(REDACTED), "{prefix:?}: {out}");
                let core = &encoded_forms(key.as_bytes());
                assert!(core.iter().all(|f| !out.contains(f.as_str())), "{out}");
            }
        }
        // Ordinary base64 without the key is left alone.
        let other = STANDARD.encode("nothing secret here at all");
        assert_eq!(r.redact(&other), other);
    }

    #[test]
    fn redaction_keeps_the_text_around_the_key() {
        let r = Redactor::new(KEY);
        assert_eq!(
            r.redact("before K3y%2b%2f%3d%2541-witi+SECRET after"),
            "before REDACTED after"
        );
        assert_eq!(r.redact("nothing here 100%"), "nothing here 100%");
    }

    #[test]
    fn redaction_is_linear_on_long_hostile_texts() {
        let r = Redactor::new(KEY);
        // Escapes everywhere and near-misses of the key: bounded work, nothing found.
        let text = "%25%2b&amp;\\u0025K3y+/=%4".repeat(100_000);
        let started = std::time::Instant::now();
        let out = r.redact(&text);
        assert_eq!(out.len(), text.len());
        // Generous: only catches a quadratic blow-up (seconds per megabyte), not speed.
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn a_snippet_is_redacted_whole_then_cut_and_drops_a_secret_head() {
        let r = Redactor::new(KEY);
        for echo in echoes() {
            for pad in 80..SNIPPET_MAX {
                let text = format!("<html>{}{echo} and more", "x".repeat(pad));
                let s = r.snippet(&text);
                assert!(s.len() <= SNIPPET_MAX + '…'.len_utf8(), "{s}");
                for piece in ["K3y", "k3y", "witi", "SECRET"] {
                    assert!(!s.contains(piece), "{piece} left in {s:?}");
                }
                // A body that itself ends in the middle of the key (a server's truncation).
                let cut = &text[..(6 + pad + echo.len() * 2 / 3).min(text.len())];
                let cut = &cut[..(0..=cut.len())
                    .rev()
                    .find(|&i| cut.is_char_boundary(i))
                    .unwrap_or(0)];
                let s = r.snippet(cut);
                assert!(
                    !s.contains("K3y") && !s.contains("k3y"),
                    "{s:?} from {cut:?}"
                );
            }
        }
        assert_eq!(r.snippet("short body"), "short body");
    }

    #[test]
    fn non_ascii_text_survives() {
        let r = Redactor::new("chave");
        assert_eq!(r.redact("ação wid=chave é"), "ação wid=REDACTED é");
    }

    /// A key with characters past ASCII (and past U+FFFF), echoed in each encoding that
    /// spells them differently: UTF-8 percent escapes, JSON `\u` escapes (a surrogate pair
    /// for the emoji, as ASCII-only JSON encoders write it), numeric HTML references.
    #[test]
    fn a_non_ascii_key_is_found_in_every_encoding() {
        let key = "chave-ção-😀-SECRET";
        let r = Redactor::new(key);
        for echo in [
            key,
            "chave-%C3%A7%C3%A3o-%F0%9F%98%80-SECRET",
            "chave-%c3%a7%C3%a3o-%f0%9F%98%80-SECRET",
            "chave-%25C3%25A7%25C3%25A3o-%25F0%259F%2598%2580-SECRET",
            r"chave-\u00e7\u00e3o-\ud83d\ude00-SECRET",
            r"chave-\u00E7\u00E3o-\uD83D\uDE00-SECRET",
            r"chave-\u00e7\u00e3o-\uD83D\ude00\u002dSECRET",
            "chave-&#231;&#xe3;o-&#128512;-SECRET",
        ] {
            let out = r.redact(&format!(r#"{{"error":"bad wid {echo}"}}"#));
            assert!(
                !out.contains("SECRET") && !out.contains("chave"),
                "{echo} -> {out}"
            );
        }
        // A lone surrogate is not a character: left as it is, never a panic.
        assert_eq!(r.redact(r"x \ud83d y \ude00"), r"x \ud83d y \ude00");
    }

    /// HTML's named references for letters past ASCII (`&ccedil;`): the view knows only the
    /// ASCII ones a key's punctuation needs; the full HTML5 table (2,231 names) wants a crate.
    #[test]
    #[ignore = "named HTML entities for non-ASCII letters are not decoded yet"]
    fn a_non_ascii_key_in_named_html_entities_is_found() {
        let r = Redactor::new("chave-ção-SECRET");
        let out = r.redact("<p>chave-&ccedil;&atilde;o-SECRET</p>");
        assert!(!out.contains("SECRET"), "{out}");
    }
}

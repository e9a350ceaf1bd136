//! Keeping the API key out of every text the SDK produces.
//!
//! The key travels in the URL's query string (`wid=<key>`), and reqwest's errors carry the
//! URL, so a careless `to_string()` of an error is enough to print the key. Two layers stop it:
//! reqwest errors are stripped of their URL before anything reads them (`transport.rs`), and
//! every text that goes into an [`crate::Error`] passes through [`Redactor::redact`], which
//! replaces the key (raw and URL-encoded) and any `wid=` query value with `REDACTED`. The
//! second layer also covers a server that echoes the URL in an HTML error page.

/// What replaces a secret.
pub(crate) const REDACTED: &str = "REDACTED";

/// Redacts one client's key from texts.
#[derive(Clone)]
pub(crate) struct Redactor {
    /// The key and its URL-encoded form (when different), longest first.
    needles: Vec<String>,
}

impl Redactor {
    pub(crate) fn new(key: &str) -> Self {
        let mut needles = vec![key.to_owned()];
        let encoded = encode_query_value(key);
        if encoded != key {
            needles.push(encoded);
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        needles.retain(|n| !n.is_empty());
        Redactor { needles }
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
            } => E::HttpStatus {
                command,
                status,
                snippet: self.redact(&snippet),
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

    /// The text with the key and every `wid=` value replaced by `REDACTED`.
    pub(crate) fn redact(&self, text: &str) -> String {
        // The key first: a `wid=` pass first could cut a key with spaces in two and leave
        // its head behind.
        let mut out = text.to_owned();
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), REDACTED);
            }
        }
        redact_wid_params(&out)
    }
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

/// Percent-encodes a query value the way `url`'s form serializer does, so the encoded key can
/// be found in a URL's text.
fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
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

    #[test]
    fn non_ascii_text_survives() {
        let r = Redactor::new("chave");
        assert_eq!(r.redact("ação wid=chave é"), "ação wid=REDACTED é");
    }
}

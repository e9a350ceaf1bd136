//! `Content-Encoding` of a request body: `gzip` and `deflate` are decoded under the same caps
//! as the body itself (the decoded body is a body: at most `max_body_bytes`, drawn from the
//! decoding budget); any other coding is refused with 415 naming it (RFC 9110 §15.5.16).

use crate::postback::Grant;
use hyper::HeaderMap;
use hyper::header::CONTENT_ENCODING;
use std::io::Read;
use std::time::Duration;

/// A content coding this receiver decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Coding {
    Gzip,
    /// HTTP's `deflate` is zlib (RFC 9110 §8.4.1.2); raw deflate, which some senders use
    /// instead, is accepted too.
    Deflate,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// The codings applied to the body, in the order they were applied; `Err` names the first
/// one this receiver does not decode (shortened, and only printable ASCII, since it is
/// echoed).
pub(super) fn codings(headers: &HeaderMap) -> Result<Vec<Coding>, String> {
    let mut out = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = value.to_str().map_err(|_| "(not ASCII)".to_owned())?;
        for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            match token.to_ascii_lowercase().as_str() {
                "identity" => {}
                "gzip" | "x-gzip" => out.push(Coding::Gzip),
                "deflate" => out.push(Coding::Deflate),
                _ => {
                    let shown: String = token
                        .chars()
                        .filter(|c| c.is_ascii_graphic())
                        .take(40)
                        .collect();
                    return Err(shown);
                }
            }
        }
    }
    Ok(out)
}

/// Why a coded body was not decoded.
#[derive(Debug)]
pub(super) enum DecodeError {
    /// The decoded body passes the body limit.
    TooLarge,
    /// Not valid data of the named coding.
    Corrupt(&'static str),
    /// The decoding budget could not cover the decoded bytes.
    Budget,
}

/// Undoes `codings` (last applied first), each output at most `max` bytes, each drawn from
/// `grant` as it grows (never waiting: the grant already holds the coded body).
pub(super) fn decode(
    mut body: Vec<u8>,
    codings: &[Coding],
    max: usize,
    grant: &mut Grant,
) -> Result<Vec<u8>, DecodeError> {
    for &coding in codings.iter().rev() {
        let decoded = match coding {
            Coding::Gzip => read_bounded(flate2::read::MultiGzDecoder::new(&body[..]), max, grant),
            Coding::Deflate => {
                let zlib = body.len() >= 2
                    && (u16::from(body[0]) << 8 | u16::from(body[1])) % 31 == 0
                    && body[0] & 0x0f == 8;
                if zlib {
                    read_bounded(flate2::read::ZlibDecoder::new(&body[..]), max, grant)
                } else {
                    read_bounded(flate2::read::DeflateDecoder::new(&body[..]), max, grant)
                }
            }
        };
        let decoded = match decoded {
            Ok(d) => d,
            Err(ReadError::TooLarge) => return Err(DecodeError::TooLarge),
            Err(ReadError::Budget) => return Err(DecodeError::Budget),
            Err(ReadError::Corrupt) => return Err(DecodeError::Corrupt(coding.name())),
        };
        grant.release(body.capacity());
        body = decoded;
    }
    Ok(body)
}

enum ReadError {
    TooLarge,
    Corrupt,
    Budget,
}

fn read_bounded(
    mut reader: impl Read,
    max: usize,
    grant: &mut Grant,
) -> Result<Vec<u8>, ReadError> {
    const CHUNK: usize = 64 * 1024;
    let mut out: Vec<u8> = Vec::new();
    let mut accounted = 0;
    loop {
        if out.capacity() - out.len() < CHUNK {
            let target = (out.capacity() * 2).clamp(out.len() + CHUNK, max.max(out.len()) + CHUNK);
            out.reserve_exact(target - out.len());
            let capacity = out.capacity();
            if grant.reserve(capacity - accounted, Duration::ZERO).is_err() {
                grant.release(accounted);
                return Err(ReadError::Budget);
            }
            accounted = capacity;
        }
        let len = out.len();
        out.resize(len + CHUNK, 0);
        match reader.read(&mut out[len..]) {
            Ok(0) => {
                out.truncate(len);
                return Ok(out);
            }
            Ok(n) => {
                out.truncate(len + n);
                if out.len() > max {
                    grant.release(accounted);
                    return Err(ReadError::TooLarge);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => out.truncate(len),
            Err(_) => {
                grant.release(accounted);
                return Err(ReadError::Corrupt);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn codings_and_refusals() {
        let mut h = HeaderMap::new();
        assert_eq!(codings(&h), Ok(vec![]));
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("identity, GZIP"));
        assert_eq!(codings(&h), Ok(vec![Coding::Gzip]));
        h.append(CONTENT_ENCODING, HeaderValue::from_static("deflate"));
        assert_eq!(codings(&h), Ok(vec![Coding::Gzip, Coding::Deflate]));
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("br"));
        assert_eq!(codings(&h), Err("br".to_owned()));
    }
}

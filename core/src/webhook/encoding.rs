//! `Content-Encoding` of a request body: `gzip` and `deflate` are decoded under the same caps
//! as the body itself (the decoded body is a body: at most `max_body_bytes`, drawn from the
//! decoding budget); any other coding is refused with 415 naming it (RFC 9110 §15.5.16).

use crate::postback::{ByteBuf, Grant};
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
    mut body: ByteBuf,
    codings: &[Coding],
    max: usize,
    grant: &mut Grant,
) -> Result<ByteBuf, DecodeError> {
    for &coding in codings.iter().rev() {
        let data: &[u8] = &body;
        let decoded = match coding {
            Coding::Gzip => read_bounded(flate2::read::MultiGzDecoder::new(data), max, grant),
            Coding::Deflate if looks_like_zlib(data) => {
                read_bounded(flate2::read::ZlibDecoder::new(data), max, grant)
            }
            Coding::Deflate => read_bounded(flate2::read::DeflateDecoder::new(data), max, grant),
        };
        let decoded = match decoded {
            Ok(d) => d,
            Err(ReadError::TooLarge) => return Err(DecodeError::TooLarge),
            Err(ReadError::Budget) => return Err(DecodeError::Budget),
            Err(ReadError::Corrupt) => return Err(DecodeError::Corrupt(coding.name())),
        };
        grant.release(body.footprint());
        body = decoded;
    }
    Ok(body)
}

/// A zlib header: method 8, a window of at most 32 KiB, `CMF·256+FLG` divisible by 31.
fn looks_like_zlib(data: &[u8]) -> bool {
    match data {
        [cmf, flg, ..] => {
            cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0
        }
        _ => false,
    }
}

enum ReadError {
    TooLarge,
    Corrupt,
    Budget,
}

/// Reads `reader` to its end into a buffer of at most `max` bytes, its footprint drawn from
/// `grant` as it grows (and given back if this fails).
fn read_bounded(
    mut reader: impl Read,
    max: usize,
    grant: &mut Grant,
) -> Result<ByteBuf, ReadError> {
    const CHUNK: usize = 64 * 1024;
    // One chunk of slack so that a read past `max` is seen, not refused before it happens.
    let mut out = ByteBuf::with_max(max.saturating_add(CHUNK));
    let mut accounted = 0;
    let result = loop {
        let read = match out.fill(CHUNK, |buf| {
            loop {
                match reader.read(buf) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    other => return other,
                }
            }
        }) {
            Some(read) => read,
            None => break Err(ReadError::TooLarge),
        };
        let footprint = out.footprint();
        if footprint > accounted {
            if grant
                .reserve(footprint - accounted, Duration::ZERO)
                .is_err()
            {
                break Err(ReadError::Budget);
            }
            accounted = footprint;
        }
        match read {
            Ok(0) => break Ok(()),
            Ok(_) if out.len() > max => break Err(ReadError::TooLarge),
            Ok(_) => {}
            Err(_) => break Err(ReadError::Corrupt),
        }
    };
    match result {
        Ok(()) => Ok(out),
        Err(e) => {
            grant.release(accounted);
            Err(e)
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

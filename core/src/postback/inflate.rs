//! The byte-level helpers of PostBack decoding: lenient base64 and bounded decompression.
//!
//! Both are written for hostile input: nothing here allocates more than the caller's limit
//! (plus one read chunk), and nothing panics.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use std::io::Read;

/// Standard alphabet, padding optional, stray low bits tolerated: the server's encoder is not
/// documented, and PHP's `base64_decode` (what the witi.me examples use) is this lenient.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// Standard alphabet, with or without padding: the fast path of [`base64_lenient`].
const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64 in the standard or the URL-safe alphabet (even mixed), with or without
/// padding, ignoring ASCII whitespace (line-wrapped encoders insert `\r\n` every 76 chars).
/// `None` when it is not base64 at all.
pub(super) fn base64_lenient(text: &[u8]) -> Option<Vec<u8>> {
    // The usual input is clean standard base64: decode it in place, without a cleaned copy.
    if let Ok(bytes) = STANDARD_ANY_PADDING.decode(text) {
        return Some(bytes);
    }
    let mut clean: Vec<u8> = Vec::with_capacity(text.len());
    for &b in text {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => {}
            b'-' => clean.push(b'+'),
            b'_' => clean.push(b'/'),
            other => clean.push(other),
        }
    }
    while clean.last() == Some(&b'=') {
        clean.pop();
    }
    LENIENT.decode(&clean).ok()
}

/// Which compressed format a BULKGZ payload is in, sniffed from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Gzip,
    Zlib,
    Deflate,
}

impl Format {
    pub(super) fn name(self) -> &'static str {
        match self {
            Format::Gzip => "gzip",
            Format::Zlib => "zlib",
            Format::Deflate => "raw deflate",
        }
    }
}

/// Sniffs the format the way PHP's `zlib_decode` decides: the gzip magic `1f 8b`, else a
/// valid zlib header (method 8, window ≤ 32 KiB, `CMF·256+FLG` divisible by 31), else raw
/// deflate.
pub(super) fn sniff(data: &[u8]) -> Format {
    match data {
        [0x1f, 0x8b, ..] => Format::Gzip,
        [cmf, flg, ..]
            if cmf & 0x0f == 8
                && cmf >> 4 <= 7
                && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0 =>
        {
            Format::Zlib
        }
        _ => Format::Deflate,
    }
}

/// Why decompression failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InflateError {
    /// The output would pass the limit; reading stopped there.
    TooLarge,
    /// The stream is not valid data of the sniffed format.
    Corrupt(Format),
    /// The stream ends before its end marker.
    Truncated(Format),
}

/// Decompresses `data` (gzip, zlib or raw deflate, sniffed) into at most `limit` bytes.
///
/// Reads through flate2's `Read` decoders one chunk at a time and stops as soon as the output
/// passes `limit`, so a bomb (a few KB that expand to GBs) costs at most `limit` bytes of
/// memory and the time to inflate that much. Like PHP's `zlib_decode`, a stream that looks
/// like zlib but fails as zlib is tried again as raw deflate (a raw stream can start with two
/// bytes that happen to form a valid zlib header).
///
/// A stream cut short is [`InflateError::Truncated`] (flate2 reports it as an unexpected end
/// of file), not a quietly shorter text.
pub(super) fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    match sniff(data) {
        Format::Gzip => read_bounded(flate2::read::GzDecoder::new(data), limit, Format::Gzip),
        Format::Zlib => {
            match read_bounded(flate2::read::ZlibDecoder::new(data), limit, Format::Zlib) {
                Err(InflateError::Corrupt(_)) => {
                    read_bounded(
                        flate2::read::DeflateDecoder::new(data),
                        limit,
                        Format::Deflate,
                    )
                    .map_err(|e| match e {
                        // Report the format the header claimed, not the fallback's.
                        InflateError::Corrupt(_) => InflateError::Corrupt(Format::Zlib),
                        other => other,
                    })
                }
                other => other,
            }
        }
        Format::Deflate => read_bounded(
            flate2::read::DeflateDecoder::new(data),
            limit,
            Format::Deflate,
        ),
    }
}

/// How much one `read` asks for: big enough to keep the per-call overhead low, small enough
/// that overshooting the limit by one chunk does not matter.
const CHUNK: usize = 64 * 1024;

fn read_bounded(
    mut reader: impl Read,
    limit: usize,
    format: Format,
) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::new();
    let mut chunk = vec![0u8; CHUNK];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(InflateError::Truncated(format));
            }
            Err(_) => return Err(InflateError::Corrupt(format)),
        };
        if n > limit.saturating_sub(out.len()) {
            return Err(InflateError::TooLarge);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn sniffs_like_php() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"[]").expect("in-memory write");
        assert_eq!(sniff(&z.finish().expect("in-memory")), Format::Zlib);
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Format::Gzip);
        assert_eq!(sniff(&[0x78, 0x00]), Format::Deflate); // 0x7800 % 31 != 0
        assert_eq!(sniff(&[]), Format::Deflate);
    }

    #[test]
    fn base64_variants() {
        assert_eq!(base64_lenient(b"aGk="), Some(b"hi".to_vec()));
        assert_eq!(base64_lenient(b"aGk"), Some(b"hi".to_vec()));
        assert_eq!(base64_lenient(b" aG\r\nk= "), Some(b"hi".to_vec()));
        assert_eq!(base64_lenient(b"-_8"), base64_lenient(b"+/8"));
        assert_eq!(base64_lenient(b"a{b}"), None);
    }
}

//! The byte-level helpers of PostBack decoding: lenient base64 and bounded decompression.
//!
//! Both are written for hostile input: the inflater streams (it never holds its output), and
//! nothing here panics.

use super::array::Source;
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

/// What an [`Inflater`] holds besides its output (flate2's state and its input buffer), for
/// the decoding budget: miniz_oxide's inflate state is about 43 KB, the `BufReader` 32 KiB.
pub(super) const INFLATER_BYTES: usize = 128 * 1024;

/// Streams the decompressed text of `data` (gzip, zlib or raw deflate, sniffed), at most
/// `limit` bytes of it.
///
/// Streaming so that a bomb (a few KB that expand to GBs) costs one read chunk of memory and
/// the time to inflate up to `limit`; the caller stops reading as soon as it has seen enough
/// (a text that is not a JSON array is refused at its first byte). Like PHP's `zlib_decode`,
/// a stream that looks like zlib but fails as zlib before producing anything is tried again
/// as raw deflate (a raw stream can start with two bytes that happen to form a valid zlib
/// header).
///
/// A stream cut short is [`InflateError::Truncated`] (flate2 reports it as an unexpected end
/// of file), not a quietly shorter text.
pub(super) struct Inflater<'a> {
    data: &'a [u8],
    /// The format the header claimed (named in errors even after the fallback).
    format: Format,
    reader: Box<dyn Read + Send + 'a>,
    fell_back: bool,
    produced: usize,
    limit: usize,
}

impl<'a> Inflater<'a> {
    pub(super) fn new(data: &'a [u8], limit: usize) -> Inflater<'a> {
        let format = sniff(data);
        let reader: Box<dyn Read + Send + 'a> = match format {
            Format::Gzip => Box::new(flate2::read::GzDecoder::new(data)),
            Format::Zlib => Box::new(flate2::read::ZlibDecoder::new(data)),
            Format::Deflate => Box::new(flate2::read::DeflateDecoder::new(data)),
        };
        Inflater {
            data,
            format,
            reader,
            fell_back: false,
            produced: 0,
            limit,
        }
    }
}

impl Source for Inflater<'_> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize, InflateError> {
        loop {
            match self.reader.read(out) {
                Ok(n) => {
                    self.produced += n;
                    if self.produced > self.limit {
                        return Err(InflateError::TooLarge);
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return Err(InflateError::Truncated(self.format));
                }
                Err(_) if self.format == Format::Zlib && self.produced == 0 && !self.fell_back => {
                    self.fell_back = true;
                    self.reader = Box::new(flate2::read::DeflateDecoder::new(self.data));
                }
                Err(_) => return Err(InflateError::Corrupt(self.format)),
            }
        }
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

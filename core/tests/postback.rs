//! PostBack decoding: every framing, the tolerated variations, the hostile bodies.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use flate2::Compression;
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use witi::{
    ErrorCode, EventKind, PostbackLimits, StatusCode, decode_postback, decode_postback_with,
};

/// The seed's connection information example (its `//` comments removed).
const STATUS_EVENT: &str = include_str!("../../tests/fixtures/postback/status_event.json");
const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Clone, Copy, Debug)]
enum Codec {
    Zlib,
    Gzip,
    Deflate,
}

const CODECS: [Codec; 3] = [Codec::Zlib, Codec::Gzip, Codec::Deflate];

fn compress(codec: Codec, data: &[u8]) -> Vec<u8> {
    use flate2::read::{DeflateEncoder, GzEncoder, ZlibEncoder};
    let (level, mut out) = (Compression::default(), Vec::new());
    let read = match codec {
        Codec::Zlib => ZlibEncoder::new(data, level).read_to_end(&mut out),
        Codec::Gzip => GzEncoder::new(data, level).read_to_end(&mut out),
        Codec::Deflate => DeflateEncoder::new(data, level).read_to_end(&mut out),
    };
    read.expect("in-memory");
    out
}

/// `[ "b64(e1)", "b64(e2)", ... ]`
fn b64_array(events: &[&[u8]]) -> String {
    let items: Vec<String> = events.iter().map(|e| STANDARD.encode(e)).collect();
    serde_json::to_string(&items).expect("strings serialize")
}

fn bulk(events: &[&[u8]]) -> Vec<u8> {
    format!("BULK,{}", b64_array(events)).into_bytes()
}

fn bulkgz(codec: Codec, text: &[u8]) -> Vec<u8> {
    format!("BULKGZ,{}", STANDARD.encode(compress(codec, text))).into_bytes()
}

fn jsons(body: &[u8]) -> Vec<String> {
    decode_postback(body)
        .expect("a valid body")
        .into_iter()
        .map(|e| e.json)
        .collect()
}

fn error(body: &[u8]) -> String {
    error_with(body, &PostbackLimits::default())
}

fn error_with(body: &[u8], limits: &PostbackLimits) -> String {
    let e = decode_postback_with(body, limits).expect_err("an invalid body");
    assert_eq!(e.code(), ErrorCode::Postback);
    e.to_string()
}

#[test]
fn plain_json_is_one_event() {
    let events = decode_postback(br#" {"event":"message","id":7} "#).expect("valid");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, EventKind::Unknown);
    assert_eq!(events[0].json, r#"{"event":"message","id":7}"#);
    assert_eq!(events[0].status, None);
}

#[test]
fn status_event_is_parsed() {
    let events = decode_postback(STATUS_EVENT.as_bytes()).expect("valid");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.kind, EventKind::Status);
    assert_eq!(event.kind.as_str(), "status");
    assert_eq!(event.json, STATUS_EVENT.trim());
    let status = event.status.as_ref().expect("kind status carries a Status");
    assert_eq!(status.code, StatusCode::Authenticated);
    assert_eq!(status.status_string, "WhatsAppAuthenticated");
    assert!(status.connected);
    assert_eq!(
        status.web_id.as_deref(),
        Some("6D6307C3-2973-4468-85FA-D047CB8E1F2E")
    );
    let info = status.connection_info.as_ref().expect("ConnectionInfo");
    assert_eq!(info.battery, Some(83));
    assert_eq!(info.is_response, Some(false));
    assert_eq!(status.raw_json, event.json);
}

#[test]
fn plain_array_is_several_events_with_their_own_text() {
    let body = format!(r#"[ {{"b":1,"a":2}}, {STATUS_EVENT}, 42, "x" ]"#);
    let events = decode_postback(body.as_bytes()).expect("valid");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["unknown", "status", "unknown", "unknown"]);
    assert_eq!(
        events[0].json, r#"{"b":1,"a":2}"#,
        "key order and spacing kept"
    );
    assert_eq!(events[1].json, STATUS_EVENT.trim());
    assert_eq!(events[2].json, "42");
    assert_eq!(events[3].json, r#""x""#);
    assert!(decode_postback(b"[]").expect("valid").is_empty());
}

#[test]
fn bulk_items_are_base64_events_in_order() {
    let body = bulk(&[b"{\"n\":1}", STATUS_EVENT.as_bytes(), b"{\"n\":3}"]);
    let events = decode_postback(&body).expect("valid");
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].json, r#"{"n":1}"#);
    assert_eq!(events[1].kind, EventKind::Status);
    assert_eq!(events[2].json, r#"{"n":3}"#);
    assert!(decode_postback(b"BULK,[]").expect("valid").is_empty());
}

#[test]
fn bulk_base64_variants_are_tolerated() {
    let event = br#"{"text":"??>>~~ base64 with + and /"}"#;
    let wrapped = {
        let s = STANDARD.encode(event);
        let (a, b) = s.split_at(10);
        format!("{a}\r\n{b}")
    };
    let items = [
        STANDARD.encode(event),
        STANDARD_NO_PAD.encode(event),
        URL_SAFE_NO_PAD.encode(event),
        wrapped,
    ];
    let body = format!("BULK,{}", serde_json::to_string(&items).expect("serialize"));
    let got = jsons(body.as_bytes());
    assert_eq!(
        got,
        vec![String::from_utf8(event.to_vec()).expect("utf8"); 4]
    );
    // PHP's json_encode escapes `/` as `\/`.
    let escaped = format!("BULK,[\"{}\"]", STANDARD.encode(event).replace('/', "\\/"));
    assert_eq!(jsons(escaped.as_bytes()).len(), 1);
}

#[test]
fn bulk_items_already_in_json_are_tolerated() {
    let body = format!(
        r#"BULK,["{}", {{"inline":true}}]"#,
        STANDARD.encode("{\"n\":1}")
    );
    assert_eq!(jsons(body.as_bytes()), [r#"{"n":1}"#, r#"{"inline":true}"#]);
}

#[test]
fn bulkgz_accepts_zlib_gzip_and_raw_deflate() {
    let array = b64_array(&[b"{\"n\":1}", STATUS_EVENT.as_bytes(), b"[1,2]"]);
    for codec in CODECS {
        let events = decode_postback(&bulkgz(codec, array.as_bytes()))
            .unwrap_or_else(|e| panic!("{codec:?}: {e}"));
        let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventKind::Unknown, EventKind::Status, EventKind::Unknown],
            "{codec:?}"
        );
        assert_eq!(events[2].json, "[1,2]");
    }
}

#[test]
fn bulkgz_base64_may_be_unpadded_quoted_or_wrapped() {
    let compressed = compress(Codec::Zlib, b64_array(&[b"{}"]).as_bytes());
    let b64 = STANDARD_NO_PAD.encode(&compressed);
    let wrapped: String = b64
        .as_bytes()
        .chunks(8)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\n");
    for payload in [b64.clone(), format!("\"{b64}\""), wrapped] {
        assert_eq!(jsons(format!("BULKGZ,{payload}").as_bytes()), ["{}"]);
    }
}

#[test]
fn boms_are_dropped_everywhere() {
    let with_bom = |b: &[u8]| [BOM, b].concat();
    // The body.
    assert_eq!(jsons(&with_bom(b"{\"a\":1}")), [r#"{"a":1}"#]);
    assert_eq!(jsons(&with_bom(&bulk(&[b"{}"]))), ["{}"]);
    // Each event's bytes, in BULK and BULKGZ.
    let event = with_bom(b"{\"a\":1}");
    assert_eq!(jsons(&bulk(&[&event])), [r#"{"a":1}"#]);
    let array = b64_array(&[&event]);
    assert_eq!(
        jsons(&bulkgz(Codec::Gzip, array.as_bytes())),
        [r#"{"a":1}"#]
    );
    // The decompressed text.
    for codec in CODECS {
        let text = with_bom(array.as_bytes());
        assert_eq!(jsons(&bulkgz(codec, &text)), [r#"{"a":1}"#], "{codec:?}");
    }
    // After the `BULKGZ,` / `BULK,` prefix: a run of them, with whitespace.
    let boms = [BOM, b" ", BOM].concat();
    let compressed = STANDARD.encode(compress(Codec::Zlib, array.as_bytes()));
    let after_gz = [b"BULKGZ,", &boms[..], compressed.as_bytes()].concat();
    assert_eq!(jsons(&after_gz), [r#"{"a":1}"#]);
    let after_bulk = [b"BULK, ", &boms[..], array.as_bytes()].concat();
    assert_eq!(jsons(&after_bulk), [r#"{"a":1}"#]);
    // Before an item in the array (outside its quotes): the item's, so still base64 in BULK,
    // and still one item when it is JSON with commas in a plain array.
    let item = format!("\"{}\"", STANDARD.encode(b"{\"a\":1}"));
    let bulk_body = [b"BULK,[", &boms[..], item.as_bytes(), b"]"].concat();
    assert_eq!(jsons(&bulk_body), [r#"{"a":1}"#]);
    let plain = [b"[", &boms[..], br#"{"a":1,"b":2}, "#, BOM, br#"{"c":3}]"#].concat();
    assert_eq!(jsons(&plain), [r#"{"a":1,"b":2}"#, r#"{"c":3}"#]);
}

#[test]
fn whitespace_and_prefix_case_are_tolerated() {
    let array = b64_array(&[b"{}"]);
    for body in [
        format!("\r\n  bulk,{array}\n"),
        format!("Bulk , {array}"),
        format!(
            " bulkgz,{}\n",
            STANDARD.encode(compress(Codec::Zlib, array.as_bytes()))
        ),
    ] {
        assert_eq!(jsons(body.as_bytes()), ["{}"], "{body:?}");
    }
}

#[test]
fn unknown_events_are_kept_whatever_their_shape() {
    let events: [&[u8]; 6] = [
        br#"{"type":"message","status":"read"}"#, // `status` not an integer: not connection info
        br#"{"type":"ack","id":"ABC","status":3}"#, // an integer `status` alone is not either
        b"[1,2,3]",
        b"\"just a string\"",
        b"null",
        br#"{"statusString":"noConnection"}"#,
    ];
    let got = decode_postback(&bulk(&events)).expect("valid");
    assert_eq!(got.len(), 6);
    for (event, sent) in got.iter().zip(events) {
        assert_eq!(event.kind, EventKind::Unknown);
        assert_eq!(event.json.as_bytes(), sent);
        assert!(event.status.is_none());
    }
}

#[test]
fn events_serialize_with_the_kind_string() {
    let events = decode_postback(br#"{"x":1}"#).expect("valid");
    let value = serde_json::to_value(&events[0]).expect("serializable");
    assert_eq!(value["kind"], "unknown");
    assert_eq!(value["json"], r#"{"x":1}"#);
}

#[test]
fn a_bad_item_fails_the_whole_body_and_says_which() {
    let ok = STANDARD.encode("{}");
    let case = |item: &str| format!("BULK,[\"{ok}\",\"{ok}\",\"{ok}\",{item}]").into_bytes();
    assert_eq!(
        error(&case("\"a{b}c\"")),
        "postback: BULK item 3: not valid base64"
    );
    let not_json = STANDARD.encode("{\"secret\": \"SECRET-DATA");
    assert_eq!(
        error(&case(&format!("\"{not_json}\""))),
        "postback: BULK item 3: not valid JSON (truncated)"
    );
    let not_json = STANDARD.encode("SECRET-DATA here");
    let message = error(&case(&format!("\"{not_json}\"")));
    assert_eq!(message, "postback: BULK item 3: not valid JSON");
    let bad_utf8 = STANDARD.encode(b"{\"a\":\"\xff\xfe\"}");
    assert_eq!(
        error(&case(&format!("\"{bad_utf8}\""))),
        "postback: BULK item 3: not valid UTF-8"
    );
    assert_eq!(error(&case("\"\"")), "postback: BULK item 3: empty event");
    assert_eq!(
        error(&case("nope")),
        "postback: BULK item 3: not valid JSON"
    );
}

#[test]
fn malformed_bodies_are_explained_without_their_data() {
    let cases: [(&[u8], &str); 9] = [
        (b"", "postback: empty body"),
        (b" \r\n", "postback: empty body"),
        (b"SECRET-DATA", "postback: plain body: not valid JSON"),
        (
            b"{\"SECRET-DATA\":",
            "postback: plain body: not valid JSON (truncated)",
        ),
        (
            b"BULK,{\"SECRET-DATA\":1}",
            "postback: BULK body: expected a JSON array of events",
        ),
        (
            b"BULK,[\"e30=\"",
            "postback: BULK body: the JSON array is truncated",
        ),
        (
            b"BULK,[\"e30=\"] SECRET",
            "postback: BULK body: text after the end of the JSON array",
        ),
        (
            b"BULKGZ,SECRET{DATA}",
            "postback: BULKGZ body: not valid base64",
        ),
        (b"BULKGZ,", "postback: BULKGZ body: no compressed data"),
    ];
    for (body, expected) in cases {
        assert_eq!(error(body), expected, "{:?}", String::from_utf8_lossy(body));
    }
    // Not compressed at all: sniffed as raw deflate, which fails.
    let body = format!(
        "BULKGZ,{}",
        STANDARD.encode("SECRET-DATA, plainly not deflate data")
    );
    let message = error(body.as_bytes());
    assert!(message.starts_with("postback: BULKGZ body:"), "{message}");
    assert!(!message.contains("SECRET"), "{message}");
    // A zlib stream cut short.
    let mut compressed = compress(Codec::Zlib, b64_array(&[b"{}", b"{}"]).as_bytes());
    compressed.truncate(compressed.len() / 2);
    let message = error(format!("BULKGZ,{}", STANDARD.encode(compressed)).as_bytes());
    assert_eq!(message, "postback: BULKGZ body: the zlib data is truncated");
}

/// A zlib stream that inflates to `mib` MiB of zeros (see [`zlib_bomb_of`]).
fn zlib_bomb(mib: usize) -> Vec<u8> {
    zlib_bomb_of(b"", 0, mib)
}

/// A zlib stream that inflates to `prefix` then `mib` MiB of `filler`, built without ever
/// holding them: one MiB of filler compressed with a sync flush ends on a byte boundary, and
/// every back-reference in the next MiB points at filler, so its bytes can be repeated to
/// make the stream as long as wanted. The checksum at the end is wrong, but a decoder with a
/// limit never gets that far.
fn zlib_bomb_of(prefix: &[u8], filler: u8, mib: usize) -> Vec<u8> {
    let block = vec![filler; 1 << 20];
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(prefix).expect("in-memory write");
    encoder.write_all(&block).expect("in-memory write");
    encoder.flush().expect("in-memory flush");
    let first = encoder.get_ref().len();
    encoder.write_all(&block).expect("in-memory write");
    encoder.flush().expect("in-memory flush");
    let second = encoder.get_ref().len();
    let out = encoder.finish().expect("in-memory");
    let repeated = &out[first..second];
    let mut bomb = out[..first].to_vec();
    for _ in 1..mib {
        bomb.extend_from_slice(repeated);
    }
    bomb.extend_from_slice(&out[second..]);
    bomb
}

#[test]
fn a_zlib_bomb_is_cut_off_at_the_limit() {
    // `[` and 1 GiB of spaces: a valid start, so only the decompressed limit stops it.
    let bomb = zlib_bomb_of(b"[", b' ', 1024);
    let body = format!("BULKGZ,{}", STANDARD.encode(&bomb));
    assert!(
        body.len() < PostbackLimits::default().max_body_bytes,
        "the bomb is a small body"
    );
    let message = error(body.as_bytes());
    assert_eq!(
        message,
        "postback: BULKGZ body: decompressed size exceeds the limit of 67108864 bytes"
    );
    let small = PostbackLimits {
        max_decompressed_bytes: 1 << 20,
        ..PostbackLimits::default()
    };
    assert_eq!(
        error_with(body.as_bytes(), &small),
        "postback: BULKGZ body: decompressed size exceeds the limit of 1048576 bytes"
    );
}

#[test]
fn a_bomb_that_is_not_an_array_stops_at_its_first_chunk() {
    // 1 GiB of zeros: the first inflated byte is not `[`, so nothing more is inflated.
    let body = format!("BULKGZ,{}", STANDARD.encode(zlib_bomb(1024)));
    let started = Instant::now();
    assert_eq!(
        error(body.as_bytes()),
        "postback: BULKGZ body: expected a JSON array of events"
    );
    // Not a speed assertion: inflating 64 MiB takes a fraction of a second even unoptimized,
    // 1 GiB many seconds; this tells "stopped early" from "inflated to the limit".
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn an_event_past_its_limit_is_refused_while_it_streams() {
    // `[{"x":"` and 1 GiB of `a`: one event that never ends, cut at max_event_bytes.
    let bomb = zlib_bomb_of(b"[{\"x\":\"", b'a', 1024);
    let body = format!("BULKGZ,{}", STANDARD.encode(&bomb));
    assert_eq!(
        error(body.as_bytes()),
        "postback: BULKGZ item 0: the event exceeds the limit of 4194304 bytes"
    );
    let plain = format!("{{\"x\":\"{}\"}}", "a".repeat(5 << 20));
    assert_eq!(
        error(plain.as_bytes()),
        "postback: plain body: the event exceeds the limit of 4194304 bytes"
    );
    let limits = PostbackLimits {
        max_event_bytes: 10,
        ..PostbackLimits::default()
    };
    assert_eq!(
        error_with(&bulk(&[b"{}", b"{\"abcdefghij\":1}"]), &limits),
        "postback: BULK item 1: the event exceeds the limit of 10 bytes"
    );
}

#[test]
fn the_bomb_really_expands() {
    let bomb = zlib_bomb(8);
    let mut decoder = flate2::read::ZlibDecoder::new(&bomb[..]);
    let mut chunk = vec![0u8; 1 << 16];
    let mut total = 0;
    // Ends with a checksum error (the trailer is for 2 MiB), which swallows the last read.
    while let Ok(n @ 1..) = decoder.read(&mut chunk) {
        assert!(chunk[..n].iter().all(|&b| b == 0));
        total += n;
    }
    assert!(total >= (8 << 20) - chunk.len(), "{total}");
}

#[test]
fn too_many_events() {
    let limits = PostbackLimits {
        max_events: 3,
        ..PostbackLimits::default()
    };
    let four: [&[u8]; 4] = [b"{}"; 4];
    assert_eq!(
        error_with(&bulk(&four), &limits),
        "postback: BULK body: more than 3 events, the limit"
    );
    assert_eq!(
        decode_postback_with(&bulk(&four[..3]), &limits)
            .expect("valid")
            .len(),
        3
    );
    assert_eq!(
        error_with(b"[1,2,3,4]", &limits),
        "postback: plain body: more than 3 events, the limit"
    );
    let array = b64_array(&four);
    assert_eq!(
        error_with(&bulkgz(Codec::Zlib, array.as_bytes()), &limits),
        "postback: BULKGZ body: more than 3 events, the limit"
    );
    // The limit stops the walk at the first excess item: a broken tail is never reached.
    let body = format!("BULK,{}", b64_array(&four).replace(']', ", garbage"));
    assert_eq!(
        error_with(body.as_bytes(), &limits),
        "postback: BULK body: more than 3 events, the limit"
    );
}

#[test]
fn a_body_over_the_limit_is_refused_before_decoding() {
    let limits = PostbackLimits {
        max_body_bytes: 100,
        ..PostbackLimits::default()
    };
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(200));
    assert_eq!(
        error_with(body.as_bytes(), &limits),
        "postback: body of 210 bytes exceeds the limit of 100 bytes"
    );
    assert!(decode_postback_with(br#"{"a":1}"#, &limits).is_ok());
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    // Valid JSON, however deep, is an event: serde_json skips it without recursing, and the
    // status reading stops at its nesting limit (so such an event is of kind unknown).
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let events = decode_postback(deep.as_bytes()).expect("valid JSON");
    assert_eq!(events.len(), 1);
    let deep_event = format!("{}1{}", "{\"status\":".repeat(100_000), "}".repeat(100_000));
    let events = decode_postback(&bulk(&[deep_event.as_bytes()])).expect("valid JSON");
    assert_eq!(events[0].kind, EventKind::Unknown);
    // Unbalanced: an error, still no overflow.
    assert!(decode_postback("[".repeat(100_000).as_bytes()).is_err());
}

#[test]
fn garbage_never_panics() {
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let small = PostbackLimits {
        max_decompressed_bytes: 1 << 20,
        ..PostbackLimits::default()
    };
    let array = b64_array(&[b"{\"n\":1}", STATUS_EVENT.as_bytes()]);
    let mut valid: Vec<Vec<u8>> = vec![
        STATUS_EVENT.as_bytes().to_vec(),
        format!("[{STATUS_EVENT},1]").into_bytes(),
        bulk(&[b"{\"n\":1}", STATUS_EVENT.as_bytes()]),
    ];
    for codec in CODECS {
        valid.push(bulkgz(codec, array.as_bytes()));
    }
    let mut runs = 0;
    // Every truncated prefix of every valid body, and each with a few random bytes flipped.
    for body in &valid {
        for end in 0..=body.len() {
            let _ = decode_postback_with(&body[..end], &small);
            runs += 1;
        }
        for _ in 0..300 {
            let mut mutated = body.clone();
            for _ in 0..rng.usize(1..4) {
                let i = rng.usize(..mutated.len());
                mutated[i] = rng.u8(..);
            }
            let _ = decode_postback_with(&mutated, &small);
            runs += 1;
        }
    }
    // Random bytes, alone and behind each prefix.
    for _ in 0..3000 {
        let len = rng.usize(0..200);
        let noise: Vec<u8> = (0..len).map(|_| rng.u8(..)).collect();
        for prefix in [&b""[..], b"BULK,", b"BULKGZ,", b"BULK,[\"", b"["] {
            let _ = decode_postback_with(&[prefix, &noise].concat(), &small);
            runs += 1;
        }
        // Random bytes that are valid base64 of random "compressed" data.
        let _ = decode_postback_with(
            format!("BULKGZ,{}", STANDARD.encode(&noise)).as_bytes(),
            &small,
        );
        runs += 1;
    }
    assert!(runs > 10_000);
}

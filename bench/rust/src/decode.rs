//! `witi::decode_postback` against what a Rust developer would write with the same crates.

use crate::{Args, human, median, verdict};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde_json::{Value, json};
use std::hint::black_box;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn run(args: &Args) {
    let budget = Duration::from_secs_f64(if args.quick { 0.5 } else { 3.0 });
    let events: Vec<String> = (0..1_000).map(status_event).collect();
    let avg = events.iter().map(String::len).sum::<usize>() / events.len();
    println!();
    println!(
        "decode_postback: median time per body ({avg} B per event; alternative = flate2 + serde_json + base64 by hand)"
    );
    println!(
        "{:<24} {:>10} {:>12} {:>12}  ratio",
        "body", "size", "witi", "alternative"
    );
    let cases = [
        ("BULKGZ, 1000 events", bulkgz(&events)),
        ("BULKGZ, 100 events", bulkgz(&events[..100])),
        ("BULKGZ, 10 events", bulkgz(&events[..10])),
        ("plain JSON, 1 event", events[0].clone().into_bytes()),
    ];
    for (name, body) in &cases {
        check_same(body);
        let (witi, alt) = compare(budget, || witi_decode(body), || alternative(body));
        let key = match *name {
            "BULKGZ, 1000 events" => "decode_bulkgz1000",
            "plain JSON, 1 event" => "decode_plain1",
            _ => "",
        };
        if !key.is_empty() {
            // A row of bench/all.sh's table: witi's speed over the alternative's.
            println!(
                "TABLE\t{key}\t{:.2}\tby hand\t{}\t{}",
                alt.as_secs_f64() / witi.as_secs_f64(),
                human(witi),
                human(alt)
            );
        }
        println!(
            "{:<24} {:>10} {:>12} {:>12}  {}",
            name,
            format!("{:.1} KB", body.len() as f64 / 1024.0),
            human(witi),
            human(alt),
            verdict(witi.as_secs_f64() / alt.as_secs_f64())
        );
    }
}

/// One connection-information event like the API documentation's `status.aspx` example,
/// varied per index so that the compressed body is realistic (not 1,000 identical copies).
pub fn status_event(i: usize) -> String {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut next = |m: u64| {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x % m
    };
    let web_id = format!(
        "{:08X}-{:04X}-{:04X}-{:04X}-{:012X}",
        next(1 << 32),
        next(1 << 16),
        next(1 << 16),
        next(1 << 16),
        next(1 << 48)
    );
    let names = [
        "Atendimento Maria",
        "Loja Centro",
        "Suporte 24h",
        "Vendas SP",
        "Clínica São José",
    ];
    let (code, text, connected) = [
        (10, "WhatsAppAuthenticated", true),
        (11, "WhatsAppAuthenticatedConnectionClosed", false),
        (4, "Starting", false),
    ][next(3) as usize];
    json!({
        "status": code,
        "statusString": text,
        "connected": connected,
        "ConnectionInfo": {
            "lg": "en", "lc": "US",
            "phone": {
                "device_model": "iPhone 4S", "wa_version": format!("2.21.{}.{}", next(20), next(40)),
                "mcc": "724", "os_version": "9.3.5", "os_build_number": "undefined",
                "device_manufacturer": "Apple", "mnc": "031"
            },
            "battery": next(101), "tos": 0,
            "pushname": names[next(names.len() as u64) as usize],
            "protoVersion": [0, 17], "plugged": next(2) == 1, "platform": "iphone",
            "wid": format!("55119{:08}@s.whatsapp.net", next(100_000_000)),
            "connected": connected, "isResponse": "false", "binVersion": 10,
            "locales": "en-US,pt-BR"
        },
        "WebID": web_id,
        "Webhook": format!("http://my-erp.com.br/whatsapp/postback.php?client={}&wid={web_id}", next(10_000)),
        "UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "CanRestoreConnection": true,
        "stats": { "Contacts": next(5_000), "Chats": next(800), "SentBytes": next(1 << 30), "ReceveidBytes": next(1 << 30) },
        "storage": {
            "Name": web_id, "Bytes": next(1 << 34), "Files": next(2_000),
            "Subs": [
                { "Name": "media", "Bytes": next(1 << 33), "Files": next(1_000), "Subs": null },
                { "Name": "profile", "Bytes": next(1 << 24), "Files": next(200), "Subs": null },
                { "Name": "thumb", "Bytes": next(1 << 22), "Files": next(200), "Subs": null }
            ]
        }
    })
    .to_string()
}

/// `BULK,` + a JSON array of base64 events.
pub fn bulk(events: &[String]) -> Vec<u8> {
    let items: Vec<String> = events.iter().map(|e| B64.encode(e)).collect();
    format!(
        "BULK,{}",
        serde_json::to_string(&items).expect("strings serialize")
    )
    .into_bytes()
}

/// `BULKGZ,` + base64 of zlib of (BOM + a JSON array of base64 events), as API 1.1 sends.
pub fn bulkgz(events: &[String]) -> Vec<u8> {
    let items: Vec<String> = events.iter().map(|e| B64.encode(e)).collect();
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    zlib.write_all(BOM).unwrap();
    zlib.write_all(serde_json::to_string(&items).unwrap().as_bytes())
        .unwrap();
    let compressed = zlib.finish().unwrap();
    format!("BULKGZ,{}", B64.encode(compressed)).into_bytes()
}

fn witi_decode(body: &[u8]) -> Vec<witi::Event> {
    witi::decode_postback(black_box(body)).expect("witi decodes the body")
}

/// The obvious hand-written decoder: the same crates, no tolerance of variants, no limits.
fn alternative(body: &[u8]) -> Vec<Value> {
    let body = black_box(body);
    if let Some(payload) = body.strip_prefix(b"BULKGZ,") {
        let compressed = B64.decode(payload).expect("base64");
        let mut text = Vec::new();
        ZlibDecoder::new(&compressed[..])
            .read_to_end(&mut text)
            .expect("zlib");
        let text = text.strip_prefix(BOM).unwrap_or(&text);
        let items: Vec<String> = serde_json::from_slice(text).expect("JSON array");
        items
            .iter()
            .map(|item| serde_json::from_slice(&B64.decode(item).expect("base64")).expect("JSON"))
            .collect()
    } else {
        vec![serde_json::from_slice(body).expect("JSON")]
    }
}

/// Before timing: both decoders find the same events, and witi reads them as status events.
fn check_same(body: &[u8]) {
    let ours = witi_decode(body);
    let theirs = alternative(body);
    assert_eq!(ours.len(), theirs.len(), "event counts differ");
    for (event, value) in ours.iter().zip(&theirs) {
        assert_eq!(event.kind, witi::EventKind::Status);
        assert_eq!(&serde_json::from_str::<Value>(&event.json).unwrap(), value);
    }
}

/// Median time per call of `a` and of `b`, sampled alternately (so that noise from other
/// processes hits both alike) after a warm-up, for about `budget` in all. A sample times a
/// batch of calls long enough (≥ ~1 ms) that the clock's own cost does not count.
fn compare<A, B, RA, RB>(budget: Duration, mut a: A, mut b: B) -> (Duration, Duration)
where
    A: FnMut() -> RA,
    B: FnMut() -> RB,
{
    let batch = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < Duration::from_millis(1) {
            f();
            n += 1;
        }
        n
    };
    let mut run_a = || drop(black_box(a()));
    let mut run_b = || drop(black_box(b()));
    // Warm-up (caches, allocator, branch predictors) and batch sizing.
    let warm = Instant::now();
    let (mut na, mut nb) = (1, 1);
    while warm.elapsed() < budget / 10 {
        na = batch(&mut run_a);
        nb = batch(&mut run_b);
    }
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while (start.elapsed() < budget || sa.len() < 5) && sa.len() < 10_000 {
        for (n, f, samples) in [
            (na, &mut run_a as &mut dyn FnMut(), &mut sa),
            (nb, &mut run_b, &mut sb),
        ] {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            samples.push(t.elapsed() / n);
        }
    }
    (median(&mut sa), median(&mut sb))
}

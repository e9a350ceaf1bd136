//! The QR code decodes back to the payload the control API reports; the standalone binary
//! prints its URL line, answers, and exits on stdin EOF and on SIGTERM; sync use works.

mod common;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use serde_json::json;
use witi_sim::{SimConfig, Simulator};

/// Rasterizes the simulator's SVG (documented shape: a background rect and one path of
/// `M{x} {y}h{n}v1h-{n}z` runs, in module units) into a greyscale bitmap, `scale` px a module.
fn rasterize(svg: &str, scale: usize) -> (usize, Vec<u8>) {
    let vb = svg.split("viewBox=\"0 0 ").nth(1).expect("viewBox");
    let side: usize = vb.split(' ').next().unwrap().parse().expect("side");
    let d = svg
        .split(" d=\"")
        .nth(1)
        .expect("path d")
        .split('"')
        .next()
        .unwrap();
    let px = side * scale;
    let mut img = vec![255u8; px * px];
    for run in d.split('M').filter(|r| !r.is_empty()) {
        // "{x} {y}h{n}v1h-{n}z"
        let (xy, rest) = run.split_once('h').expect("h");
        let (x, y) = xy.split_once(' ').expect("x y");
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let n: usize = rest.split('v').next().unwrap().parse().unwrap();
        assert!(rest.ends_with(&format!("v1h-{n}z")), "run {run}");
        for my in y * scale..(y + 1) * scale {
            for mx in x * scale..(x + n) * scale {
                img[my * px + mx] = 0;
            }
        }
    }
    (px, img)
}

#[tokio::test]
async fn qr_decodes_to_the_reported_payload() {
    let sim = sim().await;
    let (_, qr) = post(&sim, "generate_qrcode.aspx", "q", json!({})).await;
    let data_url = qr["qr"].as_str().unwrap();
    let b64 = data_url
        .strip_prefix("data:image/svg+xml;base64,")
        .expect("data URL");
    let svg = String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap();
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let (px, img) = rasterize(&svg, 4);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| img[y * px + x]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    let (_, content) = grids[0].decode().expect("decodes");
    let reported = sim.instance("q").unwrap().qr_payload.unwrap();
    assert_eq!(content, reported);
    assert!(content.starts_with("2@") && (100..=200).contains(&content.len()));
    sim.shutdown().await;
}

fn spawn_binary(extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_witi-sim"))
        .args(["--port", "0", "--qr-ttl", "2.5"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim_end()
        .strip_prefix("witi-sim listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    (child, url)
}

fn wait_exit(child: &mut std::process::Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn binary_prints_url_answers_and_exits_on_stdin_eof() {
    let (mut child, url) = spawn_binary(&["--exit-on-stdin-eof"]);
    let resp = client()
        .post(format!("{url}generate_qrcode.aspx?wid=bin"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp).await["ttl"], 3, "--qr-ttl 2.5 rounds up");
    let resp = client()
        .get(format!("{url}status.aspx?wid=bin"))
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(resp).await["status"], 3);
    drop(child.stdin.take()); // EOF
    let status = wait_exit(&mut child, Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut rest)
        .unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}

#[cfg(unix)]
#[tokio::test]
async fn binary_exits_cleanly_on_sigterm() {
    let (mut child, url) = spawn_binary(&[]);
    let resp = client()
        .get(format!("{url}_sim/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut child, Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
}

#[test]
fn blocking_use_with_a_raw_http_client() {
    let sim = Simulator::start_blocking(SimConfig::default()).expect("starts");
    let mut stream = std::net::TcpStream::connect(sim.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET /status.aspx?wid=sync HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"statusString\":\"noConnection\""));
    assert_eq!(sim.instance("sync").unwrap().calls["status.aspx"], 1);
    sim.shutdown_blocking();
}

#[tokio::test]
async fn start_blocking_inside_a_runtime_is_refused() {
    assert!(Simulator::start_blocking(SimConfig::default()).is_err());
}

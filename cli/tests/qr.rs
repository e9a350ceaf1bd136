//! The terminal QR as a person sees it: the CLI runs in a pty (util-linux `script`) of a given
//! size, its output is played into a terminal emulator (`vt100`), and the screen is read the
//! way a phone's camera would see it under a dark and a light theme: each half block takes the
//! colour it is drawn in (the theme's text colour unless ANSI codes say otherwise), the rest
//! the background's. A QR counts only if rqrr decodes it from that picture, without trying the
//! inverted picture (many phone scanners do not).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use common::*;
use witi_sim::{Fault, FaultKind, InstanceConfig, Simulator};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr-svg");

fn corpus_payload() -> String {
    std::fs::read_to_string(format!("{CORPUS}/payload.txt"))
        .expect("payload.txt")
        .trim_end()
        .to_owned()
}

fn has_script() -> bool {
    let ok = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: util-linux `script` is not installed");
    }
    ok
}

/// The next `generate_qrcode` answers (`times` of them) carry `svg`, valid `ttl` seconds.
fn serve_svg(sim: &Simulator, svg: &str, ttl: u32, times: u64) {
    let data_url = format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    );
    let body = serde_json::json!({"qr": data_url, "status": 1, "error": "", "ttl": ttl});
    sim.add_fault(
        Fault::new("generate_qrcode", FaultKind::HttpStatus)
            .status(200)
            .body(body.to_string())
            .times(times),
    )
    .expect("fault");
}

/// A simulator whose phone scans each QR `ms` after it is generated.
fn scanning_sim(ms: u64) -> Simulator {
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            auto_scan_after_ms: Some(Some(ms)),
            starting_delay_ms: Some(100),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    sim
}

/// Runs `witi ARGS` in a pty of `columns`×`rows` with `env` (TERM=xterm unless given);
/// returns every byte the terminal received.
fn in_pty(
    sim: &Simulator,
    (columns, rows): (u16, u16),
    args: &str,
    env: &[(&str, &str)],
) -> Vec<u8> {
    let line = format!(
        "stty rows {rows} cols {columns}; exec {} {args}",
        env!("CARGO_BIN_EXE_witi")
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .env("WITI_API_KEY", KEY)
        .env("WITI_BASE_URL", sim.url())
        .env("TMPDIR", env!("CARGO_TARGET_TMPDIR"))
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(KEY), "the key leaked: {text}");
    out.stdout
}

#[derive(Clone, Copy, Debug)]
enum Theme {
    Dark,
    Light,
}

/// Whether `color` looks light under `theme`, as the text colour (`fg`) or the background.
fn light(color: vt100::Color, fg: bool, theme: Theme) -> bool {
    match color {
        vt100::Color::Default => matches!(theme, Theme::Dark) == fg,
        // The 16 ANSI colours: only white and the bright ones but black are light.
        vt100::Color::Idx(i) => i == 7 || (9..=15).contains(&i),
        vt100::Color::Rgb(r, g, b) => {
            299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) > 128_000
        }
    }
}

/// The screen after `bytes`, `rows` tall (only what is then in view), as a picture in
/// `theme`: one pixel per module (two per cell, stacked), `true` = light.
fn picture(bytes: &[u8], columns: u16, rows: u16, theme: Theme) -> Vec<Vec<bool>> {
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
    let mut parser = vt100::Parser::new(size(rows), size(columns), 0);
    parser.process(bytes);
    let screen = parser.screen();
    let mut picture = Vec::new();
    for row in 0..rows {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for col in 0..columns {
            let cell = screen.cell(row, col).expect("a cell in range");
            let (mut fg, mut bg) = (
                light(cell.fgcolor(), true, theme),
                light(cell.bgcolor(), false, theme),
            );
            if cell.inverse() {
                std::mem::swap(&mut fg, &mut bg);
            }
            let (t, b) = match cell.contents() {
                "█" => (fg, fg),
                "▀" => (fg, bg),
                "▄" => (bg, fg),
                // Text and blanks: the background (text is too thin to matter to a camera).
                _ => (bg, bg),
            };
            top.push(t);
            bottom.push(b);
        }
        picture.push(top);
        picture.push(bottom);
    }
    picture
}

/// The payloads a phone reads off the picture (no inverted reading, a margin of background).
fn scan_picture(picture: &[Vec<bool>], theme: Theme) -> Vec<String> {
    let scale = 4;
    let margin = 8 * scale;
    let height = picture.len();
    let width = picture.first().map_or(0, Vec::len);
    let paper = matches!(theme, Theme::Light);
    let (w, h) = (width * scale + 2 * margin, height * scale + 2 * margin);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let inside = |v: usize, n: usize| v >= margin && (v - margin) / scale < n;
        let is_light = if inside(x, width) && inside(y, height) {
            picture[(y - margin) / scale][(x - margin) / scale]
        } else {
            paper
        };
        if is_light { 255 } else { 0 }
    });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect()
}

/// What a phone reads off the whole output (a screen tall enough that nothing scrolls away).
fn scan_all(bytes: &[u8], columns: u16, theme: Theme) -> Vec<String> {
    scan_picture(&picture(bytes, columns, 400, theme), theme)
}

/// Half-block characters anywhere in the output.
fn blocks(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| matches!(c, '█' | '▀' | '▄'))
        .count()
}

/// The two paths of the line `Open X (or Y) and scan it.`, checked to exist.
fn saved_files(text: &str) -> (PathBuf, PathBuf) {
    let line = text
        .lines()
        .find_map(|l| l.trim_end_matches('\r').strip_prefix("Open "))
        .unwrap_or_else(|| panic!("no `Open` line:\n{text}"));
    let (png, rest) = line.split_once(" (or ").expect("two paths");
    let svg = rest.strip_suffix(") and scan it.").expect("the end");
    let (png, svg) = (PathBuf::from(png), PathBuf::from(svg));
    assert!(png.is_file() && svg.is_file(), "{line}");
    (png, svg)
}

/// The payload of a saved PNG.
fn decode_png(path: &Path) -> Option<String> {
    let pixmap = resvg::tiny_skia::Pixmap::load_png(path).expect("a PNG");
    let width = pixmap.width() as usize;
    let pixels = pixmap.pixels();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width, pixmap.height() as usize, |x, y| {
            pixels[y * width + x].green()
        });
    let grids = prepared.detect_grids();
    grids.first()?.decode().ok().map(|(_, content)| content)
}

/// Every file of the corpus (real generators' SVGs), served by the simulator and shown by
/// `witi qrcode` in a colour terminal: the drawing scans under a dark and a light theme.
#[test]
fn every_corpus_file_scans_off_the_terminal_in_both_themes() {
    if !has_script() {
        return;
    }
    let payload = corpus_payload();
    let sim = sim();
    let mut files = 0;
    for entry in std::fs::read_dir(CORPUS).expect("the corpus") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        files += 1;
        let svg = std::fs::read_to_string(&path).expect("an SVG");
        serve_svg(&sim, &svg, 20, 1);
        let out = in_pty(&sim, (100, 50), "qrcode", &[]);
        for theme in [Theme::Dark, Theme::Light] {
            assert_eq!(
                scan_all(&out, 100, theme),
                [payload.as_str()],
                "{} in a {theme:?} theme:\n{}",
                path.display(),
                String::from_utf8_lossy(&out)
            );
        }
    }
    assert_eq!(files, 16);
}

/// Without colours (`--invert` / `--no-invert`), the drawing scans in the theme it was asked
/// for, and not in the other (which is why the CLI does not guess).
#[test]
fn plain_drawings_scan_in_the_theme_they_are_drawn_for() {
    if !has_script() {
        return;
    }
    let sim = sim();
    for (flag, right, wrong) in [
        ("--invert", Theme::Dark, Theme::Light),
        ("--no-invert", Theme::Light, Theme::Dark),
    ] {
        let out = in_pty(&sim, (100, 50), &format!("{flag} qrcode"), &[]);
        let payload = sim
            .instance(KEY)
            .and_then(|s| s.qr_payload)
            .expect("a live QR");
        assert!(!out.contains(&0x1b), "{flag}: no escape codes");
        assert_eq!(scan_all(&out, 100, right), [payload.as_str()], "{flag}");
        assert!(scan_all(&out, 100, wrong).is_empty(), "{flag} in {wrong:?}");
    }
}

/// `TERM=dumb` gets no escape codes at all (no colours, no spinner); `NO_COLOR` gets no
/// colours. Without `--invert` / `--no-invert` the QR is saved, not drawn; with one it is
/// drawn in plain characters.
#[test]
fn without_colours_the_qr_is_saved_unless_a_theme_is_given() {
    if !has_script() {
        return;
    }
    for (env, reason) in [
        (("TERM", "dumb"), "TERM is dumb or unset"),
        (("NO_COLOR", "1"), "NO_COLOR is set"),
    ] {
        let sim = scanning_sim(1500);
        let out = in_pty(&sim, (100, 50), "connect --wait 20", &[env]);
        let text = String::from_utf8_lossy(&out);
        if env.0 == "TERM" {
            assert!(!out.contains(&0x1b), "escape codes with TERM=dumb:\n{text}");
        }
        assert!(!text.contains("\x1b[30;47m"), "colours with {env:?}");
        assert_eq!(blocks(&out), 0, "drawn with {env:?}:\n{text}");
        assert!(
            text.contains(&format!(
                "{reason}: the QR code is not drawn (--invert draws it for a dark background, --no-invert for a light one)."
            )),
            "{text}"
        );
        let (png, svg) = saved_files(&text);
        let payload = decode_png(&png).expect("the saved PNG scans");
        assert!(payload.starts_with("2@"));
        assert!(std::fs::read_to_string(svg).expect("svg").contains("<svg"));
        assert!(text.contains("Connected: "), "{text}");

        let sim = scanning_sim(1500);
        let out = in_pty(&sim, (100, 50), "--no-invert connect --wait 20", &[env]);
        let text = String::from_utf8_lossy(&out);
        if env.0 == "TERM" {
            assert!(!out.contains(&0x1b), "escape codes with TERM=dumb:\n{text}");
        }
        let read = scan_all(&out, 100, Theme::Light);
        assert_eq!(read.len(), 1, "{text}");
        assert!(read[0].starts_with("2@"));
        assert!(text.contains("Connected: "), "{text}");
    }
}

//! A terminal as a person sees it, for the CLI's tests: the CLI runs in a pty (util-linux
//! `script`) of a given size, its output is played into a terminal emulator (`vt100`), and the
//! screen is read the way a phone's camera would see it under a dark or a light theme: each
//! half block takes the colour it is drawn in (the theme's text colour unless ANSI codes say
//! otherwise), the rest the background's. A QR counts only if rqrr decodes it from that
//! picture, without trying the inverted picture (many phone scanners do not).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use witi_sim::Simulator;

use super::KEY;

/// Whether util-linux `script` is here (the pty tests are skipped, and say so, without it).
pub fn has_script() -> bool {
    let ok = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: util-linux `script` is not installed");
    }
    ok
}

/// Runs `witi ARGS` in a pty of `columns`×`rows` with `env` (TERM=xterm unless given);
/// returns every byte the terminal received.
pub fn in_pty(
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
pub enum Theme {
    Dark,
    Light,
}

/// Whether `color` looks light under `theme`, as the text colour (`fg`) or the background.
pub fn light(color: vt100::Color, fg: bool, theme: Theme) -> bool {
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
pub fn picture(bytes: &[u8], columns: u16, rows: u16, theme: Theme) -> Vec<Vec<bool>> {
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
pub fn scan_picture(picture: &[Vec<bool>], theme: Theme) -> Vec<String> {
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
pub fn scan_all(bytes: &[u8], columns: u16, theme: Theme) -> Vec<String> {
    scan_picture(&picture(bytes, columns, 400, theme), theme)
}

/// Lines of a coloured drawing (white background) on the screen after `bytes`, `rows` tall.
pub fn drawing_lines(bytes: &[u8], columns: u16, rows: u16) -> usize {
    let size = |n: u16| std::num::NonZeroU16::new(n).expect("a size");
    let mut parser = vt100::Parser::new(size(rows), size(columns), 0);
    parser.process(bytes);
    let screen = parser.screen();
    (0..rows)
        .filter(|&row| {
            (0..columns).any(|col| {
                screen
                    .cell(row, col)
                    .is_some_and(|c| c.bgcolor() == vt100::Color::Idx(7))
            })
        })
        .count()
}

/// Half-block characters anywhere in the output.
pub fn blocks(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| matches!(c, '█' | '▀' | '▄'))
        .count()
}

/// The two paths of the line `Open X (or Y) and scan it.`, checked to exist.
pub fn saved_files(text: &str) -> (PathBuf, PathBuf) {
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
pub fn decode_png(path: &Path) -> Option<String> {
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

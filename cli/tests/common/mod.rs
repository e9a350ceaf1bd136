//! Shared by the CLI's tests: a simulator on loopback (started by each test), the built `witi`
//! binary run against it, and a reader that turns a terminal QR back into its payload.
#![allow(dead_code)] // each test file uses a part

pub mod screen;

use std::process::{Command, Output, Stdio};

use witi_sim::{SimConfig, Simulator};

/// A key no output may ever contain.
pub const KEY: &str = "cli-secret-key-Zq81";

pub fn sim() -> Simulator {
    Simulator::start_blocking(SimConfig::default()).expect("simulator starts on loopback")
}

/// The built binary, with the simulator's URL and `KEY`, a clean environment for colours, and
/// the build's own temporary folder (where QR images that are not drawn are saved).
pub fn witi(sim: &Simulator) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_witi"));
    cmd.env("WITI_API_KEY", KEY)
        .env("WITI_BASE_URL", sim.url())
        .env("TMPDIR", env!("CARGO_TARGET_TMPDIR"))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the witi binary runs");
    let run = Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    };
    assert!(
        !run.stdout.contains(KEY) && !run.stderr.contains(KEY),
        "the key leaked: {} {}",
        run.stdout,
        run.stderr
    );
    run
}

/// The modules of the half-block drawings in `text` (one grid per drawing: consecutive lines
/// made only of block characters and spaces).
pub fn drawings(text: &str) -> Vec<Vec<Vec<bool>>> {
    let mut grids = Vec::new();
    let mut grid: Vec<Vec<bool>> = Vec::new();
    for line in text.lines() {
        let line = line.replace("\x1b[30;47m", "").replace("\x1b[0m", "");
        let is_drawing =
            !line.trim().is_empty() && line.chars().all(|c| matches!(c, '█' | '▀' | '▄' | ' '));
        let blank_margin = !grid.is_empty() && line.chars().all(|c| c == ' ') && !line.is_empty();
        if is_drawing || blank_margin {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                top.push(matches!(c, '█' | '▀'));
                bottom.push(matches!(c, '█' | '▄'));
            }
            grid.push(top);
            grid.push(bottom);
        } else if !grid.is_empty() {
            grids.push(std::mem::take(&mut grid));
        }
    }
    if !grid.is_empty() {
        grids.push(grid);
    }
    grids
}

/// Decodes one drawing the way a phone's camera would see it: scaled up, with a white margin.
pub fn decode(grid: &[Vec<bool>]) -> Option<String> {
    let scale = 6;
    let margin = 4 * scale;
    let w = grid.iter().map(Vec::len).max()? * scale + 2 * margin;
    let h = grid.len() * scale + 2 * margin;
    let pixel = |x: usize, y: usize| -> u8 {
        if x < margin || y < margin {
            return 255;
        }
        let (mx, my) = ((x - margin) / scale, (y - margin) / scale);
        let dark = grid
            .get(my)
            .and_then(|row| row.get(mx))
            .copied()
            .unwrap_or(false);
        if dark { 0 } else { 255 }
    };
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, pixel);
    let grids = prepared.detect_grids();
    grids.first()?.decode().ok().map(|(_, content)| content)
}

//! The terminal QR as a person sees it, in a pty of a given size read through a terminal
//! emulator under a dark and a light theme (`common/screen.rs`): every file of the corpus, the
//! plain drawings, no colours, windows too small or just big enough, and the fallback files.

mod common;

use std::path::Path;
use std::process::Stdio;

use base64::Engine as _;
use common::screen::*;
use common::*;
use witi_sim::{Fault, FaultKind, InstanceConfig, Simulator};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr-svg");

fn corpus_payload() -> String {
    std::fs::read_to_string(format!("{CORPUS}/payload.txt"))
        .expect("payload.txt")
        .trim_end()
        .to_owned()
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
        (("TERM", "dumb"), "TERM is dumb"),
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

/// In 80×24 the simulator's QR (165 characters: 57 columns × 29 lines, and the lines under
/// it) cannot be seen whole: one line says so, the SVG and a PNG are saved, nothing is drawn.
#[test]
fn a_terminal_too_small_gets_the_files_instead_of_a_drawing() {
    if !has_script() {
        return;
    }
    let sim = scanning_sim(1500);
    let out = in_pty(&sim, (80, 24), "connect --wait 20", &[]);
    let text = String::from_utf8_lossy(&out);
    assert_eq!(blocks(&out), 0, "nothing drawn:\n{text}");
    assert!(
        text.contains("The QR code needs a terminal of 57×31 (columns×lines); this one is 80×24."),
        "{text}"
    );
    let (png, svg) = saved_files(&text);
    let payload = decode_png(&png).expect("the saved PNG scans");
    assert!(payload.starts_with("2@"));
    assert!(std::fs::read_to_string(svg).expect("svg").contains("<svg"));
    assert!(text.contains("Connected: "), "{text}");
}

/// The simulator's QR (57 columns × 29 lines) with the scan hint (65 characters) and the
/// spinner's line under it: in windows just big enough (65×31; 57×32, where the hint wraps),
/// one line or one column short, and a big one. Where it is drawn, the screen at the moment
/// the spinner starts shows all of it: it scans off the visible screen alone.
#[test]
fn the_qr_is_drawn_exactly_when_it_fits_and_then_it_is_seen_whole() {
    if !has_script() {
        return;
    }
    for (size, fits) in [
        ((65, 31), true),
        ((65, 30), false),
        ((64, 31), false),
        ((57, 32), true),
        ((56, 40), false),
        ((120, 60), true),
    ] {
        let sim = scanning_sim(1500);
        let out = in_pty(&sim, size, "connect --wait 20", &[]);
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("Connected: "), "{text}");
        if !fits {
            assert_eq!(blocks(&out), 0, "{size:?}: nothing drawn:\n{text}");
            saved_files(&text);
            continue;
        }
        let spinner = text
            .find("waiting for the scan")
            .expect("the spinner started");
        let (columns, rows) = size;
        let printed = drawing_lines(&out, columns, 400);
        assert_eq!(printed, 29, "{size:?}: one drawing:\n{text}");
        assert_eq!(
            drawing_lines(&out[..spinner], columns, rows),
            printed,
            "{size:?}: every line of the drawing in view:\n{text}"
        );
        for theme in [Theme::Dark, Theme::Light] {
            let screen = picture(&out[..spinner], columns, rows, theme);
            let read = scan_picture(&screen, theme);
            assert_eq!(read.len(), 1, "{size:?} {theme:?}: seen whole:\n{text}");
            assert!(read[0].starts_with("2@"));
        }
    }
}

/// `witi qrcode` (no spinner: the validity line and the cursor's under the drawing) in a
/// window of exactly the drawing's lines plus those two, and one line fewer.
#[test]
fn qrcode_fits_with_its_validity_line() {
    if !has_script() {
        return;
    }
    let payload = corpus_payload();
    let svg = std::fs::read_to_string(format!("{CORPUS}/segno_default.svg")).expect("svg");
    let sim = sim();
    for (rows, fits) in [(31, true), (30, false)] {
        serve_svg(&sim, &svg, 20, 1);
        let out = in_pty(&sim, (57, rows), "qrcode", &[]);
        let text = String::from_utf8_lossy(&out);
        if fits {
            let screen = picture(&out, 57, rows, Theme::Dark);
            assert_eq!(
                scan_picture(&screen, Theme::Dark),
                [payload.as_str()],
                "{text}"
            );
            assert!(text.contains("valid 20 s"));
        } else {
            assert_eq!(blocks(&out), 0, "{text}");
            let (png, _) = saved_files(&text);
            assert_eq!(decode_png(&png).as_deref(), Some(payload.as_str()));
        }
    }
}

/// The attack on the old fallback (`$TMPDIR/witi-qr-<pid>.svg`, written through a planted
/// symlink): the link is planted for the running CLI's own pid before its image arrives, and
/// the file it points at is left alone; the image is saved in a private folder instead.
#[cfg(unix)]
#[test]
fn a_symlink_planted_at_the_old_predictable_path_is_not_followed() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a TMPDIR");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let sim = sim();
    sim.set_instance_config(
        KEY,
        InstanceConfig {
            qr_ttl_ms: Some(1000),
            ..InstanceConfig::default()
        },
    )
    .expect("config");
    // The first QR arrives after 1 s (drawn); the next is an image with no QR in it.
    sim.add_fault(
        Fault::new("generate_qrcode", FaultKind::Latency)
            .latency_ms(1000)
            .times(1),
    )
    .expect("fault");
    let undecodable =
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="3"/></svg>"#;
    serve_svg(&sim, undecodable, 1, 1);
    let child = witi(&sim)
        .args(["--no-invert", "connect", "--wait", "4"])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let planted = tmp.path().join(format!("witi-qr-{}.svg", child.id()));
    std::os::unix::fs::symlink(&victim, &planted).expect("plant");
    let out = child.wait_with_output().expect("ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "gives up waiting:\n{stdout}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious",
        "written through the link:\n{stdout}"
    );
    assert!(
        stdout.contains("This QR image cannot be drawn here."),
        "{stdout}"
    );
    let (png, svg) = saved_files(&stdout);
    assert_eq!(std::fs::read_to_string(&svg).expect("svg"), undecodable);
    let folder = svg.parent().expect("a folder");
    assert_eq!(png.parent(), Some(folder));
    assert_eq!(folder.parent(), Some(tmp.path()));
    assert!(
        folder
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("witi-qr-") && n != planted.to_string_lossy()),
    );
    let mode = |p: &Path| {
        std::fs::symlink_metadata(p)
            .expect("exists")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(folder), 0o700);
    assert_eq!(mode(&svg), 0o600);
}

//! Every cell of the pairing table (`machine.rs`), without a server.

use super::*;

fn status(code: i64) -> Status {
    let code = StatusCode::from_code(code);
    Status {
        code,
        status_string: code.wire_string().unwrap_or("Unknown").to_owned(),
        connected: code == StatusCode::Authenticated,
        connection_info: None,
        web_id: None,
        webhook: None,
        user_agent: None,
        can_restore_connection: false,
        stats: None,
        storage: None,
        raw_json: String::new(),
    }
}

fn restorable(code: i64) -> Status {
    Status {
        can_restore_connection: true,
        ..status(code)
    }
}

const TTL: Duration = Duration::from_secs(20);

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

/// A machine with a QR code made at `t0`.
fn with_qr(t0: Instant) -> Machine {
    let mut m = Machine::new(true);
    assert_eq!(m.decide(&status(0), t0), Action::NewQr);
    m.qr_made(t0, TTL);
    m
}

#[test]
fn ten_is_done_in_every_phase() {
    let t0 = Instant::now();
    assert_eq!(Machine::new(true).decide(&status(10), t0), Action::Done);
    let mut m = with_qr(t0);
    assert_eq!(m.decide(&status(4), t0 + secs(1.0)), Action::Wait);
    assert_eq!(m.decide(&status(10), t0 + secs(100.0)), Action::Done);
    let mut m = Machine::new(true);
    assert_eq!(m.decide(&status(11), t0), Action::Restore);
    m.restore_accepted(t0);
    assert_eq!(m.decide(&status(10), t0), Action::Done);
}

#[test]
fn at_the_start_every_code_but_scans_and_restorables_asks_for_a_qr() {
    let t0 = Instant::now();
    for code in [0, 3, 13, 12, 99, -1] {
        assert_eq!(
            Machine::new(true).decide(&status(code), t0),
            Action::NewQr,
            "{code}"
        );
    }
    for code in [1, 2, 4] {
        assert_eq!(
            Machine::new(true).decide(&status(code), t0),
            Action::Wait,
            "{code}"
        );
    }
}

#[test]
fn restore_comes_first_once_and_only_when_allowed() {
    let t0 = Instant::now();
    assert_eq!(Machine::new(true).decide(&status(11), t0), Action::Restore);
    assert_eq!(
        Machine::new(true).decide(&restorable(0), t0),
        Action::Restore
    );
    assert_eq!(Machine::new(false).decide(&status(11), t0), Action::NewQr);
    assert_eq!(
        Machine::new(false).decide(&restorable(0), t0),
        Action::NewQr
    );
    // A refused restore is not tried again.
    let mut m = Machine::new(true);
    assert_eq!(m.decide(&status(11), t0), Action::Restore);
    m.restore_refused("No saved session".into());
    assert_eq!(m.decide(&status(11), t0), Action::NewQr);
}

#[test]
fn while_restoring_everything_but_3_waits_until_the_restore_wait() {
    let t0 = Instant::now();
    for code in [0, 1, 2, 4, 11, 12, 13] {
        let mut m = Machine::new(true);
        assert_eq!(m.decide(&status(11), t0), Action::Restore);
        m.restore_accepted(t0);
        assert_eq!(
            m.decide(&status(code), t0 + secs(1.0)),
            Action::Wait,
            "{code}"
        );
        let after = t0 + RESTORE_WAIT + secs(0.1);
        let next = m.decide(&status(code), after);
        let want = if matches!(code, 1 | 2 | 4) {
            Action::Wait
        } else {
            Action::NewQr
        };
        assert_eq!(next, want, "{code} after the restore wait");
    }
    let mut m = Machine::new(true);
    m.decide(&status(11), t0);
    m.restore_accepted(t0);
    assert_eq!(m.decide(&status(3), t0 + secs(0.5)), Action::NewQr);
    assert!(
        m.events
            .iter()
            .any(|e| matches!(e, PairingEvent::RestoreFailed { .. }))
    );
}

#[test]
fn after_a_scan_every_code_but_10_is_transient_for_the_grace() {
    let t0 = Instant::now();
    for scan in [1, 2, 4, 11] {
        for code in [0, 1, 2, 3, 4, 11, 12, 13, 99] {
            let mut m = with_qr(t0);
            assert_eq!(m.decide(&status(3), t0 + secs(1.0)), Action::Wait);
            assert_eq!(m.decide(&status(scan), t0 + secs(2.0)), Action::Wait);
            // Well past the QR's ttl, still inside the grace: no new QR.
            let inside = t0 + secs(2.0) + MIN_SCAN_GRACE - secs(0.5);
            assert_eq!(
                m.decide(&status(code), inside),
                Action::Wait,
                "scan {scan}, then {code}"
            );
            assert_eq!(m.decide(&status(10), inside), Action::Done);
        }
    }
}

#[test]
fn a_stalled_pairing_gets_a_new_qr_after_the_grace() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    m.decide(&status(4), t0 + secs(1.0));
    let after = t0 + secs(1.0) + MIN_SCAN_GRACE + secs(0.1);
    assert_eq!(m.decide(&status(0), after), Action::NewQr);
    assert!(
        m.events
            .iter()
            .any(|e| matches!(e, PairingEvent::PairingStalled { .. }))
    );
    // Scans still wait, whenever they come.
    let mut m = with_qr(t0);
    m.decide(&status(4), t0 + secs(1.0));
    assert_eq!(m.decide(&status(4), after), Action::Wait);
}

#[test]
fn a_live_qr_waits_on_3_and_expires_at_its_ttl() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    assert_eq!(m.decide(&status(3), t0 + secs(19.9)), Action::Wait);
    assert_eq!(m.decide(&status(3), t0 + TTL), Action::NewQr);
    assert!(m.events.contains(&PairingEvent::QrExpired));
    let mut m = with_qr(t0);
    assert_eq!(m.decide(&status(0), t0 + TTL + secs(1.0)), Action::NewQr);
}

#[test]
fn leaving_3_early_is_a_drop_and_the_third_in_a_row_gives_up() {
    for code in [0, 13, 12, 99] {
        let t0 = Instant::now();
        let mut m = with_qr(t0);
        let mut t = t0;
        for n in 1..=MAX_QR_DROPS {
            t += secs(1.0);
            let action = m.decide(&status(code), t);
            if n < MAX_QR_DROPS {
                assert_eq!(action, Action::NewQr, "{code}, drop {n}");
                m.qr_made(t, TTL);
            } else {
                let Action::GiveUp(text) = action else {
                    panic!("{code}: expected GiveUp, got {action:?}");
                };
                assert!(text.contains("3 QR codes"), "{text}");
                assert!(text.contains("after 1.0s of its 20s"), "{text}");
                assert!(text.contains(&format!("last status {code}")), "{text}");
            }
        }
    }
}

#[test]
fn a_qr_that_lives_out_its_ttl_or_is_scanned_resets_the_drop_count() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    let mut t = t0 + secs(1.0);
    assert_eq!(m.decide(&status(0), t), Action::NewQr);
    m.qr_made(t, TTL);
    t += secs(1.0);
    assert_eq!(m.decide(&status(0), t), Action::NewQr);
    m.qr_made(t, TTL);
    // This one lives out its ttl.
    t += TTL;
    assert_eq!(m.decide(&status(0), t), Action::NewQr);
    m.qr_made(t, TTL);
    t += secs(1.0);
    assert_eq!(
        m.decide(&status(0), t),
        Action::NewQr,
        "the count restarted"
    );
}

#[test]
fn leaving_3_in_the_second_half_of_the_ttl_is_an_early_expiry() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    assert_eq!(m.decide(&status(0), t0 + secs(15.0)), Action::NewQr);
    assert!(m.events.contains(&PairingEvent::QrExpired));
}

#[test]
fn a_one_second_ttl_is_never_dropped_only_expired_early() {
    let t0 = Instant::now();
    let mut m = Machine::new(true);
    m.qr_made(t0, Duration::from_secs(1));
    for n in 0..5 {
        let t = t0 + secs(1.0) * n + secs(0.3);
        let action = m.decide(&status(0), t);
        assert!(matches!(action, Action::Wait | Action::NewQr), "{action:?}");
        m.qr_made(t0 + secs(1.0) * (n + 1), Duration::from_secs(1));
    }
    assert!(
        !m.events
            .iter()
            .any(|e| matches!(e, PairingEvent::QrDropped { .. }))
    );
}

#[test]
fn new_qr_codes_are_spaced() {
    let t0 = Instant::now();
    let mut m = Machine::new(true);
    m.qr_made(t0, Duration::from_secs(1));
    // Dropped at once: the next code waits for the spacing.
    assert_eq!(m.decide(&status(0), t0 + secs(0.1)), Action::Wait);
    assert_eq!(m.decide(&status(0), t0 + MIN_QR_SPACING), Action::NewQr);
    assert_eq!(
        m.next_wait(t0 + secs(0.1), Duration::from_secs(5)),
        secs(0.9)
    );
}

#[test]
fn a_zero_ttl_is_the_fallback_ttl() {
    let t0 = Instant::now();
    let mut m = Machine::new(true);
    m.qr_made(t0, Duration::ZERO);
    assert_eq!(m.decide(&status(3), t0 + secs(5.0)), Action::Wait);
}

#[test]
fn restore_is_only_tried_before_the_first_qr() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    // Our QR expired; a saved session shows up: a QR code, not a restore.
    assert_eq!(
        m.decide(&restorable(0), t0 + TTL + secs(0.1)),
        Action::NewQr
    );
}

/// Plays `codes`, one poll a second from a fresh `connect`; a requested QR code is made at
/// once and a requested restore is refused. Returns how many QR codes were made and the
/// last action.
fn play(codes: &[i64]) -> (u32, Action) {
    let t0 = Instant::now();
    let mut m = Machine::new(true);
    let mut last = Action::Wait;
    for (i, &code) in codes.iter().enumerate() {
        let now = t0 + secs(i as f64);
        last = m.decide(&status(code), now);
        match last {
            Action::NewQr => m.qr_made(now, TTL),
            Action::Restore => m.restore_refused("no saved session".into()),
            _ => {}
        }
    }
    (m.qrs_made, last)
}

#[test]
fn other_transient_sequences_after_a_scan_keep_the_one_qr() {
    for codes in [
        &[0, 3, 1, 2, 11, 4, 10][..],
        &[0, 3, 4, 0, 10],
        &[3, 4, 13, 10],
        &[0, 3, 3, 2, 12, 0, 13, 11, 4, 10],
        &[13, 3, 4, 4, 99, -1, 3, 10],
    ] {
        assert_eq!(play(codes), (1, Action::Done), "{codes:?}");
    }
}

/// 11 (authenticated, connection closed) after our QR code with no 1, 2 or 4 seen is taken
/// for a scan whose 4 fell between polls; when the grace ends still on 11, the session exists
/// but stays closed: `restore_session` once, not a new QR code every ~31 s until the timeout.
#[test]
fn eleven_persisting_after_a_qr_is_restored_once_the_grace_ends() {
    let t0 = Instant::now();
    let mut m = with_qr(t0);
    assert_eq!(m.decide(&status(11), t0 + secs(1.0)), Action::Wait);
    let after = t0 + secs(1.0) + MIN_SCAN_GRACE + secs(0.1);
    assert_eq!(m.decide(&status(11), after), Action::Restore);
}

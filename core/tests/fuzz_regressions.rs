//! Decoder findings of the fuzzing work (`fuzz/`, issue 10 §6): inputs that once cost far
//! more than their size (fixed by the streaming decoder of issue 10 §2), kept as regression
//! tests.
//!
//! Memory is measured with a counting global allocator (this test binary's own), so the test
//! is about bytes held, not time.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use witi::{PostbackLimits, decode_postback};

/// `System`, counting the bytes currently allocated and the peak since the last reset.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let grow = new_size - layout.size();
                let now = CURRENT.fetch_add(grow, Ordering::Relaxed) + grow;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes held at once above what was held before, while `f` runs.
fn peak_above_baseline<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - baseline)
}

/// A 64 KiB body (`BULKGZ,` + base64 of zlib of `[{"x":[0,0,…]}]`, 25 million zeros, 50 MB
/// inflated: under the default 64 MiB decompressed limit) held 1.1 GB at its peak and took
/// 71 s in the fuzz build (a JSON tree is built for the one event just to classify it). The
/// decoder's memory for one body must stay within what its limits allow to hold: the
/// inflated text and the event's own text, each at most `max_decompressed_bytes`.
#[test]

fn a_small_bulkgz_body_of_zeros_stays_within_its_limits() {
    let body = include_bytes!("../../tests/fixtures/postback/zeros-bomb-64k.bulkgz");
    assert!(body.len() <= 64 * 1024);
    let budget = 2 * PostbackLimits::default().max_decompressed_bytes;
    let (decoded, peak) = peak_above_baseline(|| decode_postback(body));
    // Whether it decodes (one event) or is refused (an event over a size cap) is the
    // decoder's choice; either must be a result, within the budget.
    if let Err(e) = &decoded {
        assert_eq!(e.code().as_str(), "postback", "{e}");
    }
    drop(decoded);
    assert!(
        peak <= budget,
        "decoding held {} MiB at its peak, over the {} MiB its limits allow",
        peak >> 20,
        budget >> 20
    );
}

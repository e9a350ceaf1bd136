#!/usr/bin/env bash
# Runs every test suite of the repository, installing what it needs first. This is the
# README's test command and what CI (.ci/run) calls; it works on a fresh machine that has only
# the toolchains (rustup's cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo --version

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked -p witi -p witi-sim

step "Rust: unit, integration, conformance, simulator"
cargo test --workspace --locked 2>&1 | tee target/rust-tests.out
rust_summary=$(awk '/^test result:/ { p += $4; f += $6 } END { printf "rust: %d passed, %d failed", p, f }' target/rust-tests.out)

step "main job: witi demo, the lifecycle on the embedded simulator"
cargo run --locked -q -p witi-cli -- demo >target/demo.out
tail -n 3 target/demo.out
grep -q '^done$' target/demo.out

step "summary"
echo "$rust_summary"

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
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --lib -p witi -p witi-sim -p witi-cli

step "Rust: unit, integration, conformance, simulator"
cargo test --workspace --locked 2>&1 | tee target/rust-tests.out
rust_summary=$(awk '/^test result:/ { p += $4; f += $6 } END { printf "rust: %d passed, %d failed", p, f }' target/rust-tests.out)

# Each binding's suite installs its own tools, builds its library and runs its tests; all run
# even when one fails, so one CI run reports every language.
failed=0
summaries=("$rust_summary")
for lang in python node kotlin packaging; do
    step "$lang binding (scripts/test-$lang.sh)"
    if ! bash "scripts/test-$lang.sh" 2>&1 | tee "target/test-$lang.out"; then
        failed=1
    fi
    summaries+=("$(grep -E "^$lang: [0-9]+ passed, [0-9]+ failed$" "target/test-$lang.out" | tail -n 1 || echo "$lang: no summary (the script stopped early)")")
done

step "main job: witi demo, the lifecycle on the embedded simulator"
cargo run --locked -q -p witi-cli -- demo >target/demo.out
tail -n 3 target/demo.out
grep -q '^done$' target/demo.out

step "summary"
printf '%s\n' "${summaries[@]}"
exit "$failed"

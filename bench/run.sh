#!/usr/bin/env bash
# The Rust benchmark of witi (see bench/README.md): builds in release mode, runs once, and
# writes what it prints to bench/results/rust-latest.txt as well.
# Arguments go to the benchmark: --quick, --only decode|status, --calls N, --secs S.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
cargo build --release -p witi-bench
{
    echo "witi Rust benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(rustc -V)"
    cargo run --release -q -p witi-bench -- "$@"
} | tee bench/results/rust-latest.txt

#!/usr/bin/env bash
# The Python benchmark: release simulator, release wheel in a fresh venv under target/, then
# bench.py (figures and ratios on stdout). BENCH_SCALE=0.1 for a quick run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
OUT=$ROOT/target/python
TOOLS=$OUT/tools
VENV=$OUT/bench-venv
mkdir -p "$OUT"
if [ ! -x "$TOOLS/bin/python" ]; then "$PYTHON" -m venv "$TOOLS"; fi
"$TOOLS/bin/python" -m pip install -q --disable-pip-version-check -r bindings-python/requirements-dev.txt
cargo build -q --release --locked -p witi-sim
rm -rf "$OUT/wheels-release"
"$TOOLS/bin/maturin" build --release --locked -q -m bindings-python/Cargo.toml -o "$OUT/wheels-release"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -r bindings-python/requirements-dev.txt -r bench/python/requirements.txt "$OUT"/wheels-release/witi-*.whl
cd "$ROOT/target"  # not the source tree: the installed wheel is what runs
WITI_SIM_BIN="$ROOT/target/release/witi-sim" "$VENV/bin/python" "$ROOT/bench/python/bench.py"

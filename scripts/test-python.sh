#!/usr/bin/env bash
# The Python binding's whole suite, on a fresh clone with only the toolchains (cargo, python3):
# installs the pinned tools (bindings-python/requirements-dev.txt) into a venv under target/,
# builds the simulator and a dev (debug) wheel with maturin (manylinux2014: zig links it against
# glibc 2.17; checked with auditwheel and scripts/check-glibc.sh), installs the wheel into a FRESH
# venv under target/ and runs pytest there, from bindings-python/tests (the source tree is not
# importable there: the tests exercise the installed wheel). The pytest suite includes the
# typing checks (mypy.stubtest, mypy --strict on a typed example), the README example, and the
# drift check of the generated python/witi/_calls.py against the built wheel's table of calls
# (tests/test_calls.py; it prints the command that regenerates the file).
# Ends with one line: `python: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TERM_COLOR=never
PYTHON=${PYTHON:-python3}
OUT=$ROOT/target/python
TOOLS=$OUT/tools
VENV=$OUT/test-venv
mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }

step "python tools (pinned)"
"$PYTHON" --version
if [ ! -x "$TOOLS/bin/python" ]; then "$PYTHON" -m venv "$TOOLS"; fi
"$TOOLS/bin/python" -m pip install -q --disable-pip-version-check -r bindings-python/requirements-dev.txt

step "simulator and dev wheel (manylinux2014: linked by zig against glibc 2.17)"
cargo build -q --locked -p witi-sim
# shellcheck source=scripts/packaging-tools.sh
source scripts/packaging-tools.sh
rm -rf "$OUT/wheels"
# The wheel a user installs is built this same way (with --release): the tests run on it.
# Its own cargo target dir: maturin's zig linker wrapper is another path than cargo-zigbuild's
# (the Node addon, the uniffi library), and a linker change rebuilds every crate, so in one
# shared dir each script would rebuild the others' dependencies on every run.
"$TOOLS/bin/maturin" build --locked -q --zig --compatibility manylinux2014 \
    --target-dir "$OUT/cargo" -m bindings-python/Cargo.toml -o "$OUT/wheels"
wheel=$(ls "$OUT"/wheels/witi-*.whl)
echo "$wheel"
# Packaging checks, counted with the tests: the platform tag auditwheel reads off the symbols
# (its text is wrapped: joined into one line first), and no symbol newer than glibc 2.17.
pkg_passed=0 pkg_failed=0
if auditwheel show "$wheel" > "$OUT/auditwheel.txt" 2>&1 &&
    tr -s ' \n' '  ' < "$OUT/auditwheel.txt" | grep 'platform tag: "manylinux_2_17_x86_64"' >/dev/null; then
    pkg_passed=$((pkg_passed + 1)); echo "ok: auditwheel show: manylinux2014 (manylinux_2_17_x86_64)"
else
    pkg_failed=$((pkg_failed + 1)); echo "FAILED: auditwheel show does not say manylinux_2_17_x86_64:"; cat "$OUT/auditwheel.txt"
fi
if scripts/check-glibc.sh "$wheel"; then pkg_passed=$((pkg_passed + 1)); else pkg_failed=$((pkg_failed + 1)); fi

step "fresh venv with the installed wheel"
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -r bindings-python/requirements-dev.txt "$wheel"

step "pytest (against the installed wheel)"
cd bindings-python/tests
set +e
WITI_SIM_BIN="$ROOT/target/debug/witi-sim" "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
    --junitxml="$OUT/junit.xml" "$@"
code=$?
set -e
cd "$ROOT"
if [ "$pkg_failed" -gt 0 ]; then code=1; fi
summary=$("$VENV/bin/python" - "$OUT/junit.xml" "$pkg_passed" "$pkg_failed" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
bad += int(sys.argv[3])
print(f"python: {tests - bad - skipped + int(sys.argv[2])} passed, {bad} failed")
PY
)
step "summary"
echo "$summary"
exit $code

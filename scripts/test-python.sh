#!/usr/bin/env bash
# The Python binding's whole suite, on a fresh clone with only the toolchains (cargo, python3):
# installs the pinned tools (bindings-python/requirements-dev.txt) into a venv under target/,
# builds the simulator and a dev (debug) wheel with maturin, installs the wheel into a FRESH
# venv under target/ and runs pytest there, from bindings-python/tests (the source tree is not
# importable there: the tests exercise the installed wheel). The pytest suite includes the
# typing checks (mypy.stubtest, mypy --strict on a typed example) and the README example.
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

step "simulator and dev wheel"
cargo build -q --locked -p witi-sim
rm -rf "$OUT/wheels"
"$TOOLS/bin/maturin" build --locked -q -m bindings-python/Cargo.toml -o "$OUT/wheels"
wheel=$(ls "$OUT"/wheels/witi-*.whl)
echo "$wheel"

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
summary=$("$VENV/bin/python" - "$OUT/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"python: {tests - bad - skipped} passed, {bad} failed")
PY
)
step "summary"
echo "$summary"
exit $code

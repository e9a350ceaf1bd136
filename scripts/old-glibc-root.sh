#!/usr/bin/env bash
# Loads each Linux artifact on an older glibc than this machine's: a Debian 11 (bullseye, glibc
# 2.31, as on Debian 11 and Ubuntu 20.04) root made by debootstrap under target/old-glibc/root.
# The wheel is imported by bullseye's Python 3.9, the addon loaded by bullseye's Node, the
# uniffi library opened with RTLD_NOW (every symbol bound at once, as JNA's dlopen needs them).
# The root has ca-certificates, as servers do: without a trust store the core cannot build its
# HTTP client (witi.Client() raises invalid_argument "the HTTP client could not be built").
# Not part of scripts/test.sh: making the root downloads ~100 MB of Debian packages and takes
# minutes; scripts/test-packaging.sh runs the loads (--load-only) when the root is there.
# Needs root and debootstrap (installed with apt-get when missing), and the artifacts the
# binding scripts build (target/python/wheels, target/node-test, bindings-kotlin/kotlin/target).
# Usage: scripts/old-glibc-root.sh [--load-only]
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
ROOT=${WITI_OLD_GLIBC_ROOT:-$REPO/target/old-glibc/root}
SUITE=bullseye
passed=0 failed=0
check() { # $1: what; the rest: the command
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

if [ "${1:-}" != "--load-only" ] && [ ! -x "$ROOT/usr/bin/node" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null || {
        echo "debootstrap is not installed and apt-get could not install it"; exit 1; }
    rm -rf "$ROOT" && mkdir -p "$ROOT"
    debootstrap --variant=minbase --include=python3,nodejs,ca-certificates "$SUITE" "$ROOT" \
        http://deb.debian.org/debian >"$ROOT.debootstrap.log" 2>&1 || {
        echo "debootstrap failed (log: $ROOT.debootstrap.log)"; exit 1; }
fi
[ -x "$ROOT/usr/bin/node" ] || { echo "no root at $ROOT (run without --load-only)"; exit 1; }
echo "glibc in the root: $(chroot "$ROOT" /usr/bin/ldd --version | head -1)"

work=$ROOT/witi-artifacts
rm -rf "$work" && mkdir -p "$work"
wheel=$(ls target/python/wheels/witi-*.whl 2>/dev/null | head -1)
if [ -n "$wheel" ]; then
    unzip -q "$wheel" -d "$work/wheel"
    check "the wheel imports on $SUITE's Python (glibc 2.31)" chroot "$ROOT" /usr/bin/python3 -c '
import sys; sys.path.insert(0, "/witi-artifacts/wheel")
import witi; witi.Client(api_key="k"); print("   ", witi.__file__)'
else
    check "a wheel to load (target/python/wheels: run scripts/test-python.sh)" false
fi
addon=target/node-test/app/node_modules/witi-linux-x64-gnu/witi.linux-x64-gnu.node
if [ -f "$addon" ]; then
    cp "$addon" "$work/"
    check "the addon loads in $SUITE's Node (glibc 2.31)" chroot "$ROOT" /usr/bin/node -e '
const m = { exports: {} }; process.dlopen(m, "/witi-artifacts/witi.linux-x64-gnu.node")
if (typeof m.exports.Client !== "function") throw new Error("no Client"); console.log("    exports:", Object.keys(m.exports).length)'
else
    check "an addon to load (target/node-test: run scripts/test-node.sh)" false
fi
jar=$(ls bindings-kotlin/kotlin/target/witi-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1)
if [ -n "$jar" ]; then
    unzip -q "$jar" 'linux-x86-64/*' -d "$work/jar"
    check "the jar's library binds every symbol on glibc 2.31 (dlopen RTLD_NOW)" chroot "$ROOT" /usr/bin/python3 -c '
import ctypes, os; ctypes.CDLL("/witi-artifacts/jar/linux-x86-64/libwiti_uniffi.so", mode=os.RTLD_NOW); print("    opened")'
else
    check "a jar to load (bindings-kotlin/kotlin/target: run scripts/test-kotlin.sh)" false
fi
echo "old-glibc: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

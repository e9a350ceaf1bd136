#!/usr/bin/env bash
# The Kotlin/Swift binding's whole suite (bindings-kotlin/README.md): builds the uniffi library,
# the bindgen and the simulator (dev profile), checks the committed Swift sources are what the
# library generates, and runs `mvn verify` (which generates the Kotlin, builds the library for
# glibc 2.17 with cargo-zigbuild, packs it, runs the tests and makes the jar, -sources.jar and
# -javadoc.jar), then checks the jars: the library inside, and no glibc symbol newer than 2.17.
# Works from a fresh clone with only the toolchains (cargo, a JDK 17, Maven; Maven is
# installed with apt when missing). Ends with one line: `kotlin: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
export CARGO_TERM_COLOR=never
passed=0
failed=0
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }

finish() {
    # A line of its own even if the last output did not end one.
    echo
    echo "kotlin: $passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

step "toolchain"
if ! command -v mvn >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq maven >/dev/null) || { fail "no Maven and apt could not install it"; finish; }
fi
java -version 2>&1 | head -1
mvn -v 2>/dev/null | head -1
# shellcheck source=scripts/packaging-tools.sh
source scripts/packaging-tools.sh || { fail "packaging tools (zig, cargo-zigbuild) could not be installed"; finish; }

step "format"
if cargo fmt -p witi-uniffi -p uniffi-bindgen -- --check; then passed=$((passed + 1)); else fail "cargo fmt"; fi

step "build: library, bindgen, simulator (dev)"
if ! cargo build --locked -p witi-uniffi -p uniffi-bindgen -p witi-sim; then
    fail "cargo build"
    finish
fi

step "Swift sources are current"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
if bindings-kotlin/swift/generate.sh "$scratch" &&
    diff -r "$scratch/Sources" bindings-kotlin/swift/Sources &&
    diff -r "$scratch/Headers" bindings-kotlin/swift/Headers; then
    passed=$((passed + 1))
else
    fail "bindings-kotlin/swift differs from what the library generates: run bindings-kotlin/swift/generate.sh and commit"
fi

step "mvn verify (tests, then the jar, -sources.jar, -javadoc.jar)"
cd bindings-kotlin/kotlin
rm -rf target/surefire-reports target/witi-*.jar
mvn -q -B -Dstyle.color=never verify
mvn_rc=$?
cd "$repo"
reports=(bindings-kotlin/kotlin/target/surefire-reports/TEST-*.xml)
if [ -e "${reports[0]}" ]; then
    # One <testsuite tests= failures= errors= skipped=> per class.
    read -r t f e < <(awk '/<testsuite / {
            match($0, / tests="[0-9]+"/);    t += substr($0, RSTART + 8, RLENGTH - 9)
            match($0, / failures="[0-9]+"/); f += substr($0, RSTART + 11, RLENGTH - 12)
            match($0, / errors="[0-9]+"/);   e += substr($0, RSTART + 9, RLENGTH - 10)
            match($0, / skipped="[0-9]+"/);  s += substr($0, RSTART + 10, RLENGTH - 11)
        } END { print t - f - e - s, f + e, 0 }' "${reports[@]}")
    passed=$((passed + t))
    failed=$((failed + f))
fi
if [ "$mvn_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then fail "mvn verify exited $mvn_rc"; fi

step "the jars Maven Central takes"
version=$(sed -n '0,/<version>/ s/^  <version>\(.*\)<\/version>$/\1/p' bindings-kotlin/kotlin/pom.xml)
jars=bindings-kotlin/kotlin/target/witi-$version
for suffix in "" -sources -javadoc; do
    if [ -s "$jars$suffix.jar" ]; then passed=$((passed + 1)); echo "ok: witi-$version$suffix.jar"; else fail "no witi-$version$suffix.jar"; fi
done
# src/main/kotlin is Witi.kt alone: a second .kt is the generated one.
if [ "$(unzip -l "$jars-sources.jar" 2>/dev/null | grep -c '\.kt$')" -ge 2 ]; then
    passed=$((passed + 1)); echo "ok: -sources.jar holds the generated Kotlin"
else
    fail "-sources.jar lacks the generated Kotlin"
fi
if unzip -l "$jars-javadoc.jar" 2>/dev/null | grep ' index\.html$' >/dev/null; then
    passed=$((passed + 1)); echo "ok: -javadoc.jar holds an index.html"
else
    fail "-javadoc.jar has no index.html"
fi
if unzip -l "$jars.jar" 2>/dev/null | grep ' linux-x86-64/libwiti_uniffi\.so$' >/dev/null; then
    passed=$((passed + 1)); echo "ok: the jar holds linux-x86-64/libwiti_uniffi.so (JNA's resource path)"
else
    fail "the jar lacks linux-x86-64/libwiti_uniffi.so"
fi
if scripts/check-glibc.sh "$jars.jar"; then passed=$((passed + 1)); else fail "the jar's library needs a glibc newer than 2.17"; fi
finish

#!/usr/bin/env bash
# The Kotlin benchmark (bench/kotlin/README.md): builds the release library and simulator,
# installs the witi jar with it into the local Maven repository, then runs Bench.kt.
#   bash bench/kotlin/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --locked -p witi-uniffi -p uniffi-bindgen -p witi-sim
# The jar's build links the library for glibc 2.17 with cargo-zigbuild (as scripts/test-kotlin.sh).
# shellcheck source=scripts/packaging-tools.sh
source scripts/packaging-tools.sh
(cd bindings-kotlin/kotlin && mvn -q -B -Dstyle.color=never -Dwiti.release -DskipTests install)
cd bench/kotlin
mvn -q -B -Dstyle.color=never compile exec:exec -Dbench.args="${1:-}" -Dwiti.bodies="${WITI_BENCH_BODIES:-}"

#!/usr/bin/env bash
# The Node benchmark (see bench/node/README.md): release builds of the simulator and of the
# addon (into target/node-bench, so the dev build of the tests is left alone), then one run
# of bench.mjs, whose output is also written to bench/results/node-latest.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
TOOLS=$REPO/target/node-tools
PKG=$REPO/bindings-node
OUT=$REPO/target/node-bench/witi
mkdir -p "$TOOLS" "$OUT" bench/results
if ! cmp -s "$PKG/package-lock.json" "$TOOLS/package-lock.json" || [ ! -x "$TOOLS/node_modules/.bin/napi" ]; then
  cp "$PKG/package.json" "$PKG/package-lock.json" "$TOOLS/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
fi
cargo build --release -p witi-sim
# The release addon, next to copies of the package's JS files (the loader finds it there).
(cd "$PKG" && "$TOOLS/node_modules/.bin/napi" build --platform --release --no-js --no-dts-header \
  --dts index.d.ts --output-dir "$OUT")
cp "$PKG/package.json" "$PKG/index.js" "$PKG/index.mjs" "$PKG/calls.js" "$PKG/native.js" "$PKG/load.js" "$OUT/"
{
  echo "witi Node benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, node $(node --version)"
  WITI_PKG=$OUT WITI_SIM_BIN=$REPO/target/release/witi-sim node bench/node/bench.mjs "$@"
} | tee bench/results/node-latest.txt

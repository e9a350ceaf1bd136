#!/usr/bin/env bash
# The Node binding's whole suite, from a fresh clone: installs the pinned tools (napi CLI,
# TypeScript) under target/, builds the addon (dev profile, shared target dir) and the
# simulator, checks that the committed index.d.ts is what napi generates, packs the package
# as `npm pack` does, installs the tarball in a scratch folder under target/ and runs
# `node --test` there plus `tsc --noEmit --strict` on a typed example.
# Ends with one line: `node: N passed, N failed`.
set -euo pipefail
# A failure before the suite ran (install, build, pack) still ends with the summary line.
trap 'echo "node: 0 passed, 1 failed (setup or build failed before the suite ran)"' ERR
cd "$(dirname "$0")/.."
REPO=$(pwd)
TOOLS=$REPO/target/node-tools
SCRATCH=$REPO/target/node-test
PKG=$REPO/bindings-node
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# 1. Tools: the devDependencies pinned by bindings-node/package-lock.json, outside the tree.
mkdir -p "$TOOLS"
if ! cmp -s "$PKG/package-lock.json" "$TOOLS/package-lock.json" || [ ! -x "$TOOLS/node_modules/.bin/napi" ]; then
  cp "$PKG/package.json" "$PKG/package-lock.json" "$TOOLS/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"

# 2. Build: the simulator and the addon (dev profile). napi rewrites index.d.ts and
#    native.js; the committed index.d.ts is kept aside to detect drift.
cargo build -p witi-sim
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH/app"
cp "$PKG/index.d.ts" "$SCRATCH/index.d.ts.committed"
(cd "$PKG" && napi build --platform --js native.js --dts index.d.ts)

dts_failed=0
if ! diff -u "$SCRATCH/index.d.ts.committed" "$PKG/index.d.ts" > "$SCRATCH/index.d.ts.diff"; then
  echo "index.d.ts is out of date (the regenerated one is in bindings-node/; commit it):" >&2
  cat "$SCRATCH/index.d.ts.diff" >&2
  dts_failed=1
fi

# 3. The package as npm pack makes it, installed in a scratch project.
(cd "$PKG" && npm pack --silent --pack-destination "$SCRATCH" > "$SCRATCH/tarball.txt")
TARBALL=$SCRATCH/$(tail -1 "$SCRATCH/tarball.txt")
cd "$SCRATCH/app"
printf '{"name":"witi-node-tests","private":true,"version":"0.0.0"}\n' > package.json
npm install --no-audit --no-fund --loglevel=error "$TARBALL"
cp "$PKG"/test/*.mjs "$PKG"/test/*.cjs "$SCRATCH/app/" 2>/dev/null || true
cp "$PKG/README.md" "$SCRATCH/app/README.md" 2>/dev/null || true

# 4. node --test against the installed package (from here on, failures are counted).
trap - ERR
export WITI_REPO=$REPO WITI_SIM_BIN=$REPO/target/debug/witi-sim
set +e
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$SCRATCH/results.tap" ./*.test.mjs
set -e
# node counts tests (not suites) in the TAP summary.
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$SCRATCH/results.tap")
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$SCRATCH/results.tap")
passed=${passed:-0}; failed=${failed:-1}

# 5. TypeScript: the typed example against the installed package's index.d.ts.
if [ -f "$PKG/examples/typed.ts" ]; then
  cp "$PKG/examples/typed.ts" "$SCRATCH/app/typed.ts"
  ln -sfn "$TOOLS/node_modules/@types" "$SCRATCH/app/node_modules/@types"
  if tsc --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext \
      --types node "$SCRATCH/app/typed.ts"; then
    passed=$((passed + 1)); echo "ok: tsc --noEmit --strict examples/typed.ts"
  else
    failed=$((failed + 1)); echo "FAILED: tsc --noEmit --strict examples/typed.ts"
  fi
fi
if [ "$dts_failed" = 1 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi

echo "node: $passed passed, $failed failed"
[ "$failed" = 0 ]

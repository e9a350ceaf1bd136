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
  # The lockfile pins the devDependencies only: the optionalDependencies are this package's own
  # platform packages (witi-linux-x64-gnu, ...), made below, not tools.
  node -e 'const p = require(process.argv[1]); delete p.optionalDependencies; console.log(JSON.stringify(p, null, 2))' \
    "$PKG/package.json" > "$TOOLS/package.json"
  cp "$PKG/package-lock.json" "$TOOLS/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"

# 2. Build: the simulator and the addon (dev profile), the addon as released: cargo-zigbuild
#    (napi's --cross-compile) links it against glibc 2.17. napi rewrites index.d.ts and
#    native.js, calls-dts.js rewrites calls.d.ts; the committed ones are kept aside to detect
#    drift.
# shellcheck source=scripts/packaging-tools.sh
source "$REPO/scripts/packaging-tools.sh"
cargo build -p witi-sim
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH/app" "$SCRATCH/app-no-platform"
cp "$PKG/index.d.ts" "$SCRATCH/index.d.ts.committed"
cp "$PKG/calls.d.ts" "$SCRATCH/calls.d.ts.committed"
(cd "$PKG" && napi build --platform --cross-compile --target "$WITI_GLIBC_TARGET" --js native.js --dts index.d.ts)
# The declarations of the API calls, from core's table in the addon just built (calls-dts.js).
(cd "$PKG" && node calls-dts.js > calls.d.ts)

dts_failed=0
for dts in index.d.ts calls.d.ts; do
  if ! diff -u "$SCRATCH/$dts.committed" "$PKG/$dts" > "$SCRATCH/$dts.diff"; then
    echo "$dts is out of date (the regenerated one is in bindings-node/; commit it):" >&2
    cat "$SCRATCH/$dts.diff" >&2
    dts_failed=1
  fi
done

# 3. The packages as a release makes them (napi's layout): `witi` (JavaScript only) and the
#    platform package witi-linux-x64-gnu holding the addon, both packed, then installed from the
#    tarballs, offline, in a scratch app. The addon goes where `napi artifacts` puts it (that
#    command wants every target's addon, which only the release workflow has).
PLATFORM_DIR=$PKG/npm/linux-x64-gnu
cp "$PKG/witi.linux-x64-gnu.node" "$PLATFORM_DIR/"
(cd "$PKG" && npm pack --silent --pack-destination "$SCRATCH" > "$SCRATCH/tarball.txt")
(cd "$PLATFORM_DIR" && npm pack --silent --pack-destination "$SCRATCH" > "$SCRATCH/platform-tarball.txt")
TARBALL=$SCRATCH/$(tail -1 "$SCRATCH/tarball.txt")
PLATFORM_TARBALL=$SCRATCH/$(tail -1 "$SCRATCH/platform-tarball.txt")
cd "$SCRATCH/app"
printf '{"name":"witi-node-tests","private":true,"version":"0.0.0"}\n' > package.json
npm install --offline --no-audit --no-fund --loglevel=error "$TARBALL" "$PLATFORM_TARBALL"
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

# 6. Packaging: what the tarballs hold, the glibc the addon needs, and the error a user gets on a
#    platform whose package is missing (here: installed with --omit=optional).
check() { # $1: what is checked; the rest: the command
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
check "the witi tarball holds no .node (the addon is in the platform package)" \
  bash -c '! tar -tzf "$1" | grep -q "\.node$"' _ "$TARBALL"
check "witi-linux-x64-gnu holds witi.linux-x64-gnu.node" \
  bash -c 'tar -tzf "$1" | grep -qx "package/witi.linux-x64-gnu.node"' _ "$PLATFORM_TARBALL"
check "the addon needs glibc <= 2.17" "$REPO/scripts/check-glibc.sh" "$PLATFORM_TARBALL"
check "the installed addon is the platform package's" \
  test -f "$SCRATCH/app/node_modules/witi-linux-x64-gnu/witi.linux-x64-gnu.node"
cd "$SCRATCH/app-no-platform"
printf '{"name":"witi-no-platform","private":true,"version":"0.0.0"}\n' > package.json
npm install --offline --omit=optional --no-audit --no-fund --loglevel=error "$TARBALL"
check "require('witi') without the platform package names the platform and the fix" node -e '
  try { require("witi") } catch (e) {
    const ok = e.code === "ERR_WITI_NATIVE_MISSING" && e.message.includes("(linux-x64-gnu, Node ") &&
      e.message.includes("npm install witi-linux-x64-gnu@") && e.cause instanceof Error
    console.log(e.message)
    process.exit(ok ? 0 : 1)
  }
  console.log("require(\"witi\") loaded without its platform package"); process.exit(1)'
# The platform package installed but its addon unloadable (as on a too old glibc): the error
# says so, with the loader's reason, instead of "not installed".
mkdir -p node_modules/witi-linux-x64-gnu
printf '{"name":"witi-linux-x64-gnu","version":"0.0.0","main":"witi.linux-x64-gnu.node"}\n' \
  > node_modules/witi-linux-x64-gnu/package.json
printf 'not an ELF file\n' > node_modules/witi-linux-x64-gnu/witi.linux-x64-gnu.node
check "an installed platform package whose addon does not load is named with the reason" node -e '
  try { require("witi") } catch (e) {
    console.log(e.message)
    process.exit(e.code === "ERR_WITI_NATIVE_MISSING" && e.message.includes("the native library did not load") &&
      e.message.includes("witi-linux-x64-gnu is installed") && /witi\.linux-x64-gnu\.node: /.test(e.message) ? 0 : 1)
  }
  process.exit(1)'
cd "$REPO"

echo "node: $passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# One version for every package: the workspace's ([workspace.package] version in Cargo.toml).
# Fails, naming the file, where a package says another one: every crate (version.workspace),
# the wheel (pyproject takes it from Cargo.toml: `dynamic = ["version"]`), the npm package, its
# optionalDependencies and platform packages (npm/*/package.json), napi's loader (native.js
# checks the platform package's version), the POM. Prints `versions: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
want=$(sed -n '/^\[workspace.package\]/,/^\[/ s/^version = "\(.*\)"$/\1/p' Cargo.toml)
if [ -z "$want" ]; then bad "Cargo.toml has no [workspace.package] version"; want=none; fi
echo "workspace version: $want"

# fuzz/ is a workspace of its own (nightly, never published): its crate has no version to keep.
for manifest in $(git ls-files '*Cargo.toml' | grep -v -e '^Cargo.toml$' -e '^fuzz/'); do
    if grep -q '^version.workspace = true$' "$manifest"; then ok; else bad "$manifest: not version.workspace = true"; fi
done
if grep -q '^dynamic = \["version"\]$' bindings-python/pyproject.toml &&
    ! grep -q '^version *=' bindings-python/pyproject.toml; then ok; else
    bad 'bindings-python/pyproject.toml: the version must be dynamic = ["version"] (from Cargo.toml)'
fi
# package.json: its version, each optionalDependency's, each platform package's.
while IFS=$'\t' read -r where got; do
    if [ "$got" = "$want" ]; then ok; else bad "$where is $got, not $want"; fi
done < <(node -e '
    const fs = require("fs"), path = require("path")
    const root = JSON.parse(fs.readFileSync("bindings-node/package.json", "utf8"))
    console.log(`bindings-node/package.json version\t${root.version}`)
    const optional = root.optionalDependencies || {}
    for (const [name, v] of Object.entries(optional)) console.log(`bindings-node/package.json optionalDependencies.${name}\t${v}`)
    const npmDir = "bindings-node/npm"
    const dirs = fs.existsSync(npmDir) ? fs.readdirSync(npmDir) : []
    for (const dir of dirs) {
        const p = JSON.parse(fs.readFileSync(path.join(npmDir, dir, "package.json"), "utf8"))
        console.log(`${npmDir}/${dir}/package.json version\t${p.version}`)
        if (!(p.name in optional)) console.log(`bindings-node/package.json optionalDependencies lacks ${p.name}\tmissing`)
    }
    if (dirs.length !== (root.napi.targets || []).length) console.log(`${npmDir}: ${dirs.length} platform packages for ${root.napi.targets.length} napi.targets\tmissing`)
')
# native.js: napi writes the version it expects of the platform packages.
native_versions=$(grep -o "expected [0-9][^ ]* but got" bindings-node/native.js | sort -u)
if [ "$native_versions" = "expected $want but got" ]; then ok; else bad "bindings-node/native.js expects ${native_versions:-no version} (rebuild with napi)"; fi
pom_version=$(sed -n '0,/<version>/ s/^  <version>\(.*\)<\/version>$/\1/p' bindings-kotlin/kotlin/pom.xml)
if [ "$pom_version" = "$want" ]; then ok; else bad "bindings-kotlin/kotlin/pom.xml is ${pom_version:-no version}, not $want"; fi
echo "versions: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

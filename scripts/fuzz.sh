#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ one after the other, each for a fixed time, and prints
# per target: runs, exec/s, corpus size, peak RSS and whether it found anything.
#
#   bash scripts/fuzz.sh                 # every target, 600 s each
#   bash scripts/fuzz.sh 60              # every target, 60 s each
#   bash scripts/fuzz.sh 600 decode_postback webhook_request
#   bash scripts/fuzz.sh --smoke         # every target ~10 s: the corpus replays, no finding
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). One process per
# target (no -jobs/-fork): the machine is shared. Each run starts from the grown corpus in
# fuzz/corpus/<target>/ (not in git) plus the committed fuzz/seeds/<target>/ and every past
# finding in fuzz/regressions/<target>/, so a regression shows up in the first seconds.
# A finding is written to fuzz/artifacts/<target>/; the script goes on with the next target
# and exits 1 at the end. Exit 0 means no target found anything.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=600
if [ "${1:-}" = "--smoke" ]; then
    seconds=10
    shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode_postback parse_response webhook_request)

# The largest input per target: a BULKGZ body big enough to carry a compressed bomb, an
# answer far bigger than the seed's examples, a request over the receiver's 2 KiB body limit
# (the target sets small limits).
max_len() {
    case $1 in
        decode_postback) echo 65536 ;;
        parse_response) echo 16384 ;;
        webhook_request) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

cargo +nightly fuzz build
status=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    dirs=("corpus/$t")
    for d in "seeds/$t" "regressions/$t"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    flags=(-rss_limit_mb=2048 -timeout=10 "-max_len=$(max_len "$t")"
        "-max_total_time=$seconds" -print_final_stats=1)
    [ -f "dicts/$t.dict" ] && flags+=("-dict=dicts/$t.dict")
    log=artifacts/$t/last-run.log
    before=$(find "artifacts/$t" -type f ! -name '*.log' | wc -l)
    echo "== $t: ${seconds}s" >&2
    start=$(date +%s)
    if cargo +nightly fuzz run "$t" "${dirs[@]}" -- "${flags[@]}" >"$log" 2>&1; then
        found=none
    else
        found="FOUND (see $log and artifacts/$t/)"
        status=1
    fi
    elapsed=$(($(date +%s) - start))
    after=$(find "artifacts/$t" -type f ! -name '*.log' | wc -l)
    [ "$after" -gt "$before" ] && found="FOUND $((after - before)) (artifacts/$t/)" && status=1
    stat() { grep -o "stat::$1: *[0-9]*" "$log" | tail -1 | grep -o '[0-9]*$' || echo '?'; }
    files=$(find "corpus/$t" -type f | wc -l)
    bytes=$(find "corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s / 1024}')
    summary+=("$(printf '%-16s %6ss %10s runs %7s exec/s  corpus %5s files %6s KiB  rss %5s MB  %s' \
        "$t" "$elapsed" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
        "$files" "$bytes" "$(stat peak_rss_mb)" "$found")")
    echo "${summary[-1]}" >&2
done
echo
printf '%s\n' "${summary[@]}"
exit $status

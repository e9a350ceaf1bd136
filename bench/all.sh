#!/usr/bin/env bash
# Every language's benchmark in one go, and one table (bench/README.md, issue 14):
#   bash bench/all.sh [--quick] [--only rust,python,node,kotlin]
# Writes bench/results/<date>.md (the table, with the machine, the versions and the date; the
# READMEs paste it) and each part's raw output under bench/results/<date>/. --quick: short
# rounds everywhere (a smoke run; noisy figures), written to <date>-quick.md.
# Needs: cargo, python3, node + npm, java + mvn, and wrk (installed here from Debian's
# packages when missing). Not part of CI: figures are not tests.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=""
ONLY="rust,python,node,kotlin"
ONLY_ARG=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=--quick ;;
    --only) ONLY="$2"; ONLY_ARG=" --only $2"; shift ;;
    *) echo "usage: bash bench/all.sh [--quick] [--only rust,python,node,kotlin]" >&2; exit 2 ;;
  esac
  shift
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

if ! command -v wrk >/dev/null; then
  echo "== installing wrk (Debian package)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q wrk >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q wrk >/dev/null; }
fi
# 1,000 connections in flight need as many descriptors (wrk, the simulator, the clients).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

DAY=$(date -u +%Y-%m-%d)
NAME=$DAY${QUICK:+-quick}
RAW=bench/results/$NAME
mkdir -p "$RAW"
rm -f "$RAW"/*
date -u '+%Y-%m-%d %H:%M UTC' >"$RAW/started"
uptime >"$RAW/load-before"
ROOT=$PWD
BODIES=$ROOT/target/bench-bodies
SECS=$([ -n "$QUICK" ] && echo 2 || echo 5)

echo "== release builds: witi-bench, witi-sim"
cargo build -q --release --locked -p witi-bench -p witi-sim
target/release/witi-bench bodies "$BODIES"
receivers() { # LANG [serve command]
  local serve=()
  [ -n "${2:-}" ] && serve=(--serve "$2")
  python3 bench/receivers.py --lang "$1" --rust-bin "$ROOT/target/release/witi-bench" --bodies "$BODIES" \
    --out "$RAW/receivers-$1.json" $QUICK "${serve[@]}" | tee "$RAW/receivers-$1.txt"
}
part() { # NAME COMMAND...: runs one part; a failure is written down and the others still run
  local name=$1; shift
  echo "== $name"
  if ! "$@"; then echo "FAILED: $name" | tee -a "$RAW/failures"; fi
}

# The limit for calls: wrk against the release simulator, at the concurrencies of the rows.
limit_calls() {
  local fifo sim url
  fifo=$(mktemp -u) && mkfifo "$fifo"
  target/release/witi-sim --port 0 --exit-on-stdin-eof <"$fifo" >"$RAW/sim.out" 2>/dev/null &
  sim=$!
  exec 9>"$fifo"
  for _ in $(seq 100); do grep -q 'http://' "$RAW/sim.out" && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*/' "$RAW/sim.out" | head -1)
  for c in 1 1000; do
    wrk -t "$([ $c = 1 ] && echo 1 || echo 2)" -c $c -d "${SECS}s" --latency "${url}status.aspx?wid=bench-wrk" >"$RAW/wrk-$c.txt"
    rate=$(awk '/Requests\/sec/ {print $2}' "$RAW/wrk-$c.txt")
    if grep -q 'Non-2xx\|Socket errors' "$RAW/wrk-$c.txt"; then echo "wrk at $c: errors" >&2; cat "$RAW/wrk-$c.txt" >&2; return 1; fi
    printf 'WRK\t%s\t%s\n' "$c" "$rate" | tee -a "$RAW/wrk.txt"
  done
  exec 9>&-
  wait "$sim" || true
  rm -f "$fifo"
}
part "wrk against the simulator" limit_calls

if wants rust; then
  part "rust" bash -o pipefail -c "bash bench/run.sh $QUICK | tee '$RAW/rust.txt'"
  part "rust receivers" receivers rust
fi
if wants python; then
  part "python" bash -o pipefail -c "BENCH_SCALE=$([ -n "$QUICK" ] && echo 0.1 || echo 1) bash bench/python/run.sh | tee '$RAW/python.txt'"
  part "python receivers" receivers python "'$ROOT/target/python/bench-venv/bin/python' '$ROOT/bench/python/receivers.py'"
fi
if wants node; then
  part "node" bash -o pipefail -c "bash bench/node/run.sh $QUICK | tee '$RAW/node.txt'"
  part "node receivers" receivers node "WITI_PKG='$ROOT/target/node-bench/witi' node '$ROOT/bench/node/receivers.mjs'"
fi
if wants kotlin; then
  part "kotlin" bash -o pipefail -c "WITI_BENCH_BODIES='$BODIES' bash bench/kotlin/run.sh $QUICK | tee '$RAW/kotlin.txt'"
  part "kotlin receivers" receivers kotlin "cd '$ROOT/bench/kotlin' && exec mvn -q -B -Dstyle.color=never exec:exec -Dbench.main=me.witi.bench.ReceiversKt"
fi

uptime >"$RAW/load-after"
python3 bench/table.py "$RAW" "bash bench/all.sh${QUICK:+ $QUICK}$ONLY_ARG" >"bench/results/$NAME.md"
echo
cat "bench/results/$NAME.md"
echo "(written to bench/results/$NAME.md)"

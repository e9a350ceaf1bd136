#!/usr/bin/env python3
"""The receiver benchmark's driver: one load generator (wrk) for every language's receivers.

Starts the Rust receivers (`witi-bench receivers`: witi's, hyper by hand, and `limit`, a
server that drains each body unread and answers 200) and any `--serve` command (a language's
receivers: it prints `NAME URL` lines, then `ready`). For every body (plain JSON, `BULK,` and
`BULKGZ,` of 1, 100 and 1,000 events, written by `witi-bench bodies`) and 1 and 50 concurrent
senders, it POSTs the body in a loop with `wrk` to each receiver in turn (rounds alternate the
order; each run starts once the receivers' processes are idle, see `settle`) and reports
events/s (2xx answers/s x events per body) and wrk's p99 latency per request.

Before timing, each receiver must answer 200 to every body and, except `limit`, refuse a body
that does not decode (so it really decodes). Writes the figures as JSON to `--out`.
Standard library only: it runs with any python3.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BODIES = ["plain-1", "bulk-1", "bulk-100", "bulk-1000", "bulkgz-1", "bulkgz-100", "bulkgz-1000"]
SENDERS = [1, 50]
LUA = """
wrk.method = "POST"
local f = assert(io.open(os.getenv("WITI_BENCH_BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "text/plain"
-- Each request names another instance (`wid`), as many instances' PostBacks do: the same
-- body for the same `wid` is a redelivery, which witi's receiver answers without running
-- the handler again, and the hand-written ones cannot tell. Unique per thread and request.
local prefix = tostring({}):gsub("table: ", "")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/?wid=bench" .. prefix .. "-" .. n)
end
"""


def start(cmd: str, procs: list) -> dict:
    """Runs a receivers command; returns {name: url} once it says `ready`."""
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.PIPE, text=True, start_new_session=True)
    procs.append(proc)
    urls = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        # Maven prefixes a child's lines with colour resets even with -Dstyle.color=never.
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if line == "ready":
            return urls
        if line.startswith("http") or " http" in line:
            name, url = line.split()
            urls[name] = url
    raise SystemExit(f"receivers.py: {cmd!r} ended before saying ready")


def post(url: str, body: bytes) -> int:
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def check(name: str, url: str, bodies: dict) -> None:
    for body_name, body in bodies.items():
        status = post(url, body)
        if status != 200:
            raise SystemExit(f"receivers.py: {name} answers {status} to {body_name}")
    if name != "limit":
        status = post(url, b"BULKGZ,not base64 at all!")
        if status // 100 != 4:
            raise SystemExit(f"receivers.py: {name} accepts a body that does not decode ({status})")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def cpu_seconds(groups: list) -> float | None:
    """CPU time so far of every process in these process groups (Linux /proc), or None."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) in groups:  # pgrp; utime and stime cover all of a process's threads
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def settle(groups: list, limit: float = 10.0) -> float:
    """Waits until the receivers' processes are idle (at most one clock tick of CPU over 200 ms);
    returns the seconds waited. wrk stops after its duration, but a receiver may still be
    working through the requests it had read: after bulk-1000 x50, the stdlib receiver's
    threads keep the Python process's GIL busy for more than a second, and the next cell's
    first receiver, witi's in the same process, was measured during that (bulkgz-1 x1: 68
    events/s, p99 90 ms in bench/results/2026-11-30-quick.md; with a debug wheel, 28/s right
    after the stdlib's bulk-1000 x50 and 930/s on an idle process)."""
    start = time.monotonic()
    before = cpu_seconds(groups)
    if before is None:
        time.sleep(1.0)
        return time.monotonic() - start
    while time.monotonic() - start < limit:
        time.sleep(0.2)
        now = cpu_seconds(groups)
        if now is None or now - before <= 1.01 / os.sysconf("SC_CLK_TCK"):  # one clock tick
            break
        before = now
    else:
        print(f"receivers.py: the receivers still busy after {limit:.0f} s; measuring anyway", file=sys.stderr)
    return time.monotonic() - start


def wrk(url: str, body_path: str, senders: int, secs: float, script: str) -> tuple[float, float, str]:
    """(2xx answers/s, p99 in ms, errors) of one wrk run; errors is wrk's text of them, or ''."""
    cmd = ["wrk", "-t", str(min(senders, 2)), "-c", str(senders), "-d", f"{secs}s", "--latency", "-s", script, url]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "WITI_BENCH_BODY": body_path})
    text = out.stdout
    found = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", text)
    if out.returncode != 0 or not found:
        raise SystemExit(f"receivers.py: wrk against {url} failed:\n{text}{out.stderr}")
    # Only 2xx answers count as handled bodies: a 503 (witi's decoding budget is busy, retry)
    # or a 400 is fast and handles nothing, so wrk's Requests/sec would overstate the rate.
    # Non-2xx answers and socket errors are also reported with the cell, not hidden: a
    # receiver that drops connections under load (the stdlib's small backlog) is part of the
    # result.
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    handled = int(found.group(1)) - (int(refused.group(1)) if refused else 0)
    elapsed = float(found.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[found.group(3)]
    errors = "; ".join(line.strip() for line in text.splitlines() if "Non-2xx" in line or "Socket errors" in line)
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text).groups()
    return handled / elapsed, float(value) * UNITS[unit], errors


# What each language's receiver decodes a body to (bench/rust/src/decode_limit.rs): Rust's
# handler gets every status typed; the others get each event's text and kind, and build a
# status when it is read.
DECODE_DETAIL = {"rust": "full", "python": "texts", "node": "texts", "kotlin": "texts"}


def decoding_limit(rust_bin: str, bodies: str, secs: float, lang: str) -> dict:
    """{body: events/s} of `witi-bench decode-limit`, every CPU decoding, no HTTP, as `lang`'s receiver does."""
    detail = DECODE_DETAIL[lang]
    out = subprocess.run([rust_bin, "decode-limit", bodies, str(secs)], capture_output=True, text=True, check=True)
    found = {m.group(1): float(m.group(2))
             for m in re.finditer(rf"^DECODE_LIMIT {detail} (\S+) ([\d.]+)$", out.stdout, re.M)}
    missing = [b for b in BODIES if b not in found]
    if missing:
        raise SystemExit(f"receivers.py: decode-limit gave no figure for {missing}:\n{out.stdout}{out.stderr}")
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lang", required=True)
    ap.add_argument("--rust-bin", required=True, help="the witi-bench binary (release)")
    ap.add_argument("--bodies", required=True, help="the folder `witi-bench bodies` wrote")
    ap.add_argument("--serve", help="the language's receivers command (else Rust's are measured)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    secs, rounds = (1, 1) if args.quick else (2, 3)
    procs: list = []
    try:
        urls = start(shlex.quote(args.rust_bin) + " receivers", procs)
        if args.serve:
            urls = {**start(args.serve, procs), "limit": urls["limit"]}
        groups = [proc.pid for proc in procs]  # each started in its own session
        names = ["witi"] + sorted(n for n in urls if n not in ("witi", "limit")) + ["limit"]
        bodies = {b: open(os.path.join(args.bodies, b + ".txt"), "rb").read() for b in BODIES}
        for name in names:
            check(name, urls[name], bodies)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(LUA)
            script = f.name
        # The decoding limit: every CPU decoding each body, no HTTP (decode_limit.rs),
        # measured before the receivers, on the same machine, in the same run.
        decode_limit = decoding_limit(args.rust_bin, args.bodies, secs, args.lang)
        cases = []
        width = max(len(n) for n in names)
        print(f"\nwebhook receivers ({args.lang}): events/s and p99 per request, wrk, {secs} s x {rounds} rounds per cell")
        for body in BODIES:
            events = int(body.split("-")[1])
            for senders in SENDERS:
                best: dict = {}
                for r in range(rounds):
                    order = names if r % 2 == 0 else names[::-1]
                    for name in order:
                        # Each receiver starts on idle processes, not during the tail of
                        # the run before (same process for a language's receivers).
                        settle(groups)
                        got = wrk(urls[name], os.path.join(args.bodies, body + ".txt"), senders, secs, script)
                        if name not in best or got[0] > best[name][0]:
                            best[name] = got
                cells = {n: {"events_per_s": best[n][0] * events, "p99_ms": best[n][1], "errors": best[n][2]}
                         for n in names}
                cases.append({"body": body, "events": events, "senders": senders, "receivers": cells,
                              "decode_limit": decode_limit[body]})
                row = "  ".join(
                    f"{n:>{width}} {cells[n]['events_per_s']:>10,.0f}/s p99 {cells[n]['p99_ms']:>7.2f} ms" for n in names
                )
                print(f"{body:<12} x{senders:<3} {row}", flush=True)
                for n in names:
                    if cells[n]["errors"]:
                        print(f"  {n}: {cells[n]['errors']}", flush=True)
        os.unlink(script)
        with open(args.out, "w") as f:
            json.dump({"lang": args.lang, "secs": secs, "rounds": rounds, "cases": cases}, f, indent=1)
        summary(args.lang, cases)
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, 15)
            except ProcessLookupError:
                pass
            proc.wait()


def summary(lang: str, cases: list) -> None:
    """The ratios: witi over each hand-written receiver, and witi over the limit."""
    hand = [n for n in cases[0]["receivers"] if n not in ("witi", "limit")]
    print("ratios, witi's events/s over the other's (> 1: witi faster); limit: witi's share of it;")
    print("decoding: witi's share of the decoding limit (every CPU decoding the body as this receiver does, no HTTP)")
    for case in cases:
        cells = case["receivers"]
        witi = cells["witi"]["events_per_s"]
        ratio = lambda a, b: f"{a / b:.2f}" if b > 0 else "n/a (no answer)"  # noqa: E731
        parts = [f"/{n} {ratio(witi, cells[n]['events_per_s'])}" for n in hand]
        parts.append(f"of limit {ratio(witi, cells['limit']['events_per_s'])}")
        parts.append(f"decoding {ratio(witi, case['decode_limit'])} (of {case['decode_limit']:,.0f}/s)")
        print(f"  {case['body']:<12} x{case['senders']:<3} " + "  ".join(parts))


if __name__ == "__main__":
    main()

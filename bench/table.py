#!/usr/bin/env python3
"""Builds bench/all.sh's one table from the raw outputs of a run (standard library only).

    python3 bench/table.py RAW_FOLDER COMMAND > bench/results/<date>.md

Reads the `TABLE\\tkey\\tratio\\talternative\\twiti\\talternative` lines each language's benchmark
prints, wrk's `WRK\\tconcurrency\\trequests/s` lines, and the receivers' JSON
(bench/receivers.py). Every ratio is witi's speed over the other's: above 1, witi is faster.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

LANGS = ["rust", "python", "node", "kotlin"]
TITLES = {"rust": "Rust", "python": "Python", "node": "Node", "kotlin": "Kotlin"}


def version(cmd: list) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "not found"


def cpu() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def read(path: str) -> str:
    try:
        return open(path).read()
    except OSError:
        return ""


def main() -> None:
    raw, command = sys.argv[1], sys.argv[2]
    rows: dict = {}  # key -> lang -> (ratio, alternative, witi figure, alternative figure)
    for lang in LANGS:
        for line in read(os.path.join(raw, f"{lang}.txt")).splitlines():
            parts = line.split("\t")
            if parts[0] == "TABLE" and len(parts) == 6:
                rows.setdefault(parts[1], {})[lang] = parts[2:]
    wrk = {}
    for line in read(os.path.join(raw, "wrk.txt")).splitlines():
        parts = line.split("\t")
        if parts[0] == "WRK":
            wrk[parts[1]] = float(parts[2])
    receivers = {}
    for lang in LANGS:
        text = read(os.path.join(raw, f"receivers-{lang}.json"))
        if text:
            receivers[lang] = json.loads(text)["cases"]

    def cell(key: str, lang: str) -> str:
        got = rows.get(key, {}).get(lang)
        if not got:
            return "not measured"
        ratio, alt, witi, other = got
        return f"{ratio} (vs {alt}; {witi} / {other})"

    def limit_cell(conc: str, lang: str) -> str:
        got = rows.get(f"status{conc}", {}).get(lang)
        if not got or conc not in wrk:
            return "not measured"
        return f"{float(got[2]) / wrk[conc]:.2f} ({float(got[2]):,.0f} / {wrk[conc]:,.0f} calls/s)"

    def receiver_cell(lang: str) -> str:
        cases = receivers.get(lang)
        if not cases:
            return "not measured"
        hand = [n for n in cases[0]["receivers"] if n not in ("witi", "limit")]
        key = next(c for c in cases if c["body"] == "bulkgz-1000" and c["senders"] == 50)
        eps = lambda c, n: max(c["receivers"][n]["events_per_s"], 1e-9)  # noqa: E731
        best = max(hand, key=lambda n: eps(key, n))
        worst = min(((eps(c, "witi") / eps(c, n), c, n) for c in cases for n in hand), key=lambda t: t[0])
        return (f"{eps(key, 'witi') / eps(key, best):.2f} (vs {best}; {eps(key, 'witi'):,.0f} / {eps(key, best):,.0f} "
                f"events/s); worst case {worst[0]:.2f} ({worst[1]['body']} x{worst[1]['senders']}, vs {worst[2]})")

    def receiver_limit_cell(lang: str) -> str:
        cases = receivers.get(lang)
        if not cases:
            return "not measured"
        # A limit that answered nothing in its round (n/a in the grid) has no share to give.
        share = [(c["receivers"]["witi"]["events_per_s"] / c["receivers"]["limit"]["events_per_s"], c)
                 for c in cases if c["events"] == 1000 and c["receivers"]["limit"]["events_per_s"] > 0]
        if not share:
            return "n/a (the limit answered nothing)"
        low = min(share, key=lambda t: t[0])
        return f"{low[0]:.2f} at worst ({low[1]['body']} x{low[1]['senders']}); best {max(s for s, _ in share):.2f}"

    def receiver_decoding_cell(lang: str) -> str:
        cases = [c for c in receivers.get(lang) or [] if c["events"] == 1000 and c.get("decode_limit")]
        if not cases:
            return "not measured"
        share = [(c["receivers"]["witi"]["events_per_s"] / c["decode_limit"], c) for c in cases]
        low = min(share, key=lambda t: t[0])
        high = max(share, key=lambda t: t[0])
        return (f"{low[0]:.2f} at worst ({low[1]['body']} x{low[1]['senders']}: {low[1]['receivers']['witi']['events_per_s']:,.0f}"
                f" / {low[1]['decode_limit']:,.0f} events/s); best {high[0]:.2f} ({high[1]['body']} x{high[1]['senders']})")

    out = []
    started = read(os.path.join(raw, "started")).strip()
    out.append(f"# Benchmarks, {started}")
    out.append("")
    out.append(f"Made by `{command}`. Ratios are witi's speed over the alternative's, measured in the same run "
               "(above 1: witi is faster); in parentheses the alternative and the two figures (witi first).")
    out.append("")
    out.append(f"- Machine: {cpu()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}")
    out.append(f"- Load average before / after: {read(os.path.join(raw, 'load-before')).strip()} / "
               f"{read(os.path.join(raw, 'load-after')).strip()}")
    out.append(f"- Versions: {version(['rustc', '-V'])}; Python {platform.python_version()} "
               f"(bench venv: {version([os.path.join('target', 'python', 'bench-venv', 'bin', 'python'), '-V'])}); "
               f"node {version(['node', '--version'])}; {version(['java', '-version'])}; {version(['wrk', '-v'])}")
    failures = read(os.path.join(raw, "failures")).strip()
    if failures:
        out.append(f"- **Parts that failed**: {failures.replace(chr(10), '; ')}")
    out.append("")
    out.append("| row | " + " | ".join(TITLES[lang] for lang in LANGS) + " |")
    out.append("|---|" + "---|" * len(LANGS))
    table = [
        ("`status()`, 1 in flight", lambda lang: cell("status1", lang)),
        ("limit: witi's calls/s over wrk's, same simulator binary, 1 connection", lambda lang: limit_cell("1", lang)),
        ("`status()`, 1,000 in flight", lambda lang: cell("status1000", lang)),
        ("limit: witi's calls/s over wrk's, same simulator binary, 1,000 connections",
         lambda lang: limit_cell("1000", lang)),
        ("decode `BULKGZ`, 1,000 events", lambda lang: cell("decode_bulkgz1000", lang)),
        ("decode, one plain event", lambda lang: cell("decode_plain1", lang)),
        ("webhook receiver, events/s (`BULKGZ` x1,000, 50 senders, vs the best hand-written)", receiver_cell),
        ("webhook receiver against the limit (witi's events/s over a server that drains the body unread; "
         "1,000-event bodies)", receiver_limit_cell),
        ("webhook receiver against the decoding limit (witi's events/s over every CPU decoding the same body as the receiver does, "
         "with no HTTP; 1,000-event bodies)", receiver_decoding_cell),
        ("`import` / load time (speed ratio; ms)", lambda lang: cell("import", lang)),
    ]
    for title, fn in table:
        out.append(f"| {title} | " + " | ".join(fn(lang) for lang in LANGS) + " |")
    out.append("")
    if wrk:
        out.append("wrk against the release simulator: " + ", ".join(
            f"{c} connection{'s' if c != '1' else ''} {r:,.0f} calls/s" for c, r in sorted(wrk.items(), key=lambda t: int(t[0]))))
        out.append("")
    for lang in LANGS:
        text = read(os.path.join(raw, f"receivers-{lang}.txt")).strip()
        if text:
            out.append(f"## {TITLES[lang]} receivers")
            out.append("")
            out.append("```")
            out.append(text)
            out.append("```")
            out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()

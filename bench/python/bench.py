"""witi (Python) against the obvious Python alternatives, in one run against one simulator.

- `Client.status()` against `httpx.Client` and `requests.Session` (GET status.aspx + JSON
  parse into a dict), one call at a time;
- `AsyncClient.status()` against `httpx.AsyncClient` (same GET + JSON parse) at 1, 10 and
  1,000 calls in flight;
- `decode_postback` against the stdlib (base64 + zlib + json) on BULKGZ bodies of 1, 100 and
  1,000 status events;
- `import witi` against `import httpx` (fresh interpreters, median).

Prints each figure and the ratio witi/alternative in speed (> 1: witi is faster).
Run it with `bash bench/python/run.sh` (release wheel, release simulator, pinned tools).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import zlib
from typing import Any, Awaitable, Callable, Dict, List

import httpx
import requests

import witi

SIM = os.environ.get("WITI_SIM_BIN", "target/release/witi-sim")
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def n(count: int) -> int:
    return max(1, int(count * SCALE))


def start_sim() -> "tuple[subprocess.Popen[str], str]":
    proc = subprocess.Popen(
        [SIM, "--port", "0", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().split()[-1]


def best_rate(calls: int, run: Callable[[], None], rounds: int = 3) -> float:
    """Calls per second of the best of `rounds` (the least disturbed by the machine)."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        rates.append(calls / (time.perf_counter() - start))
    return max(rates)


def report(name: str, witi_rate: float, others: Dict[str, float], unit: str = "calls/s", key: str = "") -> None:
    line = f"{name:<34} witi {witi_rate:>10,.0f} {unit}"
    for other, rate in others.items():
        line += f" | {other} {rate:>10,.0f} ({witi_rate / rate:.2f}x)"
    print(line, flush=True)
    if key:  # a row of bench/all.sh's table: the ratio against the first alternative
        other, rate = next(iter(others.items()))
        print(f"TABLE\t{key}\t{witi_rate / rate:.2f}\t{other}\t{witi_rate:.0f}\t{rate:.0f}", flush=True)


def blocking(url: str, key: str) -> None:
    calls = n(2000)
    client = witi.Client(key, base_url=url)
    hx = httpx.Client()
    rq = requests.Session()
    target = f"{url}status.aspx"

    def w() -> None:
        for _ in range(calls):
            client.status()

    def h() -> None:
        for _ in range(calls):
            r = hx.get(target, params={"wid": key})
            r.raise_for_status()
            r.json()

    def q() -> None:
        for _ in range(calls):
            r = rq.get(target, params={"wid": key})
            r.raise_for_status()
            r.json()

    for f in (w, h, q):  # warm up connections and code paths
        f()
    report("Client.status() blocking", best_rate(calls, w), {"httpx": best_rate(calls, h), "requests": best_rate(calls, q)},
           key="status1")


async def gather_workers(concurrency: int, calls: int, one: Callable[[], Awaitable[Any]]) -> None:
    per_worker = calls // concurrency

    async def worker() -> None:
        for _ in range(per_worker):
            await one()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def asynchronous(url: str, key: str) -> None:
    target = f"{url}status.aspx"

    async def level(concurrency: int, calls: int, rounds: int) -> None:
        # Fresh clients per level: no connection left idle by the level before. httpx keeps
        # its default pool (100 connections) and gets no timeout: at 1,000 in flight it is
        # slow enough (tens of seconds a round) that its own connections of 1,000 hit the
        # server's 30 s header timeout and its pool waits pass any pool timeout.
        client = witi.AsyncClient(key, base_url=url)
        async with httpx.AsyncClient(timeout=None) as hx:

            async def h() -> None:
                r = await hx.get(target, params={"wid": key})
                r.raise_for_status()
                r.json()

            async def rate(one: Callable[[], Awaitable[Any]]) -> float:
                await gather_workers(concurrency, concurrency, one)  # warm-up: open connections
                best = 0.0
                for _ in range(rounds):
                    start = time.perf_counter()
                    await gather_workers(concurrency, calls, one)
                    best = max(best, calls / (time.perf_counter() - start))
                return best

            report(f"AsyncClient.status() x{concurrency}", await rate(client.status), {"httpx async": await rate(h)},
                   key="status1000" if concurrency == 1000 else "")
        await client.close()

    async def main() -> None:
        for concurrency, calls, rounds in ((1, n(2000), 3), (10, n(5000), 3), (1000, n(3000), 1)):
            await level(concurrency, max(calls // concurrency, 1) * concurrency, rounds)

    asyncio.run(main())


STATUS_EVENT = {
    "status": 10,
    "statusString": "WhatsAppAuthenticated",
    "connected": True,
    "ConnectionInfo": {
        "lg": "en", "lc": "US",
        "phone": {"device_model": "iPhone 4S", "wa_version": "2.17.52", "mcc": "000", "mnc": "000",
                  "os_version": "9.3.5", "os_build_number": "undefined", "device_manufacturer": "Apple"},
        "battery": 83, "plugged": False, "platform": "iphone", "wid": "5511987654321@s.whatsapp.net",
        "pushname": "Atendimento Maria", "tos": 0, "protoVersion": [0, 17], "connected": True,
        "isResponse": "false", "binVersion": 10, "locales": "en-US,pt-BR",
    },
    "WebID": "6D6307C3-2973-4468-85FA-D047CB8E1F2E",
    "Webhook": "https://erp.example/hook?token=t&wid=6D6307C3-2973-4468-85FA-D047CB8E1F2E",
    "UserAgent": "Mozilla/5.0",
    "CanRestoreConnection": True,
    "stats": {"Contacts": 72, "Chats": 32, "SentBytes": 0, "ReceveidBytes": 0},
    "storage": {"Name": "6D6307C3", "Bytes": 15544238, "Files": 107, "Subs": [
        {"Name": "media", "Bytes": 15000000, "Files": 100, "Subs": None},
        {"Name": "profile", "Bytes": 500000, "Files": 5, "Subs": None},
        {"Name": "thumb", "Bytes": 44238, "Files": 2, "Subs": None}]},
}


def bulkgz(events: int) -> bytes:
    item = base64.b64encode(json.dumps(STATUS_EVENT).encode()).decode()
    text = "\ufeff" + json.dumps([item] * events)
    return b"BULKGZ," + base64.b64encode(zlib.compress(text.encode()))


def stdlib_decode(body: bytes) -> List[Any]:
    text = zlib.decompress(base64.b64decode(body[len(b"BULKGZ,"):])).decode("utf-8-sig")
    return [json.loads(base64.b64decode(item)) for item in json.loads(text)]


def postbacks() -> None:
    for events in (0, 1, 100, 1000):  # 0: one plain JSON event
        body = json.dumps(STATUS_EVENT).encode() if events == 0 else bulkgz(events)
        decode = (lambda b: [json.loads(b)]) if events == 0 else stdlib_decode
        assert len(witi.decode_postback(body)) == len(decode(body)) == max(events, 1)
        loops = max(1, n(20000) // max(events, 1))

        def w() -> None:
            for _ in range(loops):
                witi.decode_postback(body)

        def s() -> None:
            for _ in range(loops):
                decode(body)

        name = "decode_postback plain x1" if events == 0 else f"decode_postback BULKGZ x{events}"
        key = {0: "decode_plain1", 1000: "decode_bulkgz1000"}.get(events, "")
        count = loops * max(events, 1)
        report(name, best_rate(count, w), {"stdlib": best_rate(count, s)}, unit="events/s", key=key)
        if events in (0, 1000):
            # Events build their `status` on first access: the same decode when the handler
            # reads every event's status (no TABLE row; the decode rows do not read them).
            def r() -> None:
                for _ in range(loops):
                    for event in witi.decode_postback(body):
                        event.status

            report(f"{name}, every status read", best_rate(count, r), {"stdlib": best_rate(count, s)}, unit="events/s")


def import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(15)
    ]
    return statistics.median(times)


def imports() -> None:
    w, h = import_time("witi"), import_time("httpx")
    print(f"{'import time':<34} witi {w * 1000:>8.1f} ms | httpx {h * 1000:>8.1f} ms ({h / w:.2f}x)", flush=True)
    print(f"TABLE\timport\t{h / w:.2f}\timport httpx\t{w * 1000:.1f}\t{h * 1000:.1f}", flush=True)


def main() -> None:
    proc, url = start_sim()
    try:
        print(f"python {sys.version.split()[0]}, witi {witi.__version__}, httpx {httpx.__version__}, "
              f"requests {requests.__version__}, {os.cpu_count()} CPUs, simulator {SIM}", flush=True)
        blocking(url, "bench-blocking")
        asynchronous(url, "bench-async")
        postbacks()
        imports()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()

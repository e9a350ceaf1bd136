"""The per-client connection cap (``max_connections``) and the ``proxy`` option."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time

import pytest

import witi
from conftest import Sim

TEN_THOUSAND = textwrap.dedent(
    """
    import asyncio, resource, sys, witi

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 1024), hard))

    async def main():
        # The default cap (100); a generous timeout for a loaded machine: this checks that
        # nothing fails, not how fast.
        client = witi.AsyncClient(sys.argv[1], base_url=sys.argv[2], timeout=300, max_retries=0)
        results = await asyncio.gather(*(client.status() for _ in range(10_000)), return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        print(len(failed), repr(failed[0]) if failed else "", flush=True)

    asyncio.run(main())
    """
)


def test_ten_thousand_concurrent_calls_succeed_under_ulimit_1024(sim: Sim, key: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", TEN_THOUSAND, key, sim.url], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split(" ", 1)[0] == "0", done.stdout


def test_calls_beyond_the_cap_wait_for_a_free_connection(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "latency", "latency_ms": 300})

    async def main() -> float:
        client = witi.AsyncClient(key, base_url=sim.url, max_connections=2)
        started = time.monotonic()
        await asyncio.gather(*(client.status() for _ in range(6)))
        return time.monotonic() - started

    # 6 calls of 300 ms through 2 connections: at least 3 rounds.
    assert asyncio.run(main()) >= 0.9


@pytest.mark.parametrize("bad", [0, -1])
def test_a_cap_below_one_is_an_invalid_argument(bad: int) -> None:
    with pytest.raises(witi.InvalidArgumentError, match="max_connections"):
        witi.Client("k", base_url="http://127.0.0.1:9/", max_connections=bad)
    with pytest.raises(witi.InvalidArgumentError, match="max_connections"):
        witi.AsyncClient("k", base_url="http://127.0.0.1:9/", max_connections=bad)


def test_an_explicit_proxy_is_used_and_named_without_credentials(key: str) -> None:
    # Nothing listens on port 1: the error names the proxy, not its password.
    client = witi.Client(
        key, base_url="http://127.0.0.1:9/", proxy="http://alice:hunter2@127.0.0.1:1", max_retries=0
    )
    with pytest.raises(witi.ConnectionError) as caught:
        client.status()
    text = str(caught.value)
    assert "through proxy http://127.0.0.1:1" in text, text
    assert "hunter2" not in text and "alice" not in text, text
    with pytest.raises(witi.InvalidArgumentError, match="proxy"):
        witi.Client(key, proxy="ftp://proxy:21")

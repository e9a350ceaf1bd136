"""AsyncClient: concurrency, cancellation, callbacks on the loop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

import witi
from conftest import Sim


def test_many_concurrent_calls(sim: Sim, key: str) -> None:
    async def main() -> list:
        async with witi.AsyncClient(key, base_url=sim.url) as client:
            return await asyncio.gather(*(client.status() for _ in range(200)))

    results = asyncio.run(main())
    assert len(results) == 200 and all(r.code == 0 for r in results)
    assert sim.instance(key)["calls"]["status.aspx"] == 200


def test_errors_raise_in_the_awaiting_task(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "http_status", "status": 404, "count": 1})

    async def main() -> None:
        client = witi.AsyncClient(key, base_url=sim.url, max_retries=0)
        with pytest.raises(witi.HttpStatusError) as info:
            await client.status()
        assert info.value.status == 404 and key not in repr(info.value)
        await client.close()
        with pytest.raises(witi.InvalidArgumentError):
            await client.status()

    asyncio.run(main())


def test_cancelling_the_task_cancels_the_request(sim: Sim, key: str) -> None:
    """A cancelled wait_for_status stops polling: no status call reaches the server after."""

    async def main() -> None:
        client = witi.AsyncClient(key, base_url=sim.url)
        task = asyncio.ensure_future(client.wait_for_status([10], timeout=30, poll_interval=0.02))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.1)
        calls = sim.instance(key)["calls"]["status.aspx"]
        assert calls >= 3
        await asyncio.sleep(0.4)
        assert sim.instance(key)["calls"]["status.aspx"] == calls

    asyncio.run(main())


def test_cancelling_a_stalled_request_frees_the_task_at_once(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "stall", "stall_ms": 5000, "count": 1})

    async def main() -> float:
        client = witi.AsyncClient(key, base_url=sim.url)
        task = asyncio.ensure_future(client.status())
        await asyncio.sleep(0.2)
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The client still works after a cancelled call.
        assert (await client.status()).code == 0
        return time.monotonic() - start

    assert asyncio.run(main()) < 1.0


def test_wait_for_with_a_timeout(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "stall", "stall_ms": 3000, "count": 1})

    async def main() -> None:
        client = witi.AsyncClient(key, base_url=sim.url)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.status(), 0.2)

    asyncio.run(main())


def test_async_on_qr_runs_on_the_loop_and_may_be_a_coroutine(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0, "auto_scan_after_ms": 100})

    async def main() -> None:
        loop_thread = threading.get_ident()
        seen: list = []

        async def on_qr(qr: witi.QrCode) -> None:
            await asyncio.sleep(0)
            seen.append((threading.get_ident(), qr.ttl_seconds))

        status = await witi.AsyncClient(key, base_url=sim.url).connect(on_qr, timeout=10, poll_interval=0.05)
        assert status.code is witi.StatusCode.AUTHENTICATED
        assert seen == [(loop_thread, 20)]

    asyncio.run(main())


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_async_on_qr_exception_ends_connect_with_that_exception(sim: Sim, key: str, kind: str) -> None:
    class Boom(Exception):
        pass

    raised = Boom("from on_qr")

    def sync_qr(qr: witi.QrCode) -> None:
        raise raised

    async def async_qr(qr: witi.QrCode) -> None:
        raise raised

    async def main() -> None:
        client = witi.AsyncClient(key, base_url=sim.url)
        with pytest.raises(Boom) as info:
            await client.connect(sync_qr if kind == "sync" else async_qr, timeout=5, poll_interval=0.05)
        assert info.value is raised

    asyncio.run(main())


def test_one_async_client_on_two_loops_in_two_threads(sim: Sim, key: str) -> None:
    client = witi.AsyncClient(key, base_url=sim.url)
    results: list = []

    def worker() -> None:
        async def main() -> None:
            results.extend(await asyncio.gather(*(client.status() for _ in range(20))))

        asyncio.run(main())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 40


def test_async_on_qr_may_await_the_client(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0, "auto_scan_after_ms": 100})

    async def main() -> None:
        client = witi.AsyncClient(key, base_url=sim.url)
        seen: list = []

        async def on_qr(qr: witi.QrCode) -> None:
            seen.append((await client.status()).code)

        status = await client.connect(on_qr, timeout=10, poll_interval=0.05)
        assert status.code is witi.StatusCode.AUTHENTICATED
        assert seen == [witi.StatusCode.WAIT_FOR_QR_AUTHENTICATION]

    asyncio.run(main())

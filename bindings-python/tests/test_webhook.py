"""The PostBack receiver end to end: the simulator delivers, in all three framings, to a
`witi.WebhookServer` whose Python handler gets one `Event` per event, in order."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, Optional, Tuple

import pytest

import witi
from conftest import Sim

FRAMINGS = {
    "plain": {"api_version_can_bulk": False, "api_version": "1.0"},
    "bulk": {"api_version_can_bulk": True, "api_version": "1.0"},
    "bulkgz": {"api_version_can_bulk": True, "api_version": "1.1"},
}


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


@pytest.mark.parametrize("framing", list(FRAMINGS))
def test_postbacks_reach_the_handler_in_every_framing(sim: Sim, key: str, framing: str) -> None:
    events: List[witi.Event] = []
    threads: set = set()

    def handler(event: witi.Event) -> None:
        threads.add(threading.get_ident())
        events.append(event)

    with witi.listen(handler, token="tok-123") as server:
        client = witi.Client(key, base_url=sim.url)
        status = client.set_config(webhook=server.url + "hook?token=tok-123", **FRAMINGS[framing])
        assert status.webhook and status.webhook.startswith(server.url + "hook?token=tok-123&wid=")
        sim.post(f"instances/{key}/postback", {"event": {"type": "message", "text": "olá"}})
        sim.post(f"instances/{key}/status", {"code": 13})
        wait_until(lambda: len(events) >= 3)
        snapshot = sim.instance(key)
    assert server.closed
    assert snapshot["bulk"] == FRAMINGS[framing]["api_version_can_bulk"]
    assert snapshot["api_version"] == FRAMINGS[framing]["api_version"]
    assert snapshot["postbacks"]["failed"] == 0
    assert [e.kind for e in events] == ["status", "unknown", "status"]
    assert events[0].status is not None and events[0].status.code is witi.StatusCode.NO_CONNECTION
    assert events[1].status is None and '"olá"' in events[1].json
    assert events[2].status is not None and events[2].status.code is witi.StatusCode.NOT_AUTHENTICATED
    assert threading.get_ident() not in threads  # the handler ran on a worker thread
    # The simulator appends `&wid=<WebID>`: every event carries its instance, and an id.
    wid = status.webhook.split("&wid=", 1)[1]
    assert wid and [e.wid for e in events] == [wid] * 3
    assert len({e.id for e in events}) == 3 and all(len(e.id) == 32 for e in events)
    # The WebID may be the key: no event's repr shows it, nor its Status's (web_id, webhook).
    for event in events:
        assert wid not in repr(event) and wid not in str(event)
        if event.status is not None:
            assert wid not in repr(event.status) and event.status.web_id == wid


def test_a_raising_handler_is_logged_and_the_server_goes_on(
    sim: Sim, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="witi")
    events: List[witi.Event] = []

    def handler(event: witi.Event) -> None:
        events.append(event)
        if event.kind == "unknown":
            raise RuntimeError("handler bug")

    with witi.WebhookServer(handler) as server:
        client = witi.Client(key, base_url=sim.url)
        client.set_config(webhook=server.url + "hook")  # no `?`: the gateway appends `&wid=`
        sim.post(f"instances/{key}/postback", {"event": {"n": 1}})
        sim.post(f"instances/{key}/postback", {"event": {"n": 2}})
        sim.post(f"instances/{key}/status", {"code": 13})
        wait_until(lambda: len(events) >= 4)
    assert [e.kind for e in events] == ["status", "unknown", "unknown", "status"]
    failures = [r for r in caplog.records if r.name == "witi" and "handler failed" in r.getMessage()]
    assert len(failures) == 2, [r.getMessage() for r in caplog.records]
    assert "handler bug" in failures[0].getMessage()
    assert failures[0].levelno == logging.WARNING
    assert sim.instance(key)["postbacks"]["failed"] == 0  # every POST was acknowledged


def test_an_async_handler_is_awaited_on_the_loop(sim: Sim, key: str) -> None:
    async def main() -> None:
        loop_thread = threading.get_ident()
        seen: List[tuple] = []

        async def handler(event: witi.Event) -> None:
            await asyncio.sleep(0)
            seen.append((threading.get_ident(), event.kind))

        async with witi.WebhookServer(handler) as server:
            client = witi.AsyncClient(key, base_url=sim.url)
            await client.set_config(webhook=server.url + "x?a=b", api_version_can_bulk=True)
            for _ in range(200):
                if seen:
                    break
                await asyncio.sleep(0.02)
        assert seen == [(loop_thread, "status")]

    asyncio.run(main())


def test_close_on_the_loop_while_an_async_handler_runs_does_not_deadlock(sim: Sim, key: str) -> None:
    started = threading.Event()
    outcome: List[object] = []

    async def main() -> None:
        async def handler(event: witi.Event) -> None:
            started.set()
            await asyncio.sleep(0.3)

        server = witi.WebhookServer(handler)
        client = witi.AsyncClient(key, base_url=sim.url)
        await client.set_config(webhook=server.url + "x")
        while not started.is_set():
            await asyncio.sleep(0.01)
        with pytest.warns(RuntimeWarning, match="aclose"):
            server.close()  # on the loop, with the handler awaiting on it
        outcome.append(server.closed)

    # In a thread of its own, so that a deadlock fails the test instead of hanging the run.
    runner = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    runner.start()
    runner.join(timeout=15)
    assert not runner.is_alive(), "close() on the loop deadlocked"
    assert outcome == [True]


def test_an_async_handler_without_a_loop_runs_anyway(sim: Sim, key: str) -> None:
    seen: List[str] = []

    async def handler(event: witi.Event) -> None:
        seen.append(event.kind)

    with witi.listen(handler) as server:
        witi.Client(key, base_url=sim.url).set_config(webhook=server.url + "x")
        wait_until(lambda: bool(seen))
    assert seen == ["status"]


def test_wrong_token_is_refused_and_bad_bodies_get_400() -> None:
    seen: List[witi.Event] = []
    with witi.listen(seen.append, token="right") as server:
        host, port = server.address
        assert host == "127.0.0.1" and port > 0 and server.url == f"http://127.0.0.1:{port}/"

        def post(path: str, body: bytes) -> int:
            req = urllib.request.Request(server.url + path, data=body, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as resp:
                    return resp.status
            except urllib.error.HTTPError as e:
                return e.code

        assert post("h?token=wrong", b"{}") == 401
        assert post("h?token=right", b"BULKGZ,not base64!") == 400
        assert post("h?token=right", b'{"status": 2, "statusString": "webSocketOpen"}') == 200
    assert [e.kind for e in seen] == ["status"]
    assert "right" not in repr(server)


def test_listen_on_a_taken_port_is_a_connection_error() -> None:
    with witi.listen(lambda e: None) as first:
        with pytest.raises(witi.ConnectionError):
            witi.listen(lambda e: None, port=first.address[1])
    with pytest.raises(witi.InvalidArgumentError):
        witi.listen(lambda e: None, host="not-an-ip")


def test_decode_postback_accepts_bytes_like_and_str() -> None:
    body = b'{"status": 10, "statusString": "WhatsAppAuthenticated"}'
    for value in (body, bytearray(body), memoryview(body), body.decode()):
        [event] = witi.decode_postback(value)
        assert event.kind == "status" and event.status is not None and event.status.code == 10
    with pytest.raises(witi.PostbackError) as info:
        witi.decode_postback(b"BULK,[1")
    assert info.value.code == "postback"


def test_decode_postback_gives_wid_and_stable_ids() -> None:
    body = b'[{"a": 1}, {"a": 1}]'
    first, second = witi.decode_postback(body, wid="K3y+/")
    assert first.wid == "K3y+/" and first.to_dict()["wid"] == "K3y+/"
    assert first.id != second.id  # two identical events in one body are two events
    assert [e.id for e in witi.decode_postback(body, wid="K3y+/")] == [first.id, second.id]
    assert witi.decode_postback(body)[0].wid is None
    assert witi.decode_postback(body)[0].id != first.id  # the instance is part of the id
    assert "K3y" not in repr(first)


def test_a_handler_may_call_the_blocking_client(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    codes: List[object] = []

    def handler(event: witi.Event) -> None:
        codes.append(client.status().code)  # a blocking call from the receiver's thread

    with witi.listen(handler) as server:
        client.set_config(webhook=server.url + "x")
        wait_until(lambda: bool(codes))
    assert codes == [witi.StatusCode.NO_CONNECTION]


def test_requests_queued_behind_a_busy_handler_keep_each_its_own_wid() -> None:
    # The first event holds the handler, so the next requests queue up and reach Python in one
    # call with mixed WebIDs (the core merges them); each event must keep its own.
    release = threading.Event()
    seen: List[Tuple[str, Optional[str]]] = []

    def handler(event: witi.Event) -> None:
        name = json.loads(event.json)["r"]
        if name == "first":
            release.wait(10)
        seen.append((name, event.wid))

    def send(url: str, name: str, wid: Optional[str]) -> int:
        query = "" if wid is None else "?wid=" + urllib.parse.quote(wid, safe="")
        body = json.dumps({"r": name}).encode()
        with urllib.request.urlopen(urllib.request.Request(url + query, data=body, method="POST"), timeout=10) as r:
            return r.status

    wids = {"first": "w-first", "a": "w-a", "b": "w-b", "c": "w-a", "none": None, "quote": 'w"[,]='}
    with witi.listen(handler) as server, ThreadPoolExecutor(8) as pool:
        first = pool.submit(send, server.url, "first", wids["first"])
        time.sleep(0.1)
        rest = [pool.submit(send, server.url, name, wids[name]) for name in ["a", "b", "c", "none", "quote"]]
        time.sleep(0.3)
        assert not first.done(), "no answer before the events are handled"
        release.set()
        assert [f.result() for f in [first, *rest]] == [200] * 6
    assert seen[0] == ("first", "w-first")
    assert sorted(name for name, _ in seen) == sorted(wids)
    for name, wid in seen:
        assert wid == wids[name], name

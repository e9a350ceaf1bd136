"""The blocking client's Python behaviour: construction, results, errors, threads."""

from __future__ import annotations

import builtins
import json
import pickle
import sys
import threading
import time
from pathlib import Path

import pytest

import witi
from conftest import REPO, Sim


def test_the_suite_runs_on_the_installed_wheel() -> None:
    package = Path(witi.__file__).resolve()
    assert "site-packages" in package.parts, package
    assert REPO / "bindings-python" not in package.parents
    assert witi._native.__file__ and Path(witi._native.__file__).parent == package.parent
    assert witi.__version__


@pytest.mark.parametrize("client_class", [witi.Client, witi.AsyncClient])
def test_default_arguments_are_the_cores(client_class: type) -> None:
    import inspect

    native = witi._native
    wait = inspect.signature(client_class.wait_for_status).parameters
    connect = inspect.signature(client_class.connect).parameters
    assert wait["timeout"].default == native.DEFAULT_WAIT_TIMEOUT
    assert wait["poll_interval"].default == native.DEFAULT_POLL_INTERVAL
    assert connect["timeout"].default == native.DEFAULT_CONNECT_TIMEOUT
    assert connect["poll_interval"].default == native.DEFAULT_POLL_INTERVAL
    assert connect["restore_session"].default is True


def test_env_vars_give_key_and_base_url(sim: Sim, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WITI_API_KEY", key)
    monkeypatch.setenv("WITI_BASE_URL", sim.url)
    with witi.Client() as client:
        assert client.base_url == sim.url
        assert client.status().code == witi.StatusCode.NO_CONNECTION
    assert sim.instance(key)["calls"]["status.aspx"] == 1


def test_no_key_is_an_invalid_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WITI_API_KEY", raising=False)
    with pytest.raises(witi.InvalidArgumentError) as info:
        witi.Client()
    assert info.value.code == "invalid_argument"
    assert isinstance(info.value, ValueError)
    with pytest.raises(witi.InvalidArgumentError):
        witi.Client("k", base_url="ftp://nope/")
    with pytest.raises(witi.InvalidArgumentError):
        witi.Client("k", timeout=-1)


def test_closed_client_refuses_calls(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    with client:
        client.status()
    with pytest.raises(witi.InvalidArgumentError, match="closed"):
        client.status()


def test_results_are_objects_with_repr_equality_to_dict_and_pickle(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0})
    client = witi.Client(key, base_url=sim.url)
    qr = client.generate_qrcode("Mozilla/5.0 (test)")
    assert isinstance(qr, witi.QrCode) and qr.svg.startswith("<?xml") and qr.ttl_seconds == 20
    assert "svg=<" in repr(qr) and len(repr(qr)) < 100
    sim.post(f"instances/{key}/scan")
    status = client.wait_for_status(witi.StatusCode.AUTHENTICATED, timeout=5, poll_interval=0.02)
    assert status.code is witi.StatusCode.AUTHENTICATED
    info = status.connection_info
    assert isinstance(info, witi.ConnectionInfo) and isinstance(info.phone, witi.Phone)
    assert info.phone.os_build_number is None and info.is_response is False
    assert info.proto_version == (0, 17) and len(info.locales) == 2
    assert isinstance(status.stats, witi.Stats) and status.stats.contacts == 72
    assert isinstance(status.storage, witi.StorageNode) and status.storage.subs
    assert all(isinstance(s, witi.StorageNode) for s in status.storage.subs)
    # repr: readable, the raw JSON only as its length
    text = repr(status)
    assert text.startswith("Status(code=<StatusCode.AUTHENTICATED: 10>") and status.raw_json not in text
    assert f"raw_json_len={len(status.raw_json)}" in text
    # equality and pickling
    again = client.status()
    assert again == status and again is not status
    assert pickle.loads(pickle.dumps(status)) == status
    assert status != client.disconnect()
    # to_dict: JSON-ready, the spec's names, the code as a number
    data = status.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["code"] == 10 and type(data["code"]) is int
    assert data["connection_info"]["phone"]["device_model"]
    assert data["stats"]["received_bytes"] == 0
    assert json.loads(data["raw_json"])["status"] == 10
    with pytest.raises(Exception):
        status.code = 0  # type: ignore[misc]  # frozen


def test_session_and_clear_results(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    with pytest.raises(witi.ApiError) as info:
        client.save_session()
    assert info.value.server_message == "No active session to save"
    cleared = client.clear()
    assert cleared == witi.ClearResult(success=True, message="clear ok")
    assert cleared.to_dict() == {"success": True, "message": "clear ok"}


def test_unknown_status_code_is_kept_as_int(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/status", {"code": 99, "status_string": "SomethingNew"})
    status = witi.Client(key, base_url=sim.url).status()
    assert status.code == 99 and type(status.code) is int
    assert status.status_string == "SomethingNew"
    sim.post(f"instances/{key}/status", {"code": 13})
    known = witi.Client(key, base_url=sim.url).status().code
    assert known is witi.StatusCode.NOT_AUTHENTICATED and known == 13
    assert issubclass(witi.StatusCode, int)


@pytest.mark.parametrize(
    "fault,cls,code",
    [
        ({"kind": "http_status", "status": 429, "retry_after": "30"}, witi.RateLimitedError, "rate_limited"),
        ({"kind": "http_status", "status": 401}, witi.AuthError, "auth"),
        ({"kind": "http_status", "status": 404}, witi.HttpStatusError, "http_status"),
        ({"kind": "html"}, witi.DecodeError, "decode"),
        ({"kind": "reset"}, witi.ConnectionError, "connection"),
        ({"kind": "stall", "stall_ms": 3000}, witi.TimeoutError, "timeout"),
    ],
)
def test_errors_are_their_classes_pickle_and_hide_the_key(
    sim: Sim, key: str, fault: dict, cls: type, code: str
) -> None:
    sim.post("faults", {**fault, "command": "status.aspx", "key": key, "count": 1})
    client = witi.Client(key, base_url=sim.url, timeout=0.3, max_retries=0)
    with pytest.raises(cls) as info:
        client.status()
    e = info.value
    assert isinstance(e, witi.WitiError) and e.code == code and e.command == "status.aspx"
    if code == "rate_limited":
        assert e.retry_after == 30.0 and e.status == 429
    if code in ("auth", "http_status"):
        assert e.status == fault["status"]
    if code == "timeout":
        assert isinstance(e, builtins.TimeoutError)
    if code == "connection":
        assert isinstance(e, builtins.ConnectionError)
    copy = pickle.loads(pickle.dumps(e))
    assert type(copy) is type(e) and str(copy) == str(e) and repr(copy) == repr(e)
    assert vars(copy) == vars(e)
    for text in (str(e), repr(e), *map(str, vars(e).values()), repr(client)):
        assert key not in text


def test_a_flow_timeout_carries_the_last_status_and_pickles(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    with pytest.raises(witi.TimeoutError) as info:
        client.wait_for_status([10], timeout=0.2, poll_interval=0.05)
    e = info.value
    assert isinstance(e.last_status, witi.Status)
    assert e.last_status.code == witi.StatusCode.NO_CONNECTION
    assert "(last status 0 noConnection)" in str(e)
    copy = pickle.loads(pickle.dumps(e))
    assert copy.last_status == e.last_status
    assert key not in repr(vars(e))


def test_key_never_in_client_repr(sim: Sim, key: str) -> None:
    for client in (witi.Client(key, base_url=sim.url), witi.AsyncClient(key, base_url=sim.url)):
        assert key not in repr(client) and key not in str(client)
        assert key not in repr(client._native)


def test_one_client_shared_by_threads(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    errors: list = []
    codes: list = []

    def work() -> None:
        try:
            for _ in range(25):
                codes.append(client.status().code)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(codes) == 200
    assert sim.instance(key)["calls"]["status.aspx"] == 200


def test_the_gil_is_released_while_waiting(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "latency", "latency_ms": 600, "count": 1})
    client = witi.Client(key, base_url=sim.url)
    ticks = [0]
    done = threading.Event()

    def count() -> None:
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.01)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.monotonic()
    client.status()
    done.set()
    counter.join()
    assert time.monotonic() - start >= 0.5
    # With the GIL held for 0.6 s the counter could not have run; it ran ~60 times.
    assert ticks[0] >= 20, ticks


def test_on_qr_exception_ends_connect_with_that_exception(sim: Sim, key: str) -> None:
    class Boom(Exception):
        pass

    raised = Boom("from on_qr")
    seen: list = []

    def on_qr(qr: witi.QrCode) -> None:
        seen.append(qr)
        raise raised

    with pytest.raises(Boom) as info:
        witi.Client(key, base_url=sim.url).connect(on_qr, timeout=5, poll_interval=0.05)
    assert info.value is raised and len(seen) == 1
    assert sys.getrefcount(raised) > 1


def test_connect_calls_on_qr_on_the_callers_thread(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0, "auto_scan_after_ms": 100})
    threads: list = []
    status = witi.Client(key, base_url=sim.url).connect(
        lambda qr: threads.append(threading.get_ident()), timeout=10, poll_interval=0.05
    )
    assert status.code is witi.StatusCode.AUTHENTICATED
    assert threads == [threading.get_ident()]


def test_every_core_error_code_has_its_class() -> None:
    codes = set(witi._native.error_codes())
    assert "timeout" in codes and "callback" in codes
    # `callback` is never raised as a WitiError: the caller's own exception is.
    assert set(witi._errors._BY_CODE) == codes - {"callback"}
    for code, cls in witi._errors._BY_CODE.items():
        assert cls.code == code and issubclass(cls, witi.WitiError)
        assert getattr(witi, cls.__name__) is cls


def test_on_qr_may_make_blocking_calls(sim: Sim, key: str) -> None:
    sim.post(f"instances/{key}/config", {"starting_delay_ms": 0, "auto_scan_after_ms": 100})
    client = witi.Client(key, base_url=sim.url)
    seen: list = []
    status = client.connect(lambda qr: seen.append(client.status().code), timeout=10, poll_interval=0.05)
    assert status.code is witi.StatusCode.AUTHENTICATED
    assert seen == [witi.StatusCode.WAIT_FOR_QR_AUTHENTICATION]

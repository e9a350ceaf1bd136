"""Process-level behaviour: Ctrl-C during a blocking wait, and fork()."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import witi
from conftest import Sim

INTERRUPTED = textwrap.dedent(
    """
    import sys, time, witi
    client = witi.Client(sys.argv[1], base_url=sys.argv[2])
    call = sys.argv[3]
    print("ready", flush=True)
    start = time.monotonic()
    try:
        if call == "wait_for_status":
            client.wait_for_status([10], timeout=60, poll_interval=0.05)
        elif call == "connect":
            client.connect(lambda qr: None, timeout=60, poll_interval=0.05)
        else:
            client.status()  # a stalled request
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        # The client still works after the interrupted call.
        print("after", client.status().code, flush=True)
        sys.exit(0)
    print("finished without interrupt", flush=True)
    sys.exit(3)
    """
)


@pytest.mark.parametrize("call", ["wait_for_status", "connect", "stalled_status"])
def test_ctrl_c_interrupts_a_blocking_call_within_a_second(sim: Sim, key: str, call: str) -> None:
    if call == "stalled_status":
        sim.post("faults", {"command": "status.aspx", "key": key, "kind": "stall", "stall_ms": 20000, "count": 1})
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, key, sim.url, call],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)  # well inside the call
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=5)
    finally:
        proc.kill()
    elapsed = time.monotonic() - sent
    assert proc.returncode == 0, (out, err)
    assert "interrupted" in out
    assert elapsed < 1.0, elapsed
    assert key not in err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_clients_work_in_a_forked_child(sim: Sim, key: str) -> None:
    client = witi.Client(key, base_url=sim.url)
    assert client.status().code == 0  # the parent's runtime and pool are in use
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 1
        try:
            old = client.status().code
            new = witi.Client(key, base_url=sim.url).status().code
            aio = asyncio.run(witi.AsyncClient(key, base_url=sim.url).status()).code
            os.write(write, f"{int(old)} {int(new)} {int(aio)}".encode())
            code = 0
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, f"error {e!r}".encode())
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    report = os.read(read, 1000).decode()
    os.close(read)
    assert os.WEXITSTATUS(status) == 0, report
    assert report == "0 0 0"
    assert client.status().code == 0  # and the parent's client still works
    assert sim.instance(key)["calls"]["status.aspx"] == 5


EXIT_RACE = textwrap.dedent(
    """
    import asyncio, sys, witi

    async def main():
        client = witi.AsyncClient(sys.argv[1], base_url=sys.argv[2])
        for _ in range(3):
            await asyncio.gather(*(client.status() for _ in range(50)))
        try:
            await asyncio.wait_for(client.wait_for_status([10], timeout=60, poll_interval=0.01), 0.05)
        except asyncio.TimeoutError:
            pass
        print((await client.status()).code)

    asyncio.run(main())
    """
)


def test_exit_right_after_async_calls_is_clean(sim: Sim, key: str) -> None:
    """Runtime threads completing asyncio futures as the interpreter exits must not crash it
    (it did, about one run in ten, before `witi._native.shutdown` ran at exit)."""
    for _ in range(20):
        done = subprocess.run(
            [sys.executable, "-c", EXIT_RACE, key, sim.url], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
        assert done.stdout.strip() == "0"


def test_import_leaves_asyncio_for_later() -> None:
    # `import witi` is on every run of a CLI tool that uses it; asyncio was most of its time
    # (bench/python measures it). A blocking user must not pay for it.
    code = "import sys, witi; print('asyncio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

"""Process lifecycle (issue 11): Ctrl-C with a busy webhook handler, exit after fork(), and a
result that arrives for an event loop the program closed by hand.

Each case runs a child interpreter: exit, signals and stderr are what is checked. The time
bounds are behaviour, not speed: "before the 20 s handler returns" and "without the exit
hook's 2.0 s wait", each with a wide margin.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import Sim

BUSY_HANDLER = textwrap.dedent(
    """
    import sys, threading, time, urllib.request, witi

    mode = sys.argv[1]
    busy = threading.Event()

    def handler(event):
        busy.set()
        time.sleep(20)

    def post(url):
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b'{"status": 0}'), timeout=60)
        except Exception:
            pass  # the process may end before the answer

    def start(server):
        threading.Thread(target=post, args=(server.url,), daemon=True).start()
        assert busy.wait(10), "the handler never ran"
        print("busy", flush=True)

    if mode == "with":
        with witi.listen(handler) as server:
            start(server)
            time.sleep(60)
    elif mode == "close":
        server = witi.listen(handler)
        try:
            start(server)
            time.sleep(60)
        finally:
            server.close()
    elif mode == "unclosed":
        server = witi.listen(handler)
        start(server)
        time.sleep(60)
    elif mode == "async_with":  # Ctrl-C under asyncio.run cancels the task in the block
        import asyncio

        async def main():
            async with witi.listen(handler) as server:
                start(server)
                await asyncio.sleep(60)

        asyncio.run(main())
    elif mode == "exit":  # no signal: the program ends while the handler is busy
        server = witi.listen(handler)
        start(server)
        print("exiting", flush=True)
        sys.exit(0)
    """
)


def spawn(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("mode", ["with", "close", "unclosed", "async_with"])
def test_ctrl_c_leaves_a_busy_webhook_handler(mode: str) -> None:
    """SIGINT while the handler sleeps 20 s: the process ends long before the handler would."""
    proc = spawn(BUSY_HANDLER, mode)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "busy"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGINT, err  # Python's exit on an unhandled Ctrl-C
    assert "KeyboardInterrupt" in err
    assert "Fatal Python error" not in err and "Segmentation" not in err, err
    assert elapsed < 8.0, f"exited {elapsed:.1f} s after Ctrl-C: it waited for the handler"


def test_exit_does_not_wait_for_a_busy_webhook_handler() -> None:
    """The program ends (no close) while the handler is busy: the exit hook's 2.0 s wait for
    runtime threads inside Python does not apply, the handler's thread is a Python one."""
    proc = spawn(BUSY_HANDLER, "exit")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "busy"
        assert proc.stdout.readline().strip() == "exiting"
        exiting = time.monotonic()
        _, err = proc.communicate(timeout=30)
        elapsed = time.monotonic() - exiting
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert elapsed < 1.5, f"exit took {elapsed:.1f} s"


FORKS = textwrap.dedent(
    """
    import logging, os, sys, threading, time, urllib.request, witi

    # Threads of witi inside Python at the moment of fork(): a log line stuck in a slow
    # logging handler, and a webhook handler at work.
    release = threading.Event()

    class Slow(logging.Handler):
        def emit(self, record):
            if threading.current_thread() is not threading.main_thread():
                release.wait(60)

    logger = logging.getLogger("witi")
    logger.addHandler(Slow())
    logger.setLevel(logging.DEBUG)
    witi._native.refresh_log_level()
    client = witi.AsyncClient("fork-key", base_url=sys.argv[1])
    import asyncio
    threading.Thread(target=lambda: asyncio.run(client.status()), daemon=True).start()

    busy = threading.Event()
    def handler(event):
        busy.set()
        time.sleep(60)
    server = witi.listen(handler)
    threading.Thread(
        target=lambda: urllib.request.urlopen(
            urllib.request.Request(server.url, data=b'{"status": 0}'), timeout=60),
        daemon=True,
    ).start()
    assert busy.wait(10)
    time.sleep(0.3)  # the log line is in the slow handler by now

    times = []
    for _ in range(40):
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            sys.exit(0)  # a normal interpreter exit: atexit hooks, witi's included
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        times.append(time.monotonic() - start)
    times.sort()
    print(f"{times[len(times) // 2]:.3f}", flush=True)
    os._exit(0)  # the parent's own threads stay stuck on purpose
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_forked_children_exit_at_once(sim: Sim) -> None:
    """40 children forked while witi threads are inside Python in the parent each exit at
    once: the count of those threads is the parent's, not the child's (it used to make every
    such child's exit hook wait its full 2.0 s). The median of the 40 is compared, not the
    worst: the bug made every child wait 2.0 s, while one slow fork on a loaded machine is
    not the bug."""
    done = subprocess.run([sys.executable, "-c", FORKS, sim.url], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    median = float(done.stdout.strip())
    assert median < 1.0, f"half the children took {median:.2f} s or more to exit"


CLOSED_LOOPS = textwrap.dedent(
    """
    import asyncio, os, sys, time, witi

    client = witi.AsyncClient(sys.argv[1], base_url=sys.argv[2])
    pending = []
    for _ in range(int(sys.argv[3])):
        loop = asyncio.new_event_loop()
        pending.append(loop.create_task(client.status()))  # delayed 300 ms by the simulator
        # and a connect whose on_qr would be called on the closed loop
        pending.append(loop.create_task(client.connect(lambda qr: None, timeout=5, poll_interval=0.05)))
        loop.run_until_complete(asyncio.sleep(0.05))
        loop.close()  # by hand, with the calls in flight
    time.sleep(1.5)  # the answers arrive for closed loops
    print("done", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no garbage collection of the pending tasks (asyncio's own warning)
    """
)


def test_a_result_for_a_closed_loop_is_dropped_quietly(sim: Sim, key: str) -> None:
    runs = 20
    sim.post("faults", {"command": "*", "key": key, "kind": "latency", "latency_ms": 300})
    done = subprocess.run(
        [sys.executable, "-c", CLOSED_LOOPS, key, sim.url, str(runs)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "done"
    assert done.stderr == "", done.stderr[-3000:]
    # The calls did reach the simulator: the results existed and were dropped.
    calls = sim.instance(key)["calls"]
    assert calls["status.aspx"] >= runs and calls["generate_qrcode.aspx"] >= 1, calls

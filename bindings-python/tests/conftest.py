"""Fixtures shared by the suite: the simulator (started once per session on a free port, and
gone with the test process) and a small client of its control API (stdlib only, so the
tests exercise nothing of witi's own HTTP stack when they set the simulator up).

The suite runs against the INSTALLED wheel: `scripts/test-python.sh` installs it in a fresh
venv and runs pytest from this folder, where no `witi` source is importable.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]


def sim_binary() -> str:
    return os.environ.get("WITI_SIM_BIN", str(REPO / "target" / "debug" / "witi-sim"))


class Sim:
    """The running simulator: its URL and its control API (`/_sim/`)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, method: str, path: str, body: Optional[Any] = None) -> Tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}_sim/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def post(self, path: str, body: Any = None) -> Any:
        status, answer = self.control("POST", path, {} if body is None else body)
        assert status == 200, f"POST /_sim/{path}: {status} {answer}"
        return answer

    def instance(self, key: str) -> Any:
        status, answer = self.control("GET", f"instances/{key}")
        assert status == 200, answer
        return answer


def start_sim(*extra: str) -> Tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sim_binary(), "--port", "0", "--exit-on-stdin-eof", *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("witi-sim listening on "), line
    return proc, line.split()[-1]


@pytest.fixture(scope="session")
def sim() -> Iterator[Sim]:
    proc, url = start_sim()
    try:
        yield Sim(url)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # --exit-on-stdin-eof: it also dies if this process is killed
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def key() -> str:
    """A fresh instance per test (the simulator creates it on first use)."""
    return f"py-{uuid.uuid4().hex[:12]}-SECRET"

"""The README's examples, executed as written, against a simulator that scans every QR code
by itself (a phone that is always there)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest

from conftest import REPO, start_sim

BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "bindings-python" / "README.md").read_text(), re.S)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) == 2


@pytest.fixture(scope="module")
def auto_scan_sim() -> "tuple[subprocess.Popen, str]":
    proc, url = start_sim("--auto-scan-after", "0.2", "--starting-delay-ms", "100", "--bulk-window-ms", "20")
    yield proc, url
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(auto_scan_sim: "tuple[subprocess.Popen, str]", index: int) -> None:
    _, url = auto_scan_sim
    key = f"readme-{uuid.uuid4().hex[:8]}-SECRET"
    env = {**os.environ, "WITI_API_KEY": key, "WITI_BASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", BLOCKS[index]], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert key not in done.stdout + done.stderr
    if index == 0:
        assert "paired with 55119" in done.stdout
        assert re.search(r"^sent [0-9A-F]{32} on WhatsApp: True$", done.stdout, re.M), done.stdout
        assert "AUTHENTICATED 72" in done.stdout
        assert "[api] Connection already established" in done.stdout
        kinds = eval(done.stdout.strip().splitlines()[-1])  # the printed list of kinds
        assert kinds and set(kinds) == {"status"}, done.stdout
    else:
        assert "100 StatusCode.NO_CONNECTION" in done.stdout or "100 0" in done.stdout
        assert "still noConnection" in done.stdout

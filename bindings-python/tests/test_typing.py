"""The typing contract: the stubs match the runtime (mypy.stubtest) and a typed user program
that calls everything passes `mypy --strict`; the typed example also runs."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from conftest import REPO, start_sim

EXAMPLE = REPO / "bindings-python" / "examples" / "typed_example.py"


def mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=300, cwd=REPO / "target"
    )


def test_stubs_match_the_runtime() -> None:
    done = mypy("mypy.stubtest", "witi")
    assert done.returncode == 0, done.stdout + done.stderr


def test_typed_example_passes_mypy_strict() -> None:
    done = mypy("mypy", "--strict", "--no-incremental", str(EXAMPLE))
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_catches_a_wrong_type(tmp_path: "os.PathLike[str]") -> None:
    bad = os.path.join(tmp_path, "bad.py")
    with open(bad, "w") as f:
        f.write("import witi\nx: str = witi.Client().status()\n")
    done = mypy("mypy", "--strict", "--no-incremental", bad)
    assert done.returncode != 0 and "Incompatible types" in done.stdout


def test_typed_example_runs() -> None:
    proc, url = start_sim("--auto-scan-after", "0.2", "--starting-delay-ms", "50")
    try:
        env = {**os.environ, "WITI_API_KEY": f"typed-{uuid.uuid4().hex[:8]}", "WITI_BASE_URL": url}
        done = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def test_the_package_passes_mypy_strict() -> None:
    done = mypy("mypy", "--strict", "--no-incremental", "-p", "witi")
    assert done.returncode == 0, done.stdout + done.stderr

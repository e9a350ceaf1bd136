"""The core's tracing output reaches Python's `logging` (logger `witi`), without the key."""

from __future__ import annotations

import logging

import pytest

import witi
from conftest import Sim


def test_core_logs_reach_the_witi_logger_without_the_key(
    sim: Sim, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="witi")
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "http_status", "status": 503, "count": 1})
    client = witi.Client(key, base_url=sim.url, _initial_backoff=0.01)
    client.status()
    with pytest.raises(witi.AuthError):
        _auth_failure(sim, key)
    records = [r for r in caplog.records if r.name == "witi"]
    messages = [r.getMessage() for r in records]
    assert any(r.levelno == logging.WARNING and "retrying" in r.getMessage() for r in records), messages
    assert any(r.levelno == logging.DEBUG and m.startswith("answered") and "status.aspx" in m for r, m in zip(records, messages)), messages
    assert any("failed" in m and "auth" in m for m in messages), messages
    for m in messages:
        assert key not in m


def _auth_failure(sim: Sim, key: str) -> None:
    sim.post("faults", {"command": "status.aspx", "key": key, "kind": "http_status", "status": 401, "count": 1})
    witi.Client(key, base_url=sim.url).status()


def test_levels_below_the_loggers_are_not_forwarded(
    sim: Sim, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="witi")
    witi._native.refresh_log_level()
    witi.Client(key, base_url=sim.url).status()
    assert not [r for r in caplog.records if r.name == "witi" and r.levelno < logging.INFO]
    caplog.set_level(logging.DEBUG, logger="witi")
    witi._native.refresh_log_level()
    witi.Client(key, base_url=sim.url).status()
    assert [r for r in caplog.records if r.name == "witi" and r.levelno == logging.DEBUG]

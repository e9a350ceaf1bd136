"""Every scenario of `tests/conformance/` through `Client` and through `AsyncClient`."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from conformance_runner import matches, lookup, run_scenario, scenarios
from conftest import Sim

ALL = scenarios()


def test_the_corpus_is_there() -> None:
    assert len(ALL) >= 50


@pytest.mark.parametrize("driver", ["sync", "async"])
@pytest.mark.parametrize("name,scenario", ALL, ids=[n for n, _ in ALL])
def test_scenario(sim: Sim, name: str, scenario: Dict[str, Any], driver: str) -> None:
    run_scenario(sim, name, scenario, driver)


def test_the_matchers_can_fail() -> None:
    assert not matches(1, 2)
    assert matches(7, 7.0)
    assert not matches(None, {"$present": True})
    assert matches(None, None)
    assert not matches("abc", {"$prefix": "b"})
    assert matches([1, 2], {"$len": {"$gte": 2}})
    assert not matches([1], {"$len": 2})
    assert not matches(0, False)
    assert lookup({"a": [{"b": 3}]}, "a.0.b") == 3

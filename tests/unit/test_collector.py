"""The cycle collector is off while units of work run and on again after (decision 0022)."""

from __future__ import annotations

import asyncio
import gc
import threading

import pytest

from liaison.api.app import CollectorHeldBack
from liaison.services import collector


def test_the_collector_is_off_while_a_unit_runs_and_on_after() -> None:
    with collector.held_back():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_last_of_nested_units_ends() -> None:
    with collector.held_back():
        with collector.held_back():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_a_unit_that_failed() -> None:
    with pytest.raises(RuntimeError), collector.held_back():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_units_on_several_threads_hold_it_back_until_all_end() -> None:
    entered, leave = threading.Barrier(3), threading.Event()

    def unit() -> None:
        with collector.held_back():
            entered.wait()
            leave.wait()

    threads = [threading.Thread(target=unit) for _ in range(2)]
    for thread in threads:
        thread.start()
    entered.wait()
    assert not gc.isenabled()
    leave.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_units_that_overlap_without_end_still_collect() -> None:
    """A unit that ends while another runs, after many allocations, collects all the same."""
    before = gc.get_stats()[2]["collections"]
    with collector.held_back():
        with collector.held_back():
            kept = [[] for _ in range(collector.OVERLAPPING + 1)]
        assert gc.get_stats()[2]["collections"] == before + 1
        del kept
    assert gc.isenabled()


def test_the_api_holds_the_collector_back_while_it_serves_a_request_not_its_lifespan() -> None:
    seen: dict[str, bool] = {}

    async def app(scope: dict[str, str], _receive: object, _send: object) -> None:
        seen[scope["type"]] = gc.isenabled()

    served = CollectorHeldBack(app)
    for kind in ("http", "lifespan"):
        asyncio.run(served({"type": kind}, None, None))
    assert seen == {"http": False, "lifespan": True}
    assert gc.isenabled()

"""The cycle collector waits while units of work run, and only then (decision 0022)."""

from __future__ import annotations

import gc
import threading

import pytest

from liaison.services import collector


def test_the_collector_waits_while_a_unit_runs_and_resumes_after() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_resumes_when_the_last_of_nested_units_ends() -> None:
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_resumes_after_a_unit_that_failed() -> None:
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_units_on_several_threads_resume_the_collector_once_all_end() -> None:
    entered, leave = threading.Barrier(3), threading.Event()

    def unit() -> None:
        with collector.paused():
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

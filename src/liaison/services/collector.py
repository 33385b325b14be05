"""Python's cycle collector, paused while a unit of work runs.

A batch allocates tens of thousands of short-lived objects (rows, plans, events) that reference
counting frees; the collector, triggered every few hundred allocations, would walk them again
and again (a seventh of a bulk batch's time, measured). It runs again, with whatever cycles a
unit left, once no unit is running."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0


@contextmanager
def paused() -> Iterator[None]:
    global _running
    with _lock:
        _running += 1
        if _running == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.enable()

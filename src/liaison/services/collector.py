"""Python's cycle collector, held back while units of work run.

A batch allocates tens of thousands of short-lived objects (rows, plans, events) that reference
counting frees; the collector, triggered every 700 allocations by default, walked them and every
older object again and again and found nothing (a seventh of a bulk batch's time, a tenth of an
import's: decision 0022). So it is off while any unit runs and back on when the last one ends.
Units on several threads that overlap without end still get a full collection every
`OVERLAPPING` allocations, so cycles cannot pile up."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

OVERLAPPING = 1_000_000
"""Allocations (less deallocations) after which a unit ending while others still run collects."""

_lock = threading.Lock()
_running = 0


@contextmanager
def held_back() -> Iterator[None]:
    global _running
    with _lock:
        _running += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.enable()
            elif gc.get_count()[0] > OVERLAPPING:
                gc.collect()

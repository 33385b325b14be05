"""Timing both sides the same way, interleaved so that a noisy machine hits both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

MIN_REPEAT = 11


def seconds(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def both(first: Callable[[], Any], second: Callable[[], Any], turn: int) -> tuple[float, float]:
    """Time both actions once; which one goes first alternates with `turn`."""
    if turn % 2:
        later = seconds(second)
        return seconds(first), later
    earlier = seconds(first)
    return earlier, seconds(second)


def medians(
    first: Callable[[], Any],
    second: Callable[[], Any],
    *,
    repeat: int,
    max_seconds: float,
    warmup: int = 3,
) -> tuple[float, float, int]:
    """The median time of each action over up to `repeat` interleaved runs after a warm-up,
    and how many runs that was: fewer (but at least MIN_REPEAT) if `max_seconds` runs out."""
    for turn in range(warmup):
        both(first, second, turn)
    runs: list[tuple[float, float]] = []
    deadline = time.perf_counter() + max_seconds
    while len(runs) < repeat and (len(runs) < MIN_REPEAT or time.perf_counter() < deadline):
        runs.append(both(first, second, len(runs)))
    return statistics.median(a for a, _ in runs), statistics.median(b for _, b in runs), len(runs)

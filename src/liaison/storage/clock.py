"""Time as stored: microseconds since 1970, UTC."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_micros() -> int:
    return time.time_ns() // 1000


def to_datetime(micros: int) -> datetime:
    # The zone given by position: as a keyword, it makes the call three times slower.
    return datetime.fromtimestamp(micros / 1_000_000, UTC)

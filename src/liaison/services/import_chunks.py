"""An import's work as chunks, from a cursor: phase 1 over every file, then (an import in two
passes) phase 2 over every file, `size` rows at a time. A chunk's cursor is where the next
starts; storing it in the chunk's transaction makes the import resumable."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from liaison.services import collector
from liaison.services.import_files import SourceRow, read_rows

PHASES = (1, 2)
CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Cursor:
    phase: int = 1
    file_index: int = 0
    rows_done: int = 0
    """Rows of that file done in that phase."""


@dataclass(frozen=True)
class Work:
    phase: int
    file_index: int
    rows: list[SourceRow]
    after: Cursor


def chunks(
    files: Sequence[Path],
    start: Cursor,
    size: int = CHUNK_ROWS,
    passes: int = len(PHASES),
) -> Iterator[Work]:
    """The chunks still to do after `start`; an import in one pass (`import_rows.passes`)
    has phase 1 only."""
    phases = PHASES[:passes]
    for phase in phases[phases.index(start.phase) :]:
        first_file = start.file_index if phase == start.phase else 0
        for file_index in range(first_file, len(files)):
            at_start = (phase, file_index) == (start.phase, start.file_index)
            done = start.rows_done if at_start else 0
            rows = islice(read_rows(files[file_index]), done, None)
            while batch := _read(rows, size):
                done += len(batch)
                yield Work(phase, file_index, batch, Cursor(phase, file_index, done))


def _read(rows: Iterator[SourceRow], size: int) -> list[SourceRow]:
    """The next `size` rows, read with the cycle collector held back (decision 0022): its
    passes over a chunk's thousands of new rows, and over every older object, find nothing."""
    with collector.held_back():
        return list(islice(rows, size))

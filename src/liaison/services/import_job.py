"""An import run as a job (issue 6, decision 0013): the web UI's imports. The job's operation IS
the import's (queued in the transaction that records the import), so its history is one
operation with source IMPORT and the user who started it. Each chunk advances the import's own
cursor (`imports.run_next`), one transaction that also moves the job's progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from liaison.domain.history import Source
from liaison.services import import_files, imports, jobs
from liaison.services.database import Database
from liaison.services.imports import ImportFile, ImportInfo
from liaison.services.jobs import Chunk, Step
from liaison.services.unit import Caller, Unit

RUN = "import"
CHECKED = "checked"
"""The job's cursor once its first chunk has checked the files unchanged (their SHA-256)."""


def start(
    database: Database,
    caller: Caller,
    files: Sequence[ImportFile],
    mapping: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
) -> ImportInfo:
    """Record the import and queue its job; its total is every row once per pass."""
    rows = sum(sum(1 for _ in import_files.read_rows(f.path)) for f in files)
    title = f"Import of {', '.join(f.name for f in files)}"

    def queue(unit: Unit, info: ImportInfo) -> None:
        params = {"import": info.id}
        total = info.passes * rows
        jobs.enqueue_within(unit, RUN, params, total=total, result={"title": title})

    return imports.start(database, caller, files, mapping, name=name, then=queue)


def run_chunk(chunk: Chunk) -> Step:
    chunk.unit.source = Source.IMPORT  # the job's unit records as the import's operation does
    import_id = int(chunk.params["import"])
    check = chunk.cursor != CHECKED
    done, finished = imports.run_next(chunk.unit, import_id, chunk.size, check_files=check)
    return Step(CHECKED, done, dict(chunk.result), finished=finished)


KINDS = {RUN: run_chunk}
"""This module's job kinds, for `services/job_kinds.py`."""

"""Imports (issue 6): start, run chunk by chunk (resumable), dry-run, read, error rows.

An import is an operation (H6): every chunk writes its records, its associations, their history
(source IMPORT, the import's operation, the starting actor) and the import's cursor, counts and
refused rows in one transaction. A run killed mid-way and run again from the stored cursor ends
in the state an uninterrupted run gives."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Row

from liaison.domain import import_mapping
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Source
from liaison.domain.import_mapping import ImportMapping
from liaison.domain.schema import Schema
from liaison.services import collector, import_files
from liaison.services.database import Database
from liaison.services.import_chunks import CHUNK_ROWS, Cursor, Work, chunks
from liaison.services.import_rows import PHASES, Chunk, Context, apply_in_one_pass, passes
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import imports as store
from liaison.storage.clock import to_datetime

KIND = "import"


@dataclass(frozen=True)
class ImportFile:
    name: str
    path: Path
    objects: tuple[str, ...]
    """The object type names its rows hold (--object), the main one first."""


@dataclass(frozen=True)
class ImportInfo:
    id: int
    state: str
    cursor: Cursor
    counts: dict[str, int]
    files: list[dict[str, Any]]
    mapping: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def done(self) -> bool:
        return self.state == store.DONE

    @property
    def passes(self) -> int:
        """How many times the import reads its files (`import_rows.passes`)."""
        return _passes(self.mapping)


@dataclass(frozen=True)
class Progress:
    phase: int
    rows: int
    """Rows done in this run so far (both phases)."""
    counts: Mapping[str, int]


OnProgress = Callable[[Progress], None]


def start(
    database: Database,
    caller: Caller,
    files: Sequence[ImportFile],
    mapping: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    then: Callable[[Unit, ImportInfo], None] | None = None,
) -> ImportInfo:
    """Check the files and the mapping and record the import (nothing imported yet); `then`
    runs in the same transaction (e.g. queues the job that runs it)."""
    with _unit(database, caller) as unit:
        found = _prepare(unit.schema, files, mapping)
        import_id = unit.operation_id
        _insert(unit, import_id, files, found, name)
        info = _info(_get(unit, import_id))
        if then is not None:
            then(unit, info)
        return info


def run_next(unit: Unit, import_id: int, size: int, *, check_files: bool) -> tuple[int, bool]:
    """The import's next chunk from its cursor, in `unit` (a job's chunk, whose operation is
    the import's): how many rows it did, and whether the import is done (the call after the
    last chunk finishes it). `check_files`: check the files are unchanged (their SHA-256)."""
    row = _get(unit, import_id)
    if row.state == store.DONE:
        return 0, True
    mapping, paths = _stored_mapping(unit.schema, row, check=check_files)
    cursor = Cursor(row.phase, row.file_index, row.rows_done)
    work = next(chunks(paths, cursor, size, _passes(row.mapping)), None)
    if work is None:
        _finish(unit, import_id)
        return 0, True
    _apply(unit, import_id, mapping, row.watermark, work)
    return len(work.rows), False


def run(
    database: Database,
    caller: Caller,
    import_id: int,
    *,
    on_progress: OnProgress | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportInfo:
    """Run (or resume) the import from its cursor to its end, one transaction per chunk."""
    with reading(database, caller) as unit:
        row = _get(unit, import_id)
        mapping, paths = _stored_mapping(unit.schema, row)
    if row.state == store.DONE:
        return _info(row)
    done = Counter[str]()
    cursor = Cursor(row.phase, row.file_index, row.rows_done)
    # The collector is held back from chunk to chunk too, not only within each (decision
    # 0022): reading and applying chunks makes next to no cycles (six in 100,000 rows).
    with collector.held_back():
        for work in chunks(paths, cursor, chunk_rows, _passes(row.mapping)):
            with _unit(database, caller, import_id) as unit:
                counts = _apply(unit, import_id, mapping, row.watermark, work)
            done["rows"] += len(work.rows)
            if on_progress:
                on_progress(Progress(work.phase, done["rows"], counts))
    with _unit(database, caller, import_id) as unit:
        _finish(unit, import_id)
        return _info(_get(unit, import_id))


def dry_run(
    database: Database,
    caller: Caller,
    files: Sequence[ImportFile],
    mapping: Mapping[str, Any] | None = None,
    *,
    on_progress: OnProgress | None = None,
) -> DryRun:
    """What the import would do, row by row exactly as a run, in one transaction rolled back:
    its counts and its refused rows (`ImportInfo.counts`, `DryRun.errors`)."""
    try:
        with _unit(database, caller) as unit:
            found = _prepare(unit.schema, files, mapping)
            import_id = unit.operation_id
            _insert(unit, import_id, files, found)
            row = _get(unit, import_id)
            rows = 0
            for work in chunks([f.path for f in files], Cursor(), passes=_passes(row.mapping)):
                counts = _apply(unit, import_id, found, row.watermark, work)
                rows += len(work.rows)
                if on_progress:
                    on_progress(Progress(work.phase, rows, counts))
            _finish(unit, import_id)
            errors = [_error_dict(e) for e in store.errors(unit.conn, unit.account_id, import_id)]
            raise _RolledBack(_info(_get(unit, import_id)), errors)
    except _RolledBack as rolled_back:
        return DryRun(**{**rolled_back.info.__dict__, "errors": rolled_back.errors})


@dataclass(frozen=True)
class DryRun(ImportInfo):
    errors: list[dict[str, Any]]


class _RolledBack(Exception):
    def __init__(self, info: ImportInfo, errors: list[dict[str, Any]]) -> None:
        super().__init__("dry run")
        self.info, self.errors = info, errors


def get(database: Database, caller: Caller, import_id: int) -> ImportInfo:
    with reading(database, caller) as unit:
        return _info(_get(unit, import_id))


def list_imports(
    database: Database, caller: Caller, *, after: int = 0, limit: int = 100
) -> tuple[list[ImportInfo], int | None]:
    """A page of imports, newest first, and the cursor of the next page."""
    with reading(database, caller) as unit:
        rows = store.page(unit.conn, unit.account_id, after=after, limit=limit + 1)
        found = [_info(r) for r in rows[:limit]]
        return found, (found[-1].id if len(rows) > limit else None)


def error_page(
    database: Database,
    caller: Caller,
    import_id: int,
    *,
    after: tuple[int, int] = (-1, -1),
    limit: int = 100,
) -> tuple[ImportInfo, list[dict[str, Any]], tuple[int, int] | None]:
    """The import, a page of its refused rows after (file index, line), and the next cursor."""
    with reading(database, caller) as unit:
        info = _info(_get(unit, import_id))
        rows = store.errors_page(
            unit.conn, unit.account_id, import_id, after=after, limit=limit + 1
        )
        page = [_error_dict(r) for r in rows[:limit]]
        more = len(rows) > limit
        last = (page[-1]["file_index"], page[-1]["line"]) if more and page else None
        return info, page, last


def resumable(database: Database, caller: Caller, paths: Sequence[Path]) -> ImportInfo | None:
    """The newest unfinished import of these files (same paths, in order), if any."""
    wanted = [str(p.resolve()) for p in paths]
    with reading(database, caller) as unit:
        for row in store.latest_running(unit.conn, unit.account_id):
            if [f["path"] for f in row.files] == wanted:
                return _info(row)
    return None


def write_errors(database: Database, caller: Caller, import_id: int, out: IO[str]) -> int:
    """Write the import's refused rows as CSV (file, line, error code, message, then the
    row's cells); return how many."""
    with reading(database, caller) as unit:
        row = _get(unit, import_id)
        headers = list(dict.fromkeys(h for f in row.mapping["files"] for h in f["columns"]))
        names = [f["name"] for f in row.files]
        count = 0

        def lines() -> Iterator[list[str]]:
            nonlocal count
            yield ["File", "Line", "Error", "Message", *headers]
            for error in store.errors(unit.conn, unit.account_id, import_id):
                count += 1
                cells = error.cells
                yield [
                    names[error.file_index],
                    str(error.line),
                    error.code,
                    error.message,
                    *(cells.get(h, "") for h in headers),
                ]

        import_files.write_csv(out, lines())
        return count


# -- steps -----------------------------------------------------------------------------------------
def _unit(database: Database, caller: Caller, import_id: int | None = None) -> Any:
    """A unit recorded as an import; with `import_id`, a chunk of that import: its history
    joins the import's operation, whose range widens to it (as a job's, decision 0013)."""
    return unit_of_work(database, caller, KIND, source=Source.IMPORT, job_operation=import_id)


def _prepare(
    schema: Schema, files: Sequence[ImportFile], mapping: Mapping[str, Any] | None
) -> ImportMapping:
    if not files:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "An import needs at least one file.")
    headers = [import_files.headers(f.path) for f in files]
    for f, names in zip(files, headers, strict=True):
        if len(set(names)) != len(names):
            raise LiaisonError(
                ErrorCode.INVALID_INPUT, f"{f.name} has the same column header twice."
            )
    found = import_mapping.build(schema, headers, [f.objects for f in files], mapping)
    if not any(f.columns for f in found.files):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, "No column of the files could be mapped to a property."
        )
    return found


def _insert(
    unit: Unit,
    import_id: int,
    files: Sequence[ImportFile],
    found: ImportMapping,
    name: str | None = None,
) -> None:
    described = [
        {
            "name": f.name,
            "path": str(f.path.resolve()),
            "sha256": import_files.fingerprint(f.path),
        }
        for f in files
    ]
    store.insert_import(
        unit.conn,
        unit.account_id,
        import_id,
        files=described,
        mapping={**found.to_json(unit.schema), "name": name, "passes": passes(found)},
        counts={},
        now=unit.now,
    )


def _stored_mapping(
    schema: Schema, row: Row[Any], *, check: bool = True
) -> tuple[ImportMapping, list[Path]]:
    """The import's mapping, rebuilt from what it stored; its files, checked unchanged."""
    paths = [Path(f["path"]) for f in row.files]
    for f, path in zip(row.files, paths, strict=True):
        if not path.exists() or (check and import_files.fingerprint(path) != f["sha256"]):
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"{f['name']} is missing or changed since the import started: it cannot resume.",
                file=f["name"],
            )
    headers = [import_files.headers(p) for p in paths]
    objects = [f["objects"] for f in row.mapping["files"]]
    return import_mapping.build(schema, headers, objects, row.mapping), paths


def _apply(
    unit: Unit, import_id: int, mapping: ImportMapping, watermark: int, work: Work
) -> dict[str, int]:
    """Apply one chunk and move the import's cursor past it; return the import's counts."""
    context = Context(unit, import_id, mapping, work.file_index, watermark)
    chunk = Chunk()
    row = _get(unit, import_id)
    apply = apply_in_one_pass if _passes(row.mapping) == 1 else PHASES[work.phase]
    apply(context, work.rows, chunk)
    store.add_errors(unit.conn, unit.account_id, import_id, chunk.errors)
    counts = dict(Counter(row.counts) + chunk.counts)
    store.move(
        unit.conn,
        unit.account_id,
        import_id,
        phase=work.after.phase,
        file_index=work.after.file_index,
        rows_done=work.after.rows_done,
        counts=counts,
        state=store.RUNNING,
        now=unit.now,
    )
    return counts


def _finish(unit: Unit, import_id: int) -> None:
    row = _get(unit, import_id)
    last_phase, last_file = _passes(row.mapping), len(row.files) - 1
    at_end = (row.phase, row.file_index) == (last_phase, last_file)
    store.move(
        unit.conn,
        unit.account_id,
        import_id,
        phase=last_phase,
        file_index=last_file,
        rows_done=row.rows_done if at_end else 0,
        counts=row.counts,
        state=store.DONE,
        now=unit.now,
    )
    store.note_summary(unit.conn, unit.account_id, import_id, row.counts)


def _passes(stored: Mapping[str, Any]) -> int:
    """The passes of a stored import (two for one recorded before there was a choice)."""
    return int(stored.get("passes", 2))


def _get(unit: Unit, import_id: int) -> Row[Any]:
    row = store.get(unit.conn, unit.account_id, import_id)
    if row is None:
        raise LiaisonError(
            ErrorCode.OPERATION_NOT_FOUND, f"There is no import {import_id}.", importId=import_id
        )
    return row


def _info(row: Row[Any]) -> ImportInfo:
    return ImportInfo(
        id=row.id,
        state=row.state,
        cursor=Cursor(row.phase, row.file_index, row.rows_done),
        counts=dict(row.counts),
        files=list(row.files),
        mapping=dict(row.mapping),
        created_at=to_datetime(row.created_at),
        updated_at=to_datetime(row.updated_at),
    )


def _error_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "file_index": row.file_index,
        "line": row.line,
        "code": row.code,
        "message": row.message,
        "cells": dict(row.cells),
    }

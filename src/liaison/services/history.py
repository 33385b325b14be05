"""Reading association history: a record's (H3), one association's (H4), an operation's (H6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import ActorKind, Change, HistoryEntry, Source
from liaison.domain.object_types import ObjectType
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading
from liaison.storage import history as store
from liaison.storage import operations as operations_store
from liaison.storage import records as records_store
from liaison.storage.clock import to_datetime

MAX_PAGE = 500


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    next_before: int | None
    """Pass as `before` to read the next (older) page."""


@dataclass(frozen=True)
class Operation:
    id: int
    kind: str
    source: Source
    actor_kind: ActorKind
    actor_id: str
    actor_name: str | None
    started_at: datetime
    entries: list[HistoryEntry]
    next_after: int | None = None
    """The history ID to read on from (`operation(after=…)`) when there are more entries."""


def record_history(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    *,
    other_type: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> HistoryPage:
    """Every change of the record's associations, newest first, optionally to one type."""
    _check_limit(limit)
    with reading(database, caller) as unit:

        def read(schema: Schema) -> HistoryPage:
            kind = schema.object_type(object_type)
            other = schema.object_type(other_type).id if other_type else None
            rows = store.for_record(
                unit.conn,
                unit.account_id,
                record_id,
                other_type=other,
                before=before,
                limit=limit + 1,
            )
            return _page(unit, kind, record_id, rows, limit)

        # History rows keep their labels as they were: the schema only resolves type names.
        return unit.with_recent_schema(read)


def association_history(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    other_type: str,
    other_id: int,
    *,
    before: int | None = None,
    limit: int = 100,
) -> HistoryPage:
    """Every change of one association, newest first, seen from `record_id` (H4)."""
    _check_limit(limit)
    with reading(database, caller) as unit:

        def read(schema: Schema) -> HistoryPage:
            kind = schema.object_type(object_type)
            schema.object_type(other_type)
            rows = store.for_pair(
                unit.conn, unit.account_id, record_id, other_id, before=before, limit=limit + 1
            )
            return _page(unit, kind, record_id, rows, limit)

        return unit.with_recent_schema(read)


def operation(
    database: Database,
    caller: Caller,
    operation_id: int,
    *,
    after: int = 0,
    limit: int | None = None,
) -> Operation:
    """The operation (H6) with its entries, oldest first: all of them, or with `limit` one
    page of them from the first history ID past `after`."""
    if limit is not None:
        _check_limit(limit)
    with reading(database, caller) as unit:
        row = operations_store.get(unit.conn, unit.account_id, operation_id)
        if row is None:
            raise LiaisonError(
                ErrorCode.OPERATION_NOT_FOUND,
                f"There is no operation {operation_id}.",
                operationId=operation_id,
            )
        rows = store.for_operation(
            unit.conn,
            unit.account_id,
            operation_id,
            after=after,
            limit=None if limit is None else limit + 1,
        )
        more = limit is not None and len(rows) > limit
        rows = rows[:limit]
        return Operation(
            id=row.id,
            kind=row.kind,
            source=Source(row.source),
            actor_kind=ActorKind(row.actor_kind),
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            started_at=to_datetime(row.started_at),
            entries=_entries(rows, None),
            next_after=rows[-1].id if more else None,
        )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"limit must be between 1 and {MAX_PAGE}.", limit=limit
        )


def _page(
    unit: Unit, kind: ObjectType, record_id: int, rows: list[tuple[Any, ...]], limit: int
) -> HistoryPage:
    """The entries facing the record, once it is known to be a record of `kind`: its rows say
    its type (a record's type never changes); without rows the record itself is looked up."""
    entries = _entries(rows[:limit], record_id)
    record_type: str | None
    if entries:
        record_type = entries[0].record_type
    else:
        found = records_store.get_infos(unit.conn, unit.account_id, [record_id])
        record_type = found[0][1] if found else None
    if record_type != kind.id:
        raise kind.not_found(record_id)
    return HistoryPage(entries, entries[-1].id if len(rows) > limit else None)


_CHANGES = {c.value: c for c in Change}
_SOURCES = {s.value: s for s in Source}
_ACTORS = {a.value: a for a in ActorKind}
_new_tuple = tuple.__new__


def _entries(rows: Iterable[tuple[Any, ...]], seen_from: int | None) -> list[HistoryEntry]:
    """The stored events (tuples in `HistoryRow`'s order), each turned to face `seen_from`
    (None: as stored, from its `from_id`). Entries are made as plain tuples of their fields
    (`tuple.__new__`): a page makes hundreds, and a NamedTuple's own __new__ costs more than
    the rest of this loop."""
    times: dict[int, datetime] = {}  # the rows of one operation share their time
    entries: list[HistoryEntry] = []
    add, make, changes, sources, actors = entries.append, _new_tuple, _CHANGES, _SOURCES, _ACTORS
    for (
        _,
        history_id,
        operation_id,
        at,
        change,
        from_type,
        from_id,
        to_type,
        to_id,
        type_id,
        label,
        inverse_type_id,
        inverse_label,
        from_name,
        to_name,
        source,
        detail,
        actor_kind,
        actor_id,
        actor_name,
    ) in rows:
        when = times.get(at) or times.setdefault(at, to_datetime(at))
        if seen_from is not None and from_id != seen_from:  # seen from the other side
            from_type, from_id, from_name, to_type, to_id, to_name = (
                to_type,
                to_id,
                to_name,
                from_type,
                from_id,
                from_name,
            )
            type_id, label = inverse_type_id, inverse_label
        fields = (
            history_id,
            operation_id,
            when,
            changes[change],
            from_type,
            from_id,
            to_type,
            to_id,
            to_name,
            from_name,
            type_id,
            label,
            sources[source],
            actors[actor_kind],
            actor_id,
            actor_name,
            detail,
        )
        add(make(HistoryEntry, fields))
    return entries

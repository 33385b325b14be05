"""Reading association history: a record's (H3), one association's (H4), an operation's (H6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import ActorKind, Change, HistoryEntry, Source
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
        _record_type(unit, object_type, record_id)
        other = unit.schema.object_type(other_type).id if other_type else None
        rows = store.for_record(
            unit.conn, unit.account_id, record_id, other_type=other, before=before, limit=limit + 1
        )
        return _page(rows, limit, seen_from=record_id)


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
        _record_type(unit, object_type, record_id)
        unit.schema.object_type(other_type)
        rows = store.for_pair(
            unit.conn, unit.account_id, record_id, other_id, before=before, limit=limit + 1
        )
        return _page(rows, limit, seen_from=record_id)


def operation(database: Database, caller: Caller, operation_id: int) -> Operation:
    with reading(database, caller) as unit:
        row = operations_store.get(unit.conn, unit.account_id, operation_id)
        if row is None:
            raise LiaisonError(
                ErrorCode.OPERATION_NOT_FOUND,
                f"There is no operation {operation_id}.",
                operationId=operation_id,
            )
        rows = store.for_operation(unit.conn, unit.account_id, operation_id)
        return Operation(
            id=row.id,
            kind=row.kind,
            source=Source(row.source),
            actor_kind=ActorKind(row.actor_kind),
            actor_id=row.actor_id,
            actor_name=row.actor_name,
            started_at=to_datetime(row.started_at),
            entries=[_entry(r, seen_from=r.from_id) for r in rows],
        )


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"limit must be between 1 and {MAX_PAGE}.", limit=limit
        )


def _record_type(unit: Unit, object_type: str, record_id: int) -> None:
    kind = unit.schema.object_type(object_type)
    row = records_store.get_many(unit.conn, unit.account_id, [record_id]).get(record_id)
    if row is None or row.type_id != kind.id:
        raise LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"There is no {kind.singular} with ID {record_id}.",
            objectType=kind.name,
            objectId=record_id,
        )


def _page(rows: list[Row[Any]], limit: int, *, seen_from: int) -> HistoryPage:
    entries = [_entry(r, seen_from=seen_from) for r in rows[:limit]]
    return HistoryPage(entries, entries[-1].id if len(rows) > limit else None)


def _entry(row: Row[Any], *, seen_from: int) -> HistoryEntry:
    """The stored event, turned to face `seen_from`."""
    forward = row.from_id == seen_from
    return HistoryEntry(
        id=row.id,
        operation_id=row.operation_id,
        at=to_datetime(row.at),
        change=Change(row.change),
        record_type=row.from_type if forward else row.to_type,
        record_id=row.from_id if forward else row.to_id,
        other_type=row.to_type if forward else row.from_type,
        other_id=row.to_id if forward else row.from_id,
        other_name=row.to_name if forward else row.from_name,
        record_name=row.from_name if forward else row.to_name,
        type_id=row.type_id if forward else row.inverse_type_id,
        label=row.label if forward else row.inverse_label,
        source=Source(row.source),
        actor_kind=ActorKind(row.actor_kind),
        actor_id=row.actor_id,
        actor_name=row.actor_name,
        detail=row.detail,
    )

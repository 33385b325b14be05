"""Activities on a record (T1): logging one, and the record's timeline, newest first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ACTIVITY_TYPES, ObjectType
from liaison.domain.records import Record
from liaison.services import records
from liaison.services.database import Database
from liaison.services.records import NewAssociation
from liaison.services.unit import Caller, reading
from liaison.storage import timeline as store
from liaison.storage.records import type_and_schema_version

MAX_PAGE = 100
SHOWN_PER_ACTIVITY = 10
"""How many associated records each timeline entry names; past that it says how many more."""


@dataclass(frozen=True)
class Linked:
    object_type: ObjectType
    id: int
    name: str


@dataclass(frozen=True)
class TimelineEntry:
    activity_type: ObjectType
    activity: Record
    at: datetime
    """The activity's `hs_timestamp` (its time of creation if it has none)."""
    associated: list[Linked]
    more: bool
    """It is associated with more records than `associated` lists."""


@dataclass(frozen=True)
class Timeline:
    object_type: ObjectType
    record_id: int
    entries: list[TimelineEntry]
    next_after: str | None
    """Pass as `after` to read the next (older) page."""


def log_activity(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    activity_type: str,
    properties: Mapping[str, object],
) -> Record:
    """Log an activity on a record: create it associated with the record, in one transaction
    with the associations its rules add (T2). `hs_timestamp` defaults to now."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(activity_type)
        unit.schema.object_type(object_type)
    if not kind.is_activity:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"{kind.plural} are not activities: log a note, email, call, meeting or task.",
            objectType=kind.name,
        )
    values = {**properties, "hs_timestamp": properties.get("hs_timestamp") or _now()}
    on = records.get(database, caller, object_type, record_id)  # a merged ID: its survivor
    return records.create(database, caller, kind.name, values, [NewAssociation(on.id)])


def _now() -> str:
    return datetime.now(UTC).isoformat()


def timeline(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    *,
    activity_types: Sequence[str] = (),
    after: str | None = None,
    limit: int = 20,
) -> Timeline:
    """The record's activities (of `activity_types`, else all), newest first, a page at a
    time: three statements, whatever the page holds."""
    if not 1 <= limit <= MAX_PAGE:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"limit must be between 1 and {MAX_PAGE}.", limit=limit
        )
    cursor = _parse_cursor(after)
    with reading(database, caller) as unit:
        found_type, version = type_and_schema_version(unit.conn, unit.account_id, record_id)
        schema = unit.schema_at(version)
        kind = schema.object_type(object_type)
        if found_type != kind.id:
            raise kind.not_found(record_id)
        kinds = [schema.object_type(t) for t in activity_types] or [
            schema.object_types[t] for t in ACTIVITY_TYPES
        ]
        for one in kinds:
            if not one.is_activity:
                raise LiaisonError(
                    ErrorCode.INVALID_INPUT,
                    f"{one.plural} are not activities.",
                    objectType=one.name,
                )
        rows = store.page(
            unit.conn,
            unit.account_id,
            record_id,
            [k.id for k in kinds],
            after=cursor,
            limit=limit + 1,
        )
        shown = rows[:limit]
        linked = store.associated(
            unit.conn, unit.account_id, [row.id for row, _ in shown], cap=SHOWN_PER_ACTIVITY
        )
    entries = []
    for row, at in shown:
        others = linked.get(row.id, [])
        entries.append(
            TimelineEntry(
                schema.object_types[row.type_id],
                records.to_record(row),
                datetime.fromtimestamp(at / 1000, UTC),
                [
                    Linked(schema.object_types[t], i, name)
                    for t, i, name in others[:SHOWN_PER_ACTIVITY]
                    if t in schema.object_types
                ],
                len(others) > SHOWN_PER_ACTIVITY,
            )
        )
    last = shown[-1] if len(rows) > limit and shown else None
    return Timeline(kind, record_id, entries, f"{last[1]}.{last[0].id}" if last else None)


def _parse_cursor(after: str | None) -> tuple[int, int] | None:
    if not after:
        return None
    at, _, record_id = after.partition(".")
    try:
        return int(at), int(record_id)
    except ValueError:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"after={after!r} is not a timeline cursor.", after=after
        ) from None

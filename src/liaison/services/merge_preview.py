"""What merging one record into another would do (L3), for the user to see before confirming:
which properties the survivor takes over and which associations move to it."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services import records
from liaison.services.database import Database
from liaison.services.unit import Caller, reading
from liaison.storage import merge_preview as store


@dataclass(frozen=True)
class FilledProperty:
    label: str
    value: str


@dataclass(frozen=True)
class MovingAssociations:
    object_type: ObjectType
    total: int
    shared: int
    """How many of them the survivor has already: their labels are combined."""


@dataclass(frozen=True)
class MergePreview:
    object_type: ObjectType
    survivor: Record
    merged: Record
    filled: list[FilledProperty]
    moving: list[MovingAssociations]


def preview(
    database: Database, caller: Caller, object_type: str, survivor_id: int, merged_id: int
) -> MergePreview:
    survivor = records.get(database, caller, object_type, survivor_id)
    merged = records.get(database, caller, object_type, merged_id)
    if survivor.id == merged.id:
        raise LiaisonError(
            ErrorCode.MERGE_INVALID, "A record cannot be merged with itself: choose another one."
        )
    with reading(database, caller) as unit:
        schema = unit.schema
        rows = store.moving_by_type(unit.conn, unit.account_id, survivor.id, merged.id)
    kind = schema.object_type(survivor.type_id)
    filled = [
        FilledProperty(kind.properties[name].label if name in kind.properties else name, str(value))
        for name, value in merged.properties.items()
        if value and not survivor.properties.get(name)
    ]
    moving = [MovingAssociations(schema.object_type(t), total, shared) for t, total, shared in rows]
    return MergePreview(kind, survivor, merged, filled, moving)

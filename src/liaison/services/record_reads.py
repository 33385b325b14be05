"""Reading records with their associations (HubSpot's `?associations=`): one record, a page of
records, or a batch by ID or ID property. Associations of many records are read set-based."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from liaison.domain.association_names import v3_name
from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.domain.schema import Schema
from liaison.services import records as record_service
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading
from liaison.storage import association_reads
from liaison.storage import records as store

MAX_ASSOCIATED = 500
"""At most this many associated records per record and type in a read; the rest is paged
with the v4 associations API from `next_after`."""


@dataclass(frozen=True)
class Linked:
    """The associated records of one type: each with every type of its association."""

    to_type: ObjectType
    results: list[tuple[int, tuple[str, ...]]]
    """Each associated record with the v3 names of its association's types, labels first."""
    next_after: int | None = None


@dataclass(frozen=True)
class RecordView:
    record: Record
    kind: ObjectType
    associations: dict[str, Linked] = field(default_factory=dict)
    """Keyed by the name the request used for the type (`companies`, `company`, `0-2`)."""


@dataclass(frozen=True)
class RecordPage:
    results: list[RecordView]
    next_after: int | None


def get(
    database: Database,
    caller: Caller,
    object_type: str,
    ref: str,
    *,
    id_property: str | None = None,
    archived: bool = False,
    associations: Sequence[str] = (),
) -> RecordView:
    """One record by ID (a merged ID reads its survivor) or ID property, with associations."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        row = record_service.find(unit, kind, ref, id_property=id_property, archived=archived)
        record = record_service.to_record(row)
        return _with_associations(unit, kind, [record], associations)[0]


def list_page(
    database: Database,
    caller: Caller,
    object_type: str,
    *,
    after: int = 0,
    limit: int = 10,
    archived: bool = False,
    associations: Sequence[str] = (),
) -> RecordPage:
    """A page of records by ID, with their associations."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        rows = store.list_page(
            unit.conn, unit.account_id, kind.id, after=after, limit=limit + 1, archived=archived
        )
        found = [record_service.to_record(row) for row in rows[:limit]]
        views = _with_associations(unit, kind, found, associations)
        return RecordPage(views, found[-1].id if len(rows) > limit else None)


def read_many(
    database: Database,
    caller: Caller,
    object_type: str,
    refs: Sequence[str],
    *,
    id_property: str | None = None,
    archived: bool = False,
) -> tuple[ObjectType, dict[str, Record]]:
    """The type, and its records by ID or ID property; the ones that do not exist are left
    out."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        rows = record_service.find_many(
            unit, kind, refs, id_property=id_property, archived=archived
        )
        return kind, {ref: record_service.to_record(row) for ref, row in rows.items()}


def _with_associations(
    unit: Unit, kind: ObjectType, found: list[Record], wanted: Sequence[str]
) -> list[RecordView]:
    schema = unit.schema
    names: dict[int, str] = {}

    def named(types: Sequence[AssociationType]) -> tuple[str, ...]:
        ordered = sorted(types, key=lambda t: t.kind is Kind.UNLABELED)
        return tuple(names.get(t.id) or names.setdefault(t.id, v3_name(schema, t)) for t in ordered)

    targets = _targets(schema, kind, wanted)
    ids = [r.id for r in found]
    linked: dict[int, dict[str, Linked]] = {r.id: {} for r in found}
    for name, target in targets.items():
        rows = association_reads.of_records(
            unit.conn, unit.account_id, ids, target.id, cap=MAX_ASSOCIATED
        )
        base = schema.types[schema.unlabeled_id(kind.id, target.id)]
        for record_id, associated in rows.items():
            shown = associated[:MAX_ASSOCIATED]
            results = [
                (to_id, named((base, *(schema.types[t] for t in labels if t in schema.types))))
                for to_id, labels in shown
            ]
            more = len(associated) > MAX_ASSOCIATED
            linked[record_id][name] = Linked(target, results, shown[-1][0] if more else None)
    return [RecordView(r, kind, linked[r.id]) for r in found]


def _targets(schema: Schema, kind: ObjectType, wanted: Sequence[str]) -> dict[str, ObjectType]:
    """The requested types that exist and can be associated with `kind`; the others are
    ignored, as HubSpot ignores them."""
    targets: dict[str, ObjectType] = {}
    for name in wanted:
        try:
            target = schema.object_type(name)
        except LiaisonError:
            continue
        if schema.is_defined(kind.id, target.id) and target not in targets.values():
            targets[name] = target
    return targets

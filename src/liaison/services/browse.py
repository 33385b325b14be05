"""What people browse in the web UI: an object type's records page by page (searched and
sorted), and a record with its associations grouped by type (U1). Reads only; a fixed number of
statements per page, however many rows or associations it shows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from liaison.domain.association_types import Kind
from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS, ObjectType
from liaison.domain.records import Record
from liaison.domain.schema import Schema
from liaison.services import records
from liaison.services.database import Database
from liaison.services.unit import Caller, reading
from liaison.storage import browse as store
from liaison.storage.clock import to_datetime

MAX_PAGE = 100
MATCHING_BATCH = 1000
"""How many IDs `matching_ids` reads per statement."""
CARD_SIZE = 10
"""How many associated records a card lists; the card says how many there are in all."""

_CARD_ORDER = {COMPANIES: 0, CONTACTS: 1, DEALS: 2, TICKETS: 3}


class Sort(StrEnum):
    NAME = "name"
    CREATED = "created"


@dataclass(frozen=True)
class IndexQuery:
    """Which records an index page shows, whatever their order: its search."""

    search: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the record with this ID (and name, sorting by name)."""

    id: int
    name: str | None = None


@dataclass(frozen=True)
class IndexPage:
    object_type: ObjectType
    records: list[Record]
    total: int
    """How many records match the search, on every page."""
    next: Cursor | None


@dataclass(frozen=True)
class AssociatedRecord:
    id: int
    name: str
    labels: list[str]
    primary: bool


@dataclass(frozen=True)
class AssociationCard:
    object_type: ObjectType
    total: int
    records: list[AssociatedRecord]
    """The first CARD_SIZE: the primary first, then the most recently associated."""


@dataclass(frozen=True)
class RecordWithAssociations:
    object_type: ObjectType
    record: Record
    cards: list[AssociationCard]


def object_types(database: Database, caller: Caller) -> list[ObjectType]:
    """The types people browse: the four core types, then the account's custom types."""
    with reading(database, caller) as unit:
        schema = unit.schema
    return [t for t in schema.object_types.values() if not t.is_activity]


def index_page(
    database: Database,
    caller: Caller,
    object_type: str,
    *,
    search: str = "",
    sort: Sort = Sort.CREATED,
    descending: bool = True,
    after: Cursor | None = None,
    limit: int = 25,
) -> IndexPage:
    limit = max(1, min(limit, MAX_PAGE))
    search = search.strip()
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        conn, account = unit.conn, unit.account_id
        if sort is Sort.NAME:
            key = None if after is None else (after.name or "", after.id)
            rows = store.page_by_name(
                conn,
                account,
                kind.id,
                search=search,
                after=key,
                descending=descending,
                limit=limit + 1,
            )
        else:
            rows = store.page_by_id(
                conn,
                account,
                kind.id,
                search=search,
                after=None if after is None else after.id,
                descending=descending,
                limit=limit + 1,
            )
        total = store.count_records(conn, account, kind.id, search=search)
    found = [_record(row) for row in rows[:limit]]
    more = len(rows) > limit
    last = found[-1] if found else None
    cursor = Cursor(last.id, last.name if sort is Sort.NAME else None) if more and last else None
    return IndexPage(kind, found, total, cursor)


def matching_ids(
    database: Database, caller: Caller, object_type: str, query: IndexQuery
) -> Iterator[list[int]]:
    """The IDs of every record the index page's query matches ("all N matching"), in ID order,
    in batches of MATCHING_BATCH; each batch is one keyset read."""
    search, after = query.search.strip(), 0
    while True:
        with reading(database, caller) as unit:
            kind = unit.schema.object_type(object_type)
            batch = store.matching_ids(
                unit.conn,
                unit.account_id,
                kind.id,
                search=search,
                after=after,
                limit=MATCHING_BATCH,
            )
        if batch:
            yield batch
        if len(batch) < MATCHING_BATCH:
            return
        after = batch[-1]


def record_with_associations(
    database: Database, caller: Caller, object_type: str, record_id: int
) -> RecordWithAssociations:
    """The record (a merged record's ID gives its survivor) and one card per associated type."""
    record = records.get(database, caller, object_type, record_id)
    with reading(database, caller) as unit:
        schema = unit.schema
        rows = store.associated_by_type(unit.conn, unit.account_id, record.id, per_type=CARD_SIZE)
    kind = schema.object_type(record.type_id)
    return RecordWithAssociations(kind, record, _cards(schema, kind, rows))


def _cards(schema: Schema, kind: ObjectType, rows: list[tuple[Any, ...]]) -> list[AssociationCard]:
    totals: dict[str, int] = {}
    found: dict[str, dict[int, tuple[str, list[str], bool]]] = {}
    for to_type, total, _, to_id, name, label_id in rows:
        totals[to_type] = total
        name_labels_primary = found.setdefault(to_type, {}).setdefault(to_id, (name, [], False))
        label = schema.types.get(label_id) if label_id is not None else None
        if label is None:
            continue
        if label.kind is Kind.PRIMARY:
            found[to_type][to_id] = (name, name_labels_primary[1], True)
        elif label.label:
            name_labels_primary[1].append(label.label)
    shown = [
        t
        for t in schema.object_types.values()
        if t.id in totals or (not t.is_activity and schema.is_defined(kind.id, t.id))
    ]
    shown.sort(key=lambda t: (_CARD_ORDER.get(t.id, 4 if not t.is_activity else 5), t.plural))
    return [
        AssociationCard(
            t,
            totals.get(t.id, 0),
            [
                AssociatedRecord(i, name, sorted(labels), primary)
                for i, (name, labels, primary) in found.get(t.id, {}).items()
            ],
        )
        for t in shown
    ]


def _record(row: tuple[Any, ...]) -> Record:
    record_id, type_id, properties, name, created_at, updated_at = row
    return Record(
        id=record_id,
        type_id=type_id,
        properties=dict(properties),
        created_at=to_datetime(created_at),
        updated_at=to_datetime(updated_at),
        name=name,
    )

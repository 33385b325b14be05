"""Reading the associations of many records at once, each with its own cursor (HubSpot's v4
batch read): one read transaction, the records checked in one query, then an index range scan
per record (A9: a page costs the same whatever the record's total), in one statement on
PostgreSQL (`storage.association_pages`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.schema import Schema
from liaison.services.associations import MAX_PAGE, Associated, AssociationPage
from liaison.services.database import Database
from liaison.services.unit import Caller, reading
from liaison.storage import association_pages as store
from liaison.storage import records as records_store


@dataclass(frozen=True)
class PageRequest:
    record_id: int
    after: int = 0


@dataclass(frozen=True)
class PageError:
    index: int
    request: PageRequest
    error: LiaisonError


@dataclass(frozen=True)
class Pages:
    """One page per request that could be read, in request order, and the refused requests."""

    pages: list[AssociationPage]
    errors: list[PageError]


def read_pages(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    requests: Sequence[PageRequest],
    *,
    limit: int = MAX_PAGE,
) -> Pages:
    """A page of each record's associations to `to_type`. A record that does not exist, is of
    another type or is deleted is refused alone (RECORD_NOT_FOUND); an unknown type or an
    undefined pair refuses the whole call."""
    with reading(database, caller) as unit:
        schema = unit.schema
        source, target = schema.object_type(from_type), schema.object_type(to_type)
        schema.unlabeled_id(source.id, target.id)
        infos = records_store.get_infos(unit.conn, unit.account_id, {r.record_id for r in requests})
        live = {row[0] for row in infos if row[1] == source.id and not row[3]}
        errors = [
            PageError(index, request, source.not_found(request.record_id))
            for index, request in enumerate(requests)
            if request.record_id not in live
        ]
        readable = [r for r in requests if r.record_id in live]
        rows = store.pages(
            unit.conn,
            unit.account_id,
            [(r.record_id, r.after) for r in readable],
            target.id,
            limit=limit + 1,
        )
        pages = [
            _page(schema, source, target, request.record_id, found, limit)
            for request, found in zip(readable, rows, strict=True)
        ]
        return Pages(pages, errors)


def _page(
    schema: Schema,
    source: ObjectType,
    target: ObjectType,
    record_id: int,
    rows: list[tuple[int, list[int]]],
    limit: int,
) -> AssociationPage:
    base = schema.types[schema.unlabeled_id(source.id, target.id)]
    types = schema.types
    found = [
        Associated(to_id, (base, *(types[t] for t in sorted(labels) if t in types)))
        for to_id, labels in rows[:limit]
    ]
    next_after = found[-1].to_id if len(rows) > limit else None
    return AssociationPage(source.id, record_id, target.id, found, next_after)

"""Searching the records of one type (HubSpot's CRM search): one read, two statements."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.domain.search import MAX_TOTAL, Search
from liaison.services.database import Database
from liaison.services.records import to_record
from liaison.services.unit import Caller, reading
from liaison.storage import search as store


@dataclass(frozen=True)
class SearchPage:
    kind: ObjectType
    total: int
    results: list[Record]
    next_after: int | None
    """The offset of the next page, while there is one within the first 10,000 results."""


def search(database: Database, caller: Caller, object_type: str, request: Search) -> SearchPage:
    """The live records of the type matching `request`: their total, and one page."""
    request.check()
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        condition = store.where(unit.conn, unit.account_id, unit.schema, kind, request)
        total = store.count(unit.conn, condition)
        limit = min(request.limit, MAX_TOTAL - request.after)
        rows = store.page(
            unit.conn, kind, condition, request.sorts, offset=request.after, limit=limit
        )
        end = request.after + len(rows)
        more = end < min(total, MAX_TOTAL) and len(rows) == limit
        return SearchPage(kind, total, [to_record(row) for row in rows], end if more else None)

"""An object type's recycle bin (L1, L2): the records deleted and not merged away, page by
page, newest deletion first. Restoring them is `records.restore_many`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from liaison.domain.object_types import ObjectType
from liaison.services.database import Database
from liaison.services.unit import Caller, reading
from liaison.storage import recycle_bin as store
from liaison.storage.clock import to_datetime

MAX_PAGE = 100


@dataclass(frozen=True)
class DeletedRecord:
    id: int
    name: str
    deleted_at: datetime


@dataclass(frozen=True)
class BinCursor:
    """Where the next page starts: after the record deleted at `deleted_at` (microseconds)."""

    deleted_at: int
    id: int


@dataclass(frozen=True)
class BinPage:
    object_type: ObjectType
    records: list[DeletedRecord]
    total: int
    next: BinCursor | None


def deleted_page(
    database: Database,
    caller: Caller,
    object_type: str,
    *,
    search: str = "",
    after: BinCursor | None = None,
    limit: int = 25,
) -> BinPage:
    limit = max(1, min(limit, MAX_PAGE))
    search = search.strip()
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        key = None if after is None else (after.deleted_at, after.id)
        conn, account = unit.conn, unit.account_id
        rows = store.page_deleted(conn, account, kind.id, search=search, after=key, limit=limit + 1)
        total = store.count_deleted(conn, account, kind.id, search=search)
    shown = rows[:limit]
    found = [DeletedRecord(i, name, to_datetime(at)) for i, name, at in shown]
    cursor = BinCursor(shown[-1][2], shown[-1][0]) if len(rows) > limit else None
    return BinPage(kind, found, total, cursor)

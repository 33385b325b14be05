"""The recycle bin's read (L1, L2): an object type's deleted records, most recently deleted
first. Records merged away are archived too but are not in the bin: they cannot be restored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from liaison.storage.tables import records

Row = tuple[Any, ...]


def _deleted(account_id: int, type_id: str, search: str) -> list[ColumnElement[bool]]:
    r = records.c
    where = [
        r.account_id == account_id,
        r.type_id == type_id,
        r.archived.is_(True),
        r.merged_into.is_(None),
    ]
    if search:
        where.append(func.lower(r.name).contains(search.lower(), autoescape=True))
    return where


def count_deleted(conn: Connection, account_id: int, type_id: str, *, search: str) -> int:
    statement = select(func.count()).where(*_deleted(account_id, type_id, search))
    return int(conn.execute(statement).scalar_one())


def page_deleted(
    conn: Connection,
    account_id: int,
    type_id: str,
    *,
    search: str,
    after: tuple[int, int] | None,
    limit: int,
) -> list[Row]:
    """(ID, name, deleted at) newest deletion first; `after` is the last (deleted at, ID) seen."""
    r = records.c
    where = _deleted(account_id, type_id, search)
    if after is not None:
        at, record_id = after
        where.append(or_(r.archived_at < at, and_(r.archived_at == at, r.id < record_id)))
    statement = (
        select(r.id, r.name, r.archived_at)
        .where(*where)
        .order_by(r.archived_at.desc(), r.id.desc())
        .limit(limit)
    )
    return [tuple(row) for row in conn.execute(statement)]

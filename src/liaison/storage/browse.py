"""Reads for people browsing: a searchable, sorted page of records (keyset paging) and a
record's associations grouped by type, each in one statement whatever the page or record holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)

from liaison.storage.tables import association_labels, associations, records

Row = tuple[Any, ...]


def _matching(account_id: int, type_id: str, search: str) -> list[ColumnElement[bool]]:
    r = records.c
    where = [r.account_id == account_id, r.type_id == type_id, r.archived.is_(False)]
    if search:
        where.append(func.lower(r.name).contains(search.lower(), autoescape=True))
    return where


def count_records(conn: Connection, account_id: int, type_id: str, *, search: str) -> int:
    statement = select(func.count()).where(*_matching(account_id, type_id, search))
    return int(conn.execute(statement).scalar_one())


def page_by_name(
    conn: Connection,
    account_id: int,
    type_id: str,
    *,
    search: str,
    after: tuple[str, int] | None,
    descending: bool,
    limit: int,
) -> list[Row]:
    """Records ordered by display name then ID; `after` is the last (name, ID) seen."""
    r = records.c
    where = _matching(account_id, type_id, search)
    if after is not None:
        name, record_id = after
        if descending:
            where.append(or_(r.name < name, and_(r.name == name, r.id < record_id)))
        else:
            where.append(or_(r.name > name, and_(r.name == name, r.id > record_id)))
    order = (r.name.desc(), r.id.desc()) if descending else (r.name, r.id)
    statement = select(*_COLUMNS).where(*where).order_by(*order).limit(limit)
    return [tuple(row) for row in conn.execute(statement)]


def page_by_id(
    conn: Connection,
    account_id: int,
    type_id: str,
    *,
    search: str,
    after: int | None,
    descending: bool,
    limit: int,
) -> list[Row]:
    """Records in creation order (IDs are handed out in creation order); `after`: the last ID."""
    r = records.c
    where = _matching(account_id, type_id, search)
    if after is not None:
        where.append(r.id < after if descending else r.id > after)
    statement = (
        select(*_COLUMNS).where(*where).order_by(r.id.desc() if descending else r.id).limit(limit)
    )
    return [tuple(row) for row in conn.execute(statement)]


_COLUMNS = (
    records.c.id,
    records.c.type_id,
    records.c.properties,
    records.c.name,
    records.c.created_at,
    records.c.updated_at,
)


def associated_by_type(
    conn: Connection, account_id: int, record_id: int, *, per_type: int
) -> list[Row]:
    """The record's associations to each object type: the first `per_type` of each (exclusive
    labels such as Primary first, then the most recent), each with the type's total, the
    associated record's name and one of its label type IDs per row (None when unlabelled).
    Rows: (to type, total of that type, rank, to ID, to name, label type ID or None)."""
    a, lab, r = associations.c, association_labels.c, records.c
    holds_exclusive = exists().where(
        lab.account_id == a.account_id,
        lab.from_id == a.from_id,
        lab.to_id == a.to_id,
        lab.exclusive,
    )
    ranked = (
        select(
            a.to_type,
            a.to_id,
            func.count().over(partition_by=a.to_type).label("total"),
            func.row_number()
            .over(
                partition_by=a.to_type,
                order_by=(case((holds_exclusive, 0), else_=1), a.created_at.desc(), a.to_id),
            )
            .label("rank"),
        )
        .where(a.account_id == account_id, a.from_id == record_id)
        .subquery()
    )
    named = ranked.join(records, and_(r.account_id == account_id, r.id == ranked.c.to_id))
    labelled = named.outerjoin(
        association_labels,
        and_(lab.account_id == account_id, lab.from_id == record_id, lab.to_id == ranked.c.to_id),
    )
    statement = (
        select(ranked.c.to_type, ranked.c.total, ranked.c.rank, ranked.c.to_id, r.name, lab.type_id)
        .select_from(labelled)
        .where(ranked.c.rank <= per_type)
        .order_by(ranked.c.to_type, ranked.c.rank)
    )
    return [tuple(row) for row in conn.execute(statement)]


def matching_ids(
    conn: Connection, account_id: int, type_id: str, *, search: str, after: int, limit: int
) -> list[int]:
    """The IDs of the records matching the search, in ID order after `after`."""
    r = records.c
    statement = (
        select(r.id)
        .where(*_matching(account_id, type_id, search), r.id > after)
        .order_by(r.id)
        .limit(limit)
    )
    return [int(row[0]) for row in conn.execute(statement)]

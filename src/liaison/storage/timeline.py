"""A record's timeline (T1): its activities newest first by `hs_timestamp`, a keyset page at a
time, and the records each activity of a page is associated with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, and_, cast, func, not_, or_, select

from liaison.domain.object_types import ACTIVITY_TYPES, BUILTIN_BY_ID, NOTES
from liaison.storage import bulk
from liaison.storage.search import operand_of
from liaison.storage.tables import associations, records

Cursor = tuple[int, int]
"""(activity time in milliseconds, activity ID) of the last activity of the previous page."""


def page(
    conn: Connection,
    account_id: int,
    record_id: int,
    activity_types: Sequence[str],
    *,
    after: Cursor | None,
    limit: int,
) -> list[tuple[Any, int]]:
    """Up to `limit` activities of `activity_types` associated with the record, newest first,
    after the cursor: (record row, time in milliseconds) each."""
    a, r = associations.c, records.c
    timestamp = operand_of(conn, BUILTIN_BY_ID[NOTES], "hs_timestamp")
    assert timestamp is not None  # every activity type has hs_timestamp
    at = cast(func.coalesce(timestamp.value, r.created_at / 1000), BigInteger).label("at")
    statement = (
        select(records, at)
        .select_from(associations)
        .join(records, and_(r.account_id == a.account_id, r.id == a.to_id))
        .where(
            a.account_id == account_id,
            a.from_id == record_id,
            a.to_type.in_(list(activity_types)),
            not_(r.archived),
        )
        .order_by(at.desc(), r.id.desc())
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(or_(at < after[0], and_(at == after[0], r.id < after[1])))
    return [(row, int(row.at)) for row in conn.execute(statement)]


def associated(
    conn: Connection, account_id: int, activity_ids: Sequence[int], *, cap: int
) -> dict[int, list[tuple[str, int, str]]]:
    """Each activity's associated records that are not activities, at most `cap` + 1 each:
    activity ID -> [(type, ID, display name)], by type and ID."""
    if not activity_ids:
        return {}
    a, r = associations.c, records.c
    ranked = (
        select(
            a.from_id,
            a.to_type,
            a.to_id,
            r.name,
            func.row_number()
            .over(partition_by=a.from_id, order_by=(a.to_type, a.to_id))
            .label("n"),
        )
        .join(records, and_(r.account_id == a.account_id, r.id == a.to_id))
        .where(
            a.account_id == account_id,
            bulk.ids_in(conn, a.from_id, activity_ids),
            a.to_type.not_in(ACTIVITY_TYPES),
            not_(r.archived),
        )
        .subquery()
    )
    rows = conn.execute(
        select(ranked.c.from_id, ranked.c.to_type, ranked.c.to_id, ranked.c.name)
        .where(ranked.c.n <= cap + 1)
        .order_by(ranked.c.from_id, ranked.c.n)
    )
    found: dict[int, list[tuple[str, int, str]]] = {}
    for from_id, to_type, to_id, name in rows:
        found.setdefault(from_id, []).append((to_type, to_id, name))
    return found

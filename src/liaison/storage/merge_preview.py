"""What a merge would move (L3), read before the user confirms it."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from liaison.storage.tables import associations


def moving_by_type(
    conn: Connection, account_id: int, survivor_id: int, merged_id: int
) -> list[tuple[str, int, int]]:
    """Per object type: how many records `merged_id` is associated with (the survivor itself
    left out) and how many of those the survivor is associated with already.
    Rows: (to type, total, shared)."""
    a = associations.c
    survivor = associations.alias("survivor")
    s = survivor.c
    joined = associations.outerjoin(
        survivor,
        and_(s.account_id == a.account_id, s.from_id == survivor_id, s.to_id == a.to_id),
    )
    statement = (
        select(a.to_type, func.count(), func.count(s.to_id))
        .select_from(joined)
        .where(a.account_id == account_id, a.from_id == merged_id, a.to_id != survivor_id)
        .group_by(a.to_type)
        .order_by(a.to_type)
    )
    return [(to_type, total, shared) for to_type, total, shared in conn.execute(statement)]

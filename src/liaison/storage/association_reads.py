"""Reading the associations of many records at once (a page of records with `?associations=`):
two statements per target type, whatever the number of records, each record capped."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from liaison.storage import bulk
from liaison.storage.tables import association_labels, associations

Targets = dict[int, list[tuple[int, list[int]]]]
"""record ID -> [(associated record ID, its label type IDs)], by associated ID."""


def of_records(
    conn: Connection, account_id: int, ids: Sequence[int], to_type: str, *, cap: int
) -> Targets:
    """Each record's first `cap` + 1 associations to `to_type` (by target ID), with labels."""
    if not ids:
        return {}
    a, labels = associations.c, association_labels.c
    ranked = (
        select(
            a.from_id,
            a.to_id,
            func.row_number().over(partition_by=a.from_id, order_by=a.to_id).label("n"),
        )
        .where(a.account_id == account_id, bulk.ids_in(conn, a.from_id, ids), a.to_type == to_type)
        .subquery()
    )
    rows = conn.execute(
        select(ranked.c.from_id, ranked.c.to_id)
        .where(ranked.c.n <= cap + 1)
        .order_by(ranked.c.from_id, ranked.c.to_id)
    ).all()
    found: Targets = {}
    for from_id, to_id in rows:
        found.setdefault(from_id, []).append((to_id, []))
    if not found:
        return found
    label_rows = conn.execute(
        select(labels.from_id, labels.to_id, labels.type_id).where(
            labels.account_id == account_id,
            bulk.ids_in(conn, labels.from_id, list(found)),
            labels.to_type == to_type,
        )
    ).all()
    by_pair: dict[tuple[int, int], list[int]] = {}
    for from_id, to_id, type_id in label_rows:
        by_pair.setdefault((from_id, to_id), []).append(type_id)
    return {
        from_id: [(to_id, sorted(by_pair.get((from_id, to_id), []))) for to_id, _ in targets]
        for from_id, targets in found.items()
    }

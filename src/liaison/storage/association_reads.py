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
    a = associations.c
    if len(ids) == 1:
        # One record: a range scan that stops after the cap, whatever the record's total (A9).
        first = conn.execute(
            select(a.from_id, a.to_id)
            .where(a.account_id == account_id, a.from_id == ids[0], a.to_type == to_type)
            .order_by(a.to_id)
            .limit(cap + 1)
        ).all()
        return _with_labels(conn, account_id, to_type, [tuple(r) for r in first])
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
    return _with_labels(conn, account_id, to_type, [tuple(r) for r in rows])


def _with_labels(
    conn: Connection, account_id: int, to_type: str, rows: Sequence[tuple[int, int]]
) -> Targets:
    """The (record, associated record) rows grouped by record, with their label type IDs."""
    labels = association_labels.c
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
            labels.to_id <= max(to_id for pairs in found.values() for to_id, _ in pairs),
        )
    ).all()
    by_pair: dict[tuple[int, int], list[int]] = {}
    for from_id, to_id, type_id in label_rows:
        by_pair.setdefault((from_id, to_id), []).append(type_id)
    return {
        from_id: [(to_id, sorted(by_pair.get((from_id, to_id), []))) for to_id, _ in targets]
        for from_id, targets in found.items()
    }

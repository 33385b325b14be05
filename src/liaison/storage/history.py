"""The association history (H1, H4-H6): appended in the change's transaction, read by index."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, literal, select, union_all, update

from liaison.domain.history import HistoryEvent
from liaison.storage import bulk
from liaison.storage.accounts import reserve_ids
from liaison.storage.tables import association_history as h

_COLUMNS = (
    "account_id",
    "id",
    "operation_id",
    "at",
    "change",
    "from_type",
    "from_id",
    "to_type",
    "to_id",
    "type_id",
    "label",
    "inverse_type_id",
    "inverse_label",
    "from_name",
    "to_name",
    "source",
    "detail",
)


def append(
    conn: Connection,
    account_id: int,
    operation_id: int,
    events: Sequence[HistoryEvent],
    *,
    now: int,
) -> None:
    if not events:
        return
    first = reserve_ids(conn, account_id, "history", len(events))
    bulk.insert(
        conn,
        h,
        _COLUMNS,
        [
            (
                account_id,
                first + i,
                operation_id,
                now,
                e.change.value,
                e.from_type,
                e.from_id,
                e.to_type,
                e.to_id,
                e.type_id,
                e.label,
                e.inverse_type_id,
                e.inverse_label,
                e.from_name,
                e.to_name,
                e.source.value,
                e.detail,
            )
            for i, e in enumerate(events)
        ],
    )


def _side(
    account_id: int, record_id: int, other_type: str | None, before: int | None, *, outgoing: bool
) -> Any:
    """Rows where `record_id` is on one side, newest first, seen from `record_id`."""
    mine, _theirs = (h.c.from_id, h.c.to_id) if outgoing else (h.c.to_id, h.c.from_id)
    their_type = h.c.to_type if outgoing else h.c.from_type
    conditions = [h.c.account_id == account_id, mine == record_id]
    if other_type is not None:
        conditions.append(their_type == other_type)
    if before is not None:
        conditions.append(h.c.id < before)
    return select(h, literal(outgoing).label("outgoing")).where(*conditions)


def for_record(
    conn: Connection,
    account_id: int,
    record_id: int,
    *,
    other_type: str | None,
    before: int | None,
    limit: int,
) -> list[Row[Any]]:
    """A page of a record's association history, newest first: two index range scans."""
    parts = [
        _side(account_id, record_id, other_type, before, outgoing=o)
        .order_by(h.c.id.desc())
        .limit(limit)
        .subquery()
        .select()
        for o in (True, False)
    ]
    both = union_all(*parts).subquery()
    return list(conn.execute(select(both).order_by(both.c.id.desc()).limit(limit)))


def for_pair(
    conn: Connection,
    account_id: int,
    record_id: int,
    other_id: int,
    *,
    other_type: str,
    record_type: str,
    before: int | None,
    limit: int,
) -> list[Row[Any]]:
    """The history of one association (H4), newest first."""
    forward = _side(account_id, record_id, other_type, before, outgoing=True).where(
        h.c.to_id == other_id
    )
    backward = _side(account_id, other_id, record_type, before, outgoing=True).where(
        h.c.to_id == record_id
    )
    parts = [
        q.order_by(h.c.id.desc()).limit(limit).subquery().select() for q in (forward, backward)
    ]
    both = union_all(*parts).subquery()
    return list(conn.execute(select(both).order_by(both.c.id.desc()).limit(limit)))


def for_operation(conn: Connection, account_id: int, operation_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(h, literal(True).label("outgoing"))
            .where(h.c.account_id == account_id, h.c.operation_id == operation_id)
            .order_by(h.c.id)
        )
    )


def forget_name(conn: Connection, account_id: int, record_id: int) -> None:
    """L5: a permanently deleted record's name leaves the history; the events stay."""
    conn.execute(
        update(h)
        .where(h.c.account_id == account_id, h.c.from_id == record_id)
        .values(from_name=None)
    )
    conn.execute(
        update(h).where(h.c.account_id == account_id, h.c.to_id == record_id).values(to_name=None)
    )

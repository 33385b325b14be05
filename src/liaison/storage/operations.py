"""Operations (H6): each change-making request, with its kind, source and actor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, insert, select, update

from liaison.domain.history import Actor, Source
from liaison.storage import fetch
from liaison.storage.accounts import reserve_ids
from liaison.storage.tables import operations


def insert_operation(
    conn: Connection, account_id: int, *, kind: str, source: Source, actor: Actor, now: int
) -> int:
    operation_id = reserve_ids(conn, account_id, "operation", 1)
    values = {
        "account_id": account_id,
        "id": operation_id,
        "kind": kind,
        "source": source.value,
        "actor_kind": actor.kind.value,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "started_at": now,
    }
    fetch.run(conn, _INSERT, values)
    return operation_id


_INSERT = insert(operations).values(
    {
        c.name: bindparam(c.name)
        for c in operations.columns
        if c.name not in ("first_history_id", "last_history_id", "summary")
    }
)


def note_history(
    conn: Connection, account_id: int, operation_id: int, first: int, last: int
) -> None:
    """Record the range of history IDs the operation wrote: it wrote them all in one
    transaction holding the account's write lock, so no other operation's IDs fall between
    (a job's range, written by several transactions, is `extend_history`'s)."""
    params = {"account": account_id, "operation": operation_id, "first": first, "last": last}
    fetch.run(conn, _NOTE_HISTORY, params)


_THE_OPERATION = (
    operations.c.account_id == bindparam("account"),
    operations.c.id == bindparam("operation"),
)
_NOTE_HISTORY = (
    update(operations)
    .where(*_THE_OPERATION)
    .values(first_history_id=bindparam("first"), last_history_id=bindparam("last"))
)


def extend_history(
    conn: Connection, account_id: int, operation_id: int, first: int, last: int
) -> None:
    """Widen the operation's range to a chunk's history IDs (a job, decision 0013): the range
    then also spans other operations' rows written between its chunks, so readers select the
    operation's own rows in it by `operation_id`."""
    params = {"account": account_id, "operation": operation_id, "first": first, "last": last}
    fetch.run(conn, _EXTEND_HISTORY, params)


_EXTEND_HISTORY = (
    update(operations)
    .where(*_THE_OPERATION)
    .values(
        first_history_id=func.coalesce(operations.c.first_history_id, bindparam("first")),
        last_history_id=bindparam("last"),
    )
)


def get(conn: Connection, account_id: int, operation_id: int) -> Row[Any] | None:
    return conn.execute(
        select(operations).where(
            operations.c.account_id == account_id, operations.c.id == operation_id
        )
    ).first()


def get_many(conn: Connection, account_id: int, ids: set[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    rows = conn.execute(
        select(operations).where(operations.c.account_id == account_id, operations.c.id.in_(ids))
    )
    return {row.id: row for row in rows}

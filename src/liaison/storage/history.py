"""The association history (H1, H4-H6): appended in the change's transaction, read by index."""

from __future__ import annotations

import heapq
import itertools
import operator
from collections import namedtuple
from collections.abc import Sequence
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import Connection, bindparam, select, union_all, update

from liaison.domain.history import HistoryEvent
from liaison.storage import bulk, fetch
from liaison.storage import operations as operations_store
from liaison.storage.accounts import reserve_ids
from liaison.storage.tables import association_history as h
from liaison.storage.tables import operations

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
) -> tuple[int, int]:
    """Append the events; return the first and last history ID they got."""
    first = reserve_ids(conn, account_id, "history", len(events))
    if conn.dialect.name == "sqlite":
        _append_sqlite(conn, account_id, operation_id, now, first, events)
        return first, first + len(events) - 1
    rows = [
        # An event's fields are the row's columns from `change` on, in the same order.
        (
            account_id,
            first + i,
            operation_id,
            now,
            e.change.value,
            *e[1:11],
            e.source.value,
            e.detail,
        )
        for i, e in enumerate(events)
    ]
    bulk.insert(conn, h, _COLUMNS, rows)
    return first, first + len(events) - 1


def _append_sqlite(
    conn: Connection,
    account_id: int,
    operation_id: int,
    now: int,
    first: int,
    events: Sequence[HistoryEvent],
) -> None:
    """One executemany. The values every row shares (account, operation, time: integers) are
    written into the statement, so SQLite binds 14 values per row instead of 17 (binding is a
    large share of a history row's cost, docs/decisions/0011). A row is its ID and the event's
    fields, the `change` and `source` enums as their plain strings: sqlite3 binds a `str`
    subclass only after failing to find an adapter for it, a third of the row's binding."""
    marks = ", ".join("?" for _ in _COLUMNS[4:])
    sql = (
        f"INSERT INTO {h.name} ({', '.join(_COLUMNS)}) "
        f"VALUES ({int(account_id)}, ?, {int(operation_id)}, {int(now)}, {marks})"
    )
    json_text = bulk.json_text
    rows = [
        (
            first + i,
            e.change._value_,
            *e[1:11],
            e.source._value_,
            None if e.detail is None else json_text(e.detail),
        )
        for i, e in enumerate(events)
    ]
    conn.exec_driver_sql(sql, rows)


_ACTOR = (operations.c.actor_kind, operations.c.actor_id, operations.c.actor_name)
HistoryRow = cast(Any, namedtuple)(
    "HistoryRow", [*(c.name for c in h.columns), *(c.name for c in _ACTOR)]
)
"""A history row with its operation's actor; plain tuples read far faster than driver rows."""
_NEWEST = 2**62
"""`before` for the first page: past any ID."""


def _with_actor(*conditions: Any) -> Any:
    """History rows with the actor of each row's operation."""
    return (
        select(h, *_ACTOR)
        .join_from(
            h,
            operations,
            (operations.c.account_id == h.c.account_id) & (operations.c.id == h.c.operation_id),
        )
        .where(*conditions)
    )


class _Sides(NamedTuple):
    """Rows where the record is on one side, newest first (two statements), and both merged
    (one statement). Built once; everything varying is a parameter."""

    outgoing: Any
    incoming: Any
    both: Any


def _sides(from_extra: list[Any], to_extra: list[Any]) -> _Sides:
    outgoing, incoming = (
        _with_actor(
            h.c.account_id == bindparam("account"),
            side == bindparam("record"),
            h.c.id < bindparam("before"),
            *extra,
        )
        .order_by(h.c.id.desc())
        .limit(bindparam("limit"))
        for side, extra in ((h.c.from_id, from_extra), (h.c.to_id, to_extra))
    )
    merged = union_all(outgoing.subquery().select(), incoming.subquery().select()).subquery()
    both = select(merged).order_by(merged.c.id.desc()).limit(bindparam("limit"))
    return _Sides(outgoing, incoming, both)


def _newest(conn: Connection, sides: _Sides, params: dict[str, Any]) -> list[Any]:
    """A page from both sides: two index range scans, each stopping after a page. SQLite runs
    them as two statements merged here (cheaper than its sorted union), PostgreSQL as one (a
    round trip less)."""
    if conn.dialect.name != "sqlite":
        return _rows(conn, sides.both, params)
    outgoing = fetch.all_rows(conn, sides.outgoing, params)
    incoming = fetch.all_rows(conn, sides.incoming, params)
    merged = heapq.merge(outgoing, incoming, key=_ID, reverse=True)
    return _history_rows(conn, list(itertools.islice(merged, params["limit"])))


_ID = operator.itemgetter(1)
_OF_RECORD = _sides([], [])
_OF_RECORD_TO_TYPE = _sides(
    [h.c.to_type == bindparam("other_type")], [h.c.from_type == bindparam("other_type")]
)
_OF_PAIR = _sides([h.c.to_id == bindparam("other")], [h.c.from_id == bindparam("other")])


def for_record(
    conn: Connection,
    account_id: int,
    record_id: int,
    *,
    other_type: str | None,
    before: int | None,
    limit: int,
) -> list[Any]:
    """A page of a record's association history, newest first (a filter on the other type is
    applied while scanning the record's rows)."""
    params = _page(account_id, record_id, before, limit)
    if other_type is None:
        return _newest(conn, _OF_RECORD, params)
    return _newest(conn, _OF_RECORD_TO_TYPE, {**params, "other_type": other_type})


def for_pair(
    conn: Connection,
    account_id: int,
    record_id: int,
    other_id: int,
    *,
    before: int | None,
    limit: int,
) -> list[Any]:
    """The history of one association (H4), newest first."""
    params = _page(account_id, record_id, before, limit)
    return _newest(conn, _OF_PAIR, {**params, "other": other_id})


def _page(account_id: int, record_id: int, before: int | None, limit: int) -> dict[str, Any]:
    return {
        "account": account_id,
        "record": record_id,
        "before": _NEWEST if before is None else before,
        "limit": limit,
    }


_OF_OPERATION = _with_actor(
    h.c.account_id == bindparam("account"),
    h.c.id.between(bindparam("first"), bindparam("last")),
    h.c.operation_id == bindparam("operation"),
).order_by(h.c.id)
_OF_OPERATION_PAGE = _OF_OPERATION.limit(bindparam("limit"))


def for_operation(
    conn: Connection,
    account_id: int,
    operation_id: int,
    *,
    after: int = 0,
    limit: int | None = None,
) -> list[Any]:
    """The operation's rows, oldest first, found in the ID range noted on it (a job's range
    may hold other operations' rows too, written between its chunks: decision 0013); with
    `limit`, at most that many, from the first ID past `after`."""
    found = operations_store.get(conn, account_id, operation_id)
    if found is None or found.first_history_id is None:
        return []
    params = {
        "account": account_id,
        "first": max(found.first_history_id, after + 1),
        "last": found.last_history_id,
        "operation": operation_id,
    }
    if limit is None:
        return _rows(conn, _OF_OPERATION, params)
    return _rows(conn, _OF_OPERATION_PAGE, {**params, "limit": limit})


def _rows(conn: Connection, statement: Any, params: dict[str, Any]) -> list[Any]:
    return _history_rows(conn, fetch.all_rows(conn, statement, params))


def _history_rows(conn: Connection, raw: list[tuple[Any, ...]]) -> list[Any]:
    rows = [HistoryRow._make(row) for row in raw]
    if conn.dialect.name == "sqlite":  # the driver gives JSON as text there
        rows = [r._replace(detail=orjson.loads(r.detail)) if r.detail else r for r in rows]
    return rows


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

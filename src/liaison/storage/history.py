"""The association history (H1, H4-H6): appended in the change's transaction, read by index."""

from __future__ import annotations

import heapq
import itertools
import operator
from collections import namedtuple
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, cast

import orjson
from sqlalchemy import ColumnElement, Connection, bindparam, select, union_all, update

from liaison.domain.history import Change, HistoryEvent
from liaison.storage import bulk, fetch
from liaison.storage import operations as operations_store
from liaison.storage.accounts import reserve_ids
from liaison.storage.tables import HISTORY_TO_LEVELS, history_to, history_to_recent, operations
from liaison.storage.tables import association_history as h

MERGE_EVERY = 65_536
"""SQLite: an account's recent `to_id` entries move to the large level each time its history
IDs pass a multiple of this (decision 0023)."""

_COLUMNS = tuple(c.name for c in h.columns)
"""A row's columns, in the table's order: an event's, then the `primary_*` ones."""
_PRIMARY, _END = _COLUMNS.index("primary_type_id"), len(_COLUMNS)
"""Where a row's `primary_*` values start (after `detail`) and end."""
_PRIMARY_COLUMNS = _COLUMNS[_PRIMARY:_END]
_RECORDS = slice(_COLUMNS.index("from_type"), _COLUMNS.index("type_id"))
_NAMES = _COLUMNS.index("from_name")
"""Where the names start, followed by the source and detail."""


def append(
    conn: Connection,
    account_id: int,
    operation_id: int,
    events: Sequence[HistoryEvent],
    *,
    now: int,
) -> tuple[int, int]:
    """Append the events; return the first and last history ID they got (one per event, though
    a CREATED and its PRIMARY_SET may share a row: `_shared`)."""
    first = reserve_ids(conn, account_id, "history", len(events))
    last = first + len(events) - 1
    shared = _shared(events)
    if conn.dialect.name == "sqlite":
        _append_sqlite(conn, account_id, operation_id, now, first, events, shared)
        _index_to_side(conn, account_id, first, last)
        return first, last
    rows = [
        # An event's fields are the row's columns from `change` on, in the same order.
        (account_id, first + i, operation_id, now, e.change.value, *e[1:11], e.source.value,
         e.detail, *shared.get(i, _NO_PRIMARY))
        for i, e in enumerate(events)
        if i - 1 not in shared
    ]  # fmt: skip
    bulk.insert(conn, h, _COLUMNS, rows)
    return first, last


_NO_PRIMARY = (None, None, None, None)


def _shared(events: Sequence[HistoryEvent]) -> dict[int, tuple[Any, ...]]:
    """The CREATED events that share their row with the PRIMARY_SET after them (by index), with
    the PRIMARY_SET's `primary_*` values: the same association the same way round, with the same
    names, source and detail, as a new association's first company is (P3). The PRIMARY_SET
    keeps its own ID, the row's plus one (decision 0029)."""
    shared: dict[int, tuple[Any, ...]] = {}
    primary_set = Change.PRIMARY_SET
    for i in [i for i, e in enumerate(events) if i and e[0] is primary_set]:
        created, primary = events[i - 1], events[i]
        # Fields 1-4 are the records, 5-8 the types and labels, 9-12 names, source, detail.
        if (
            created[0] is Change.CREATED
            and created[1:5] == primary[1:5]
            and created[9:] == primary[9:]
        ):
            shared[i - 1] = primary[5:9]
    return shared


def _append_sqlite(
    conn: Connection,
    account_id: int,
    operation_id: int,
    now: int,
    first: int,
    events: Sequence[HistoryEvent],
    shared: dict[int, tuple[Any, ...]],
) -> None:
    """One executemany per shape of event (decision 0025). Binding is most of a history row's
    cost on SQLite (decision 0011), and most of a row's values are its shape's (the change, the
    object types, the type IDs, the labels, the source, a PRIMARY_SET it shares the row with, a
    detail left out), shared by the many rows of a batch. Those are written into the statement,
    as the account, operation and time are, so a row binds only its ID, records and names (and
    detail)."""
    shapes: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    texts: dict[int, str] = {}  # a detail's JSON by the detail's identity: many events share one
    primary_of = shared.get
    for i, e in enumerate(events):
        if shared and i - 1 in shared:
            continue  # the PRIMARY_SET of the row before
        detail = e.detail
        if detail is None:
            row: tuple[Any, ...] = (first + i, e.from_id, e.to_id, e.from_name, e.to_name)
        else:
            text = texts.get(id(detail))
            if text is None:
                text = texts[id(detail)] = bulk.json_text(detail)
            row = (first + i, e.from_id, e.to_id, e.from_name, e.to_name, text)
        shapes.setdefault((_shape_of(e), primary_of(i), detail is None), []).append(row)
    fixed = f"{int(account_id)}, {int(operation_id)}, {int(now)}"
    for (shape, primary, no_detail), rows in shapes.items():
        written, sent = bulk.statement_values((*shape, *(primary or _NO_PRIMARY)), rows)
        values = ", ".join([fixed, *written, "?, ?, ?, ?, ?"])
        values += ", NULL" if no_detail else ", ?"
        conn.exec_driver_sql(f"{_INSERT_SHAPED} VALUES ({values})", sent)


_shape_of = operator.itemgetter(0, 1, 3, 5, 6, 7, 8, 11)
_SHAPE_COLUMNS = (
    "change",
    "from_type",
    "to_type",
    "type_id",
    "label",
    "inverse_type_id",
    "inverse_label",
    "source",
    *_PRIMARY_COLUMNS,
)
"""An event's values that its shape's statement writes (`_shape_of` picks them)."""
_ROW_COLUMNS = ("id", "from_id", "to_id", "from_name", "to_name")
_INSERT_SHAPED = (
    f"INSERT INTO {h.name} (account_id, operation_id, at, "
    f"{', '.join((*_SHAPE_COLUMNS, *_ROW_COLUMNS))}, detail)"
)


def _index_to_side(conn: Connection, account_id: int, first: int, last: int) -> None:
    """SQLite: the new rows' `to_id` entries go to the small level, read back from the rows
    (no values bound); when the IDs pass a multiple of `MERGE_EVERY`, the account's entries
    move to the large level in one pass in key order, which dirties each of its pages once
    instead of once per entry spread over them (decision 0023)."""
    params = (account_id, first, last)
    conn.exec_driver_sql(
        f"INSERT INTO {history_to_recent.name} (account_id, to_id, id) "
        f"SELECT account_id, to_id, id FROM {h.name} WHERE account_id = ? AND id BETWEEN ? AND ?",
        params,
    )
    if (first - 1) // MERGE_EVERY != last // MERGE_EVERY:
        merge_to_side(conn, account_id)


def merge_to_side(conn: Connection, account_id: int) -> None:
    """Move the account's recent `to_id` entries to the large level (SQLite; PostgreSQL has
    none: it indexes `to_id`)."""
    if conn.dialect.name != "sqlite":
        return
    for sql in (
        f"INSERT INTO {history_to.name} (account_id, to_id, id) SELECT account_id, to_id, id "
        f"FROM {history_to_recent.name} WHERE account_id = ? ORDER BY account_id, to_id, id",
        f"DELETE FROM {history_to_recent.name} WHERE account_id = ?",
    ):
        conn.exec_driver_sql(sql, (account_id,))


_ACTOR = (operations.c.actor_kind, operations.c.actor_id, operations.c.actor_name)
HistoryRow = cast(Any, namedtuple)("HistoryRow", [*_COLUMNS[:_PRIMARY], *(c.name for c in _ACTOR)])
"""A history event with its operation's actor; plain tuples read far faster than driver rows."""
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
    """Rows where the record is on one side, newest first, each statement stopping after a
    page. Built once; everything varying is a parameter."""

    both: Any
    """PostgreSQL: both sides (`to_id` by its index) merged into the page, then the page's
    rows joined to their operations' actors, in one statement."""
    each: tuple[Any, ...]
    """SQLite: the `from_id` side, then the `to_id` side through each level of entries
    (decision 0023); rows without their actors, which `_add_actors` reads for the page."""


def _sides(from_extra: list[Any], to_extra: list[Any]) -> _Sides:
    def newest(statement: Any, key: Any) -> Any:
        return statement.order_by(key.desc()).limit(bindparam("limit"))

    account: Any = bindparam("account")
    record: Any = bindparam("record")
    before: Any = bindparam("before")
    outgoing, incoming = (
        newest(
            select(h).where(h.c.account_id == account, side == record, h.c.id < before, *extra),
            h.c.id,
        )
        for side, extra in ((h.c.from_id, from_extra), (h.c.to_id, to_extra))
    )
    to_side = (
        newest(
            select(h)
            .join_from(level, h, (h.c.account_id == level.c.account_id) & (h.c.id == level.c.id))
            .where(level.c.account_id == account, level.c.to_id == record, level.c.id < before)
            .where(*to_extra),
            level.c.id,
        )
        for level in HISTORY_TO_LEVELS
    )
    return _Sides(_page_with_actors(outgoing, incoming), (outgoing, *to_side))


def _page_with_actors(outgoing: Any, incoming: Any) -> Any:
    """PostgreSQL: the page of both sides, then its rows' actors. One join after the page, not
    one inside each side: PostgreSQL plans this statement anew on every call (`plan_cache_mode`,
    decision 0008), and planning is most of its server time (about 0.2 ms of 0.3 for a page of
    100 with a join per side, 0.13 with one join). Operations are matched on the bound account,
    a constant to the planner, rather than on the page's `account_id` column."""
    merged = union_all(outgoing, incoming)
    page = merged.order_by(merged.selected_columns.id.desc()).limit(bindparam("limit")).subquery()
    account: Any = bindparam("account")
    return (
        select(page, *_ACTOR)
        .join_from(
            page,
            operations,
            (operations.c.account_id == account) & (operations.c.id == page.c.operation_id),
        )
        .order_by(page.c.id.desc())
    )


def _newest(conn: Connection, sides: _Sides, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A page from both sides: index range scans, each stopping after a page. SQLite runs them
    as statements merged here (cheaper than its sorted union), PostgreSQL as one (a round trip
    less). Events are plain tuples in `HistoryRow`'s order: a page's reader unpacks them, which
    costs less than a named tuple made for each."""
    before, limit = params["before"], params["limit"]
    if conn.dialect.name != "sqlite":
        return _events(fetch.all_rows(conn, sides.both, params), newest=True, below=before)[:limit]
    pages = [fetch.all_rows(conn, statement, params) for statement in sides.each]
    rows = itertools.islice(heapq.merge(*pages, key=_ID, reverse=True), limit)
    page = _events(rows, newest=True, below=before)[:limit]
    return _with_details(_add_actors(conn, params["account"], page))


def _events(
    rows: Iterable[tuple[Any, ...]], *, newest: bool, below: int = _NEWEST, above: int = 0
) -> list[tuple[Any, ...]]:
    """Stored rows (with whatever follows their columns, such as actors) as the events with IDs
    between `above` and `below`: a row holding a PRIMARY_SET gives its CREATED and, with the next
    ID, the PRIMARY_SET (decision 0029), in the order read (newest first or oldest first)."""
    events: list[tuple[Any, ...]] = []
    add = events.append
    for row in rows:
        created = (*row[:_PRIMARY], *row[_END:])
        if row[_PRIMARY] is None:
            add(created)
            continue
        # account, the next ID, operation, time, then the PRIMARY_SET's change and types
        primary = (*row[:1], row[1] + 1, *row[2:4], _PRIMARY_SET, *row[_RECORDS],
                   *row[_PRIMARY:_END], *row[_NAMES:_PRIMARY], *row[_END:])  # fmt: skip
        events += (primary, created) if newest else (created, primary)
    if events and not (above < events[0][1] < below):  # the first row's other half only
        del events[0]
    return events


_PRIMARY_SET = Change.PRIMARY_SET.value


_ACTORS = select(operations.c.id, *_ACTOR).where(
    operations.c.account_id == bindparam("account"), bulk.listed("sqlite", operations.c.id, "ids")
)
_OPERATION_ID = HistoryRow._fields.index("operation_id")
_DETAIL = HistoryRow._fields.index("detail")


def _add_actors(conn: Connection, account_id: int, rows: list[Any]) -> list[Any]:
    """The rows with their operations' actors, read once per operation (a page's rows share a
    few operations; a join would look one up per row)."""
    if not rows:
        return rows
    ids = bulk.id_list(conn, {row[_OPERATION_ID] for row in rows})
    found = fetch.all_rows(conn, _ACTORS, {"account": account_id, "ids": ids})
    actors = {operation_id: actor for operation_id, *actor in found}
    return [(*row, *actors[row[_OPERATION_ID]]) for row in rows]


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
) -> list[tuple[Any, ...]]:
    """A page of a record's association history, newest first (a filter on the other type is
    applied while scanning the record's rows), as tuples in `HistoryRow`'s order."""
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
) -> list[tuple[Any, ...]]:
    """The history of one association (H4), newest first, as tuples in `HistoryRow`'s order."""
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
        "first": max(found.first_history_id, after),  # the row whose PRIMARY_SET is after + 1
        "last": found.last_history_id,
        "operation": operation_id,
    }
    if limit is None:
        return _rows(conn, _OF_OPERATION, params, after)
    return _rows(conn, _OF_OPERATION_PAGE, {**params, "limit": limit + 1}, after)[:limit]


def _rows(conn: Connection, statement: Any, params: dict[str, Any], after: int) -> list[Any]:
    events = _events(fetch.all_rows(conn, statement, params), newest=False, above=after)
    rows = _with_details(events) if conn.dialect.name == "sqlite" else events
    return [HistoryRow._make(row) for row in rows]


_EVERY = _with_actor(h.c.account_id == bindparam("account")).order_by(h.c.id)


def every_event(conn: Connection, account_id: int) -> list[Any]:
    """The account's whole history, oldest first (for the invariant checker)."""
    return _rows(conn, _EVERY, {"account": account_id}, 0)


def _with_details(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """SQLite: the rows with their details decoded (the driver gives JSON as text there)."""
    return [
        (*row[:_DETAIL], orjson.loads(row[_DETAIL]), *row[_DETAIL + 1 :]) if row[_DETAIL] else row
        for row in rows
    ]


def forget_name(conn: Connection, account_id: int, record_id: int) -> None:
    """L5: a permanently deleted record's name leaves the history; the events stay."""
    conn.execute(
        update(h)
        .where(h.c.account_id == account_id, h.c.from_id == record_id)
        .values(from_name=None)
    )
    if conn.dialect.name == "sqlite":
        incoming = union_all(
            *(
                select(level.c.id).where(
                    level.c.account_id == account_id, level.c.to_id == record_id
                )
                for level in HISTORY_TO_LEVELS
            )
        )
        receiving: ColumnElement[bool] = h.c.id.in_(incoming)
    else:
        receiving = h.c.to_id == record_id
    conn.execute(update(h).where(h.c.account_id == account_id, receiving).values(to_name=None))

"""Set-based reads and writes of many rows: one COPY or one statement over arrays sent in
binary (PostgreSQL), one executemany or one statement over a JSON list (SQLite).

SQLAlchemy's per-row parameter handling costs more than SQLite's own insert, and psycopg's
executemany sends one statement per row; these helpers avoid both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    Table,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

Row = Sequence[Any]


def insert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    same: Mapping[str, Any] | None = None,
    json_as_text: bool = False,
) -> None:
    """Insert `rows` (tuples in `columns` order). `same`: columns that hold one value on every
    row, left out of `rows`; SQLite gets them written into the statement where
    `statement_values` can, so it binds only what varies (binding is a large share of a row's
    cost, decision 0011).
    `json_as_text`: the rows' JSON values are JSON text already (`json_text`), which saves
    copying every row to convert it."""
    if not rows:
        return
    same = same or {}
    names = ", ".join([*same, *columns])
    sent = rows if json_as_text else _json_as_text(table, columns, rows)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        shared = tuple(same.values())
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in sent:
                copy.write_row((*shared, *row) if shared else row)
    else:
        written, sent = statement_values(list(same.values()), sent)
        values = ", ".join([*written, *("?" for _ in columns)])
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({values})", sent)


def statement_values(shared: Sequence[Any], rows: Sequence[Row]) -> tuple[list[str], Sequence[Row]]:
    """Values every row shares, as SQL text to write into a statement (SQLite), and the rows to
    bind; when one is not plainly safe to write (`literal`), each is a `?` and every row binds
    them all instead."""
    written = [literal(value) for value in shared]
    if None in written:
        return ["?"] * len(shared), [(*map(plain, shared), *row) for row in rows]
    return [str(text) for text in written], rows


def literal(value: Any) -> str | None:
    """`value` as SQL text, or None when it is not plainly safe to write into a statement."""
    value = plain(value)
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(int(value))
    return f"'{value}'" if isinstance(value, str) and _PLAIN_TEXT.match(value) else None


_PLAIN_TEXT = re.compile(r"[\w .,&()/+:-]*\Z")
"""Text written into a statement as it is: no quote, backslash or control character."""


def plain(value: Any) -> Any:
    """An enum as its plain value (sqlite3 binds a `str` subclass only after looking for an
    adapter); anything else as it is."""
    return value.value if isinstance(value, Enum) else value


def ids_in(conn: Connection, column: ColumnElement[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN ids`, with the whole list sent as one parameter: a PostgreSQL array, or a
    JSON array that SQLite unpacks with json_each. No statement grows with the list."""
    values = list(ids)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(BigInteger)))
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json_text(values)))
    )
    return column.in_(listed.scalar_subquery())


def listed(
    dialect: str, column: ColumnElement[Any], name: str, *, of: type[TypeEngine[Any]] = BigInteger
) -> ColumnElement[bool]:
    """`column IN :name` for a statement built once per dialect (see `fetch`): the value of
    `name` is `id_list(conn, ids)`, one parameter whatever the number of IDs (or of values of
    type `of`, such as Text)."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name), postgresql.ARRAY(of)))
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(name))
    )
    return column.in_(listed.scalar_subquery())


def id_list(conn: Connection, ids: Iterable[int | str]) -> Any:
    """The value of a `listed` parameter: a list (PostgreSQL) or a JSON array (SQLite)."""
    return list(ids) if conn.dialect.name == "postgresql" else json_text(list(ids))


def lookup(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    account_id: int,
    keys: Sequence[tuple[int, str, int]],
) -> list[tuple[Any, ...]]:
    """Rows of `table` whose (from_id, to_type, to_id) is one of `keys`: one primary-key lookup
    each, the keys sent as arrays (PostgreSQL) or one JSON text (SQLite, keys driving the join)."""
    if not keys:
        return []
    wanted = ", ".join(f"x.{c}" for c in columns)
    if conn.dialect.name == "postgresql":
        # A lateral subquery behind OFFSET 0 is never flattened into a join, so each key stays
        # one index lookup even when stale statistics would pick a hash join over the table.
        sql = (
            f"SELECT {wanted} "
            "FROM unnest(%b::bigint[], %b::varchar[], %b::bigint[]) AS k(f, ty, t) "
            f"CROSS JOIN LATERAL (SELECT {wanted} FROM {table.name} AS x "
            "WHERE x.account_id = %s AND x.from_id = k.f AND x.to_type = k.ty AND x.to_id = k.t "
            "OFFSET 0) AS x"
        )
        f, ty, t = (list(column) for column in zip(*keys, strict=True))
        return [tuple(r) for r in conn.exec_driver_sql(sql, (f, ty, t, account_id)).all()]
    sql = (
        f"SELECT {wanted} FROM json_each(?) AS k CROSS JOIN {table.name} AS x "
        "WHERE x.account_id = ? AND x.from_id = json_extract(k.value, '$[0]') "
        "AND x.to_type = json_extract(k.value, '$[1]') AND x.to_id = json_extract(k.value, '$[2]')"
    )
    return [tuple(r) for r in conn.exec_driver_sql(sql, (json_text(keys), account_id)).all()]


def delete(conn: Connection, table: Table, columns: Sequence[str], keys: Sequence[Row]) -> None:
    """Delete the rows whose `columns` equal each key tuple."""
    if not keys:
        return
    if conn.dialect.name == "postgresql":
        matches = " AND ".join(f"{table.name}.{c} = u.c{i}" for i, c in enumerate(columns))
        conn.exec_driver_sql(
            f"DELETE FROM {table.name} USING {_unnest(table, columns)} WHERE {matches}",
            _arrays(keys),
        )
    else:
        matches = " AND ".join(f"{c} = ?" for c in columns)
        conn.exec_driver_sql(f"DELETE FROM {table.name} WHERE {matches}", list(map(tuple, keys)))


def _pg_type(table: Table, column: str) -> str:
    column_type = table.c[column].type
    if isinstance(column_type, JSON):
        return "text"
    return str(column_type.compile(dialect=_POSTGRES))


def _unnest(table: Table, columns: Sequence[str]) -> str:
    arrays = ", ".join(f"%b::{_pg_type(table, c)}[]" for c in columns)
    aliases = ", ".join(f"c{i}" for i in range(len(columns)))
    return f"unnest({arrays}) AS u({aliases})"


def _arrays(rows: Sequence[Row]) -> tuple[list[Any], ...]:
    return tuple(list(values) for values in zip(*rows, strict=True))


def json_text(value: Any) -> str:
    """A JSON value as the text a JSON column holds (orjson: several times json.dumps's speed
    for the many small objects of a batch)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits) json takes
        return json.dumps(value)


def _json_as_text(table: Table, columns: Sequence[str], rows: Sequence[Row]) -> Sequence[Row]:
    """The rows with JSON values as text; the very rows when they have no JSON value."""
    json_columns = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    if not json_columns or not any(row[i] is not None for row in rows for i in json_columns):
        return rows if isinstance(rows, list) else list(rows)
    converted = []
    for row in rows:
        values = list(row)
        for i in json_columns:
            values[i] = None if values[i] is None else json_text(values[i])
        converted.append(tuple(values))
    return converted


_POSTGRES = postgresql.dialect()  # type: ignore[no-untyped-call]

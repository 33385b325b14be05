"""Hot reads through the driver's own cursor: the statement is compiled once per dialect, and
rows come back as plain tuples, without SQLAlchemy's per-row result objects (which cost more
than the read itself on a page of 500 rows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_compiled: dict[tuple[int, str], SQLCompiler] = {}


def all_rows(
    conn: Connection, statement: ClauseElement, params: Mapping[str, Any], *, binary: bool = False
) -> list[tuple[Any, ...]]:
    """Run a prebuilt statement; values come as the driver gives them (JSON as text on SQLite).
    With `binary` (PostgreSQL only), psycopg reads them in the binary format, which decodes
    arrays faster than their text."""
    sql, values = _compiled_for(conn, statement, params)
    driver = conn.connection.driver_connection
    cursor = driver.cursor(binary=True) if binary else driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def seen_rows(
    conn: Connection, statement: ClauseElement, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """`all_rows` through SQLAlchemy's driver-SQL path: compiled once all the same, but statement
    listeners see it (the tests counting a page's statements), for a little more per call."""
    sql, values = _compiled_for(conn, statement, params)
    result = conn.exec_driver_sql(sql, values)
    try:  # the driver's own rows (tuples), without a SQLAlchemy Row made for each
        return list(result.cursor.fetchall())
    finally:
        result.close()


def run(conn: Connection, statement: ClauseElement, params: Mapping[str, Any]) -> None:
    """`seen_rows` for a prebuilt statement that returns no rows."""
    sql, values = _compiled_for(conn, statement, params)
    conn.exec_driver_sql(sql, values).close()


def _compiled_for(
    conn: Connection, statement: ClauseElement, params: Mapping[str, Any]
) -> tuple[str, Any]:
    """The statement's SQL for this dialect (compiled once) and its parameters in the driver's
    form: a tuple for positional markers, else a mapping."""
    key = (id(statement), conn.dialect.name)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = cast(SQLCompiler, statement.compile(dialect=conn.dialect))
    values = compiled.construct_params(params)
    positions = compiled.positiontup
    return compiled.string, tuple(values[p] for p in positions) if positions else values

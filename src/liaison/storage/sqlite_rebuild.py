"""Migrations' helper: rebuild a SQLite table with or without its rowid.

The table is made again from its own DDL (same columns, constraint names and indexes) and its
rows copied. PostgreSQL has no rowid: nothing is done there.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

WITHOUT_ROWID = " WITHOUT ROWID"


def rebuild(conn: Connection, table: str, *, without_rowid: bool) -> None:
    if conn.dialect.name != "sqlite":
        return
    found = conn.execute(
        text("SELECT type, sql FROM sqlite_master WHERE tbl_name = :t AND sql IS NOT NULL"),
        {"t": table},
    ).all()
    ddl = next(sql for kind, sql in found if kind == "table").removesuffix(WITHOUT_ROWID)
    indexes = [sql for kind, sql in found if kind == "index"]
    rebuilt = f"{table}_rebuilt"
    head, _, columns = ddl.partition("(")
    if head.strip() not in (f"CREATE TABLE {table}", f'CREATE TABLE "{table}"'):
        raise RuntimeError(f"unexpected DDL for {table}: {head}")
    ddl = f"CREATE TABLE {rebuilt} ({columns}"
    conn.execute(text(ddl + (WITHOUT_ROWID if without_rowid else "")))
    conn.execute(text(f"INSERT INTO {rebuilt} SELECT * FROM {table}"))
    conn.execute(text(f"DROP TABLE {table}"))
    conn.execute(text(f"ALTER TABLE {rebuilt} RENAME TO {table}"))
    for index in indexes:
        conn.execute(text(index))

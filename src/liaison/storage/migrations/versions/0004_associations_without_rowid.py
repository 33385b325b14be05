"""SQLite: associations and their labels as WITHOUT ROWID tables

Both tables are only ever reached through their primary key, so on SQLite the rowid table
behind that key was a second B-tree written on every insert and never read. As WITHOUT ROWID
tables the primary key is the table: one B-tree fewer per row (docs/decisions/0009). Each table
is rebuilt from its own DDL (same columns, constraint names and indexes) and its rows copied.
PostgreSQL has no rowid: nothing changes there.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("associations", "association_labels")
WITHOUT_ROWID = " WITHOUT ROWID"


def upgrade() -> None:
    for table in TABLES:
        _rebuild(table, without_rowid=True)


def downgrade() -> None:
    for table in TABLES:
        _rebuild(table, without_rowid=False)


def _rebuild(table: str, *, without_rowid: bool) -> None:
    conn = op.get_bind()
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

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

from liaison.storage.sqlite_rebuild import rebuild

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("associations", "association_labels")


def upgrade() -> None:
    for table in TABLES:
        rebuild(op.get_bind(), table, without_rowid=True)


def downgrade() -> None:
    for table in TABLES:
        rebuild(op.get_bind(), table, without_rowid=False)

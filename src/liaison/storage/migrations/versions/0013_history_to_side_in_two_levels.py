"""SQLite: a history row's `to_id` side found through two small-to-large levels instead of an
index written at random places (decision 0023)

`history_to_recent` takes each new row's `(account_id, to_id, id)`; `history_to` gets them in
one sorted pass every `MERGE_EVERY` history IDs. Both tables are made on PostgreSQL too (one
schema for both stores) but stay empty there: PostgreSQL keeps its `to_id` index.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LEVELS = ("history_to_recent", "history_to")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    for name in LEVELS:
        op.create_table(
            name,
            sa.Column("account_id", sa.Integer(), nullable=False),
            sa.Column("to_id", _ID, nullable=False),
            sa.Column("id", _ID, nullable=False),
            sa.PrimaryKeyConstraint("account_id", "to_id", "id", name=op.f(f"pk_{name}")),
            sqlite_with_rowid=False,
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "INSERT INTO history_to (account_id, to_id, id) "
            "SELECT account_id, to_id, id FROM association_history"
        )
        op.drop_index("ix_association_history_to", table_name="association_history")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_association_history_to", "association_history", ["account_id", "to_id", "id"]
        )
    for name in LEVELS:
        op.drop_table(name)

"""SQLite: the association history as a WITHOUT ROWID table

Its rows are reached by its primary key (an operation's ID range) and through its two side
indexes, which lead back to that key: the rowid table behind the key was one more B-tree
written per history row and never read (docs/decisions/0011). Rebuilt from its own DDL, rows
copied. PostgreSQL has no rowid: nothing changes there.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from liaison.storage.sqlite_rebuild import rebuild

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rebuild(op.get_bind(), "association_history", without_rowid=True)


def downgrade() -> None:
    rebuild(op.get_bind(), "association_history", without_rowid=False)

"""A new association's CREATED and the PRIMARY_SET made with it in one history row
(decision 0029)

The `primary_*` columns hold the PRIMARY_SET's type, label, inverse type and inverse label;
its ID is the row's plus one. Rows written before stay as they are (one per change).

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "primary_type_id",
            sa.Integer(),
            comment="set: the row is also the PRIMARY_SET of id + 1",
        ),
        sa.Column("primary_label", sa.String(length=100)),
        sa.Column("primary_inverse_type_id", sa.Integer()),
        sa.Column("primary_inverse_label", sa.String(length=100)),
    ]


def upgrade() -> None:
    for column in _columns():
        op.add_column("association_history", column)


def downgrade() -> None:
    for column in reversed(_columns()):
        op.drop_column("association_history", column.name)

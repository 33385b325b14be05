"""Records of a type in name order: an index for index pages sorted by name

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_records_type_name",
        "records",
        ["account_id", "type_id", "archived", "name", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_records_type_name", table_name="records")

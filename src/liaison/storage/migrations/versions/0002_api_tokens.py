"""API tokens (S2)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "secret_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the token, hex",
        ),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_api_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_api_tokens")),
    )
    op.create_index(
        "ix_api_tokens_account_id_secret_hash",
        "api_tokens",
        ["account_id", "secret_hash"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_api_tokens_account_id_secret_hash", table_name="api_tokens")
    op.drop_table("api_tokens")

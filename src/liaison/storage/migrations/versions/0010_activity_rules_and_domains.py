"""Activity rules (T2) and the association-by-domain setting (L4), per account

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "activity_rules",
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("activity_type", sa.String(20), nullable=False),
        sa.Column("target_type", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_activity_rules_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint(
            "account_id",
            "record_type",
            "activity_type",
            "target_type",
            name=op.f("pk_activity_rules"),
        ),
    )
    op.create_table(
        "domain_settings",
        sa.Column("account_id", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("create_companies", sa.Boolean, nullable=False),
        sa.Column("excluded_domains", _JSON, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_domain_settings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_domain_settings")),
    )


def downgrade() -> None:
    op.drop_table("domain_settings")
    op.drop_table("activity_rules")

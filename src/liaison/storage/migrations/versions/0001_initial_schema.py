"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 01:26:16.573835
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "association_labels",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("to_type", sa.String(length=20), nullable=False),
        sa.Column("to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id",
            "from_id",
            "to_type",
            "to_id",
            "type_id",
            name=op.f("pk_association_labels"),
        ),
    )
    with op.batch_alter_table("association_labels", schema=None) as batch_op:
        batch_op.create_index(
            "ux_association_labels_exclusive",
            ["account_id", "from_id", "type_id"],
            unique=True,
            sqlite_where=sa.text("exclusive"),
            postgresql_where=sa.text("exclusive"),
        )

    op.create_table(
        "associations",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("to_type", sa.String(length=20), nullable=False),
        sa.Column("to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "from_id", "to_type", "to_id", name=op.f("pk_associations")
        ),
    )
    op.create_table(
        "association_limits",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("max_to", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_association_limits_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "type_id", name=op.f("pk_association_limits")),
    )
    op.create_table(
        "association_types",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inverse_id", sa.Integer(), nullable=False),
        sa.Column("from_type", sa.String(length=20), nullable=False),
        sa.Column("to_type", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_association_types_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_association_types")),
    )
    with op.batch_alter_table("association_types", schema=None) as batch_op:
        batch_op.create_index(
            "ix_association_types_pair", ["account_id", "from_type", "to_type"], unique=False
        )

    op.create_table(
        "counters",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_counters_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "object_types",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("singular", sa.String(length=100), nullable=False),
        sa.Column("plural", sa.String(length=100), nullable=False),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "required",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("primary_display_property", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_object_types_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_object_types")),
    )
    with op.batch_alter_table("object_types", schema=None) as batch_op:
        batch_op.create_index("ux_object_types_name", ["account_id", "name"], unique=True)

    op.create_table(
        "operations",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column(
            "first_history_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="its history rows are this ID range",
        ),
        sa.Column(
            "last_history_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "summary",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_operations_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_operations")),
    )
    op.create_table(
        "records",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type_id", sa.String(length=20), nullable=False),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "name", sa.Text(), nullable=False, comment="the display name, kept with the properties"
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("archived_at", sa.BigInteger(), nullable=True),
        sa.Column(
            "archived_by",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
            comment="the operation that deleted or merged it away",
        ),
        sa.Column(
            "merged_into", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_records_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_records_type", ["account_id", "type_id", "archived", "id"], unique=False
        )

    op.create_table(
        "association_history",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "operation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("from_type", sa.String(length=20), nullable=False),
        sa.Column("from_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("to_type", sa.String(length=20), nullable=False),
        sa.Column("to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("inverse_type_id", sa.Integer(), nullable=False),
        sa.Column("inverse_label", sa.String(length=100), nullable=True),
        sa.Column("from_name", sa.Text(), nullable=True),
        sa.Column("to_name", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["account_id", "operation_id"],
            ["operations.account_id", "operations.id"],
            name=op.f("fk_association_history_account_id_operation_id_operations"),
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_association_history")),
    )
    with op.batch_alter_table("association_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_association_history_from", ["account_id", "from_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_association_history_to", ["account_id", "to_id", "id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("association_history", schema=None) as batch_op:
        batch_op.drop_index("ix_association_history_to")
        batch_op.drop_index("ix_association_history_from")

    op.drop_table("association_history")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_type")

    op.drop_table("records")
    op.drop_table("operations")
    with op.batch_alter_table("object_types", schema=None) as batch_op:
        batch_op.drop_index("ux_object_types_name")

    op.drop_table("object_types")
    op.drop_table("counters")
    with op.batch_alter_table("association_types", schema=None) as batch_op:
        batch_op.drop_index("ix_association_types_pair")

    op.drop_table("association_types")
    op.drop_table("association_limits")
    op.drop_table("associations")
    with op.batch_alter_table("association_labels", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_association_labels_exclusive",
            sqlite_where=sa.text("exclusive"),
            postgresql_where=sa.text("exclusive"),
        )

    op.drop_table("association_labels")
    op.drop_table("accounts")

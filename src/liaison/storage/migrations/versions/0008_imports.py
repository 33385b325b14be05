"""Imports: their progress, refused rows and the keys of the records they made

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("id", _ID, autoincrement=False, nullable=False, comment="its operation's ID"),
        sa.Column("files", _JSON, nullable=False, comment="[{name, path, sha256}]"),
        sa.Column("mapping", _JSON, nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False, comment="RUNNING, DONE"),
        sa.Column("phase", sa.Integer(), nullable=False, comment="1 records, 2 associations"),
        sa.Column("file_index", sa.Integer(), nullable=False),
        sa.Column(
            "rows_done",
            sa.Integer(),
            nullable=False,
            comment="rows of that file done in that phase",
        ),
        sa.Column("counts", _JSON, nullable=False),
        sa.Column("watermark", _ID, nullable=False, comment="records above it were made meanwhile"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id", "id"],
            ["operations.account_id", "operations.id"],
            name=op.f("fk_imports_account_id_operations"),
        ),
        sa.PrimaryKeyConstraint("account_id", "id", name=op.f("pk_imports")),
    )
    op.create_table(
        "import_errors",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", _ID, nullable=False),
        sa.Column("file_index", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False, comment="the row's first line in its file"),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("cells", _JSON, nullable=False, comment="the row as read"),
        sa.PrimaryKeyConstraint(
            "account_id", "import_id", "file_index", "line", name=op.f("pk_import_errors")
        ),
    )
    op.create_table(
        "import_keys",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("import_id", _ID, nullable=False),
        sa.Column("type_id", sa.String(length=20), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("record_id", _ID, nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id", "import_id", "type_id", "key", name=op.f("pk_import_keys")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("import_keys")
    op.drop_table("import_errors")
    op.drop_table("imports")

"""Contacts by email: an index on a contact's lowered email, which an import matches its rows'
existing contacts with (decision 0020; companies by domain have theirs since 0011)

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Spelled as `tables.CONTACT_EMAIL` compiles: an index on an expression serves only a query
# that writes the very same expression.
_EMAIL = {
    "sqlite": "lower(json_extract(properties, '$.email'))",
    "postgresql": "lower((properties ->> 'email'))",
}


def upgrade() -> None:
    email = _EMAIL[op.get_bind().dialect.name]
    op.execute(
        "CREATE INDEX ix_records_contact_email ON records (account_id, archived, "
        f"{email}) WHERE type_id = '0-1'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_records_contact_email")

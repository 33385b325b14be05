"""Companies by domain: indexes on a company's lowered domain and on its additional domains
(association by domain, L4; decision 0017)

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Spelled as `storage/domain_settings.py` spells its reads: an index on an expression serves only
# a query that writes the very same expression. `archived` makes SQLite prefer them to
# ix_records_type without planner statistics.
_PROPERTY = {
    "sqlite": "json_extract(properties, '$.{}')",
    "postgresql": "(properties ->> '{}')",
}
_INDEXES = {
    "ix_records_company_domain": "lower({domain})",
    "ix_records_company_additional_domains": "{additional}",
}


def upgrade() -> None:
    spell = _PROPERTY[op.get_bind().dialect.name]
    domain, additional = spell.format("domain"), spell.format("hs_additional_domains")
    for name, expression in _INDEXES.items():
        indexed = expression.format(domain=domain, additional=additional)
        op.execute(
            f"CREATE INDEX {name} ON records (account_id, archived, {indexed}) WHERE type_id = '0-2'"
        )


def downgrade() -> None:
    for name in _INDEXES:
        op.execute(f"DROP INDEX {name}")

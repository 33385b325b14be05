"""The association-by-domain setting (L4) and the companies a domain names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, not_, or_, select

from liaison.domain.email_domains import company_domains
from liaison.domain.object_types import COMPANIES
from liaison.storage import bulk
from liaison.storage.tables import domain_settings, records

_CHUNK = 500


def load(conn: Connection, account_id: int) -> Any | None:
    """The account's row (enabled, create_companies, excluded_domains), or None: the defaults."""
    s = domain_settings.c
    return conn.execute(
        select(s.enabled, s.create_companies, s.excluded_domains).where(s.account_id == account_id)
    ).first()


def save(
    conn: Connection,
    account_id: int,
    *,
    enabled: bool,
    create_companies: bool,
    excluded_domains: list[str],
    now: int,
) -> None:
    conn.execute(delete(domain_settings).where(domain_settings.c.account_id == account_id))
    bulk.insert(
        conn,
        domain_settings,
        ("account_id", "enabled", "create_companies", "excluded_domains", "updated_at"),
        [(account_id, enabled, create_companies, excluded_domains, now)],
    )


def companies_by_domain(
    conn: Connection, account_id: int, domains: Sequence[str]
) -> dict[str, int]:
    """The live company each domain names (its domain or one of its additional domains), the
    oldest when several do. Reads the companies whose domain is one of `domains` (in chunks)
    and those with additional domains."""
    r = records.c
    domain = func.lower(r.properties["domain"].as_string())
    additional = r.properties["hs_additional_domains"].as_string()
    wanted = set(domains)
    found: dict[str, int] = {}
    chunks = [list(domains[i : i + _CHUNK]) for i in range(0, len(domains), _CHUNK)] or [[]]
    for index, chunk in enumerate(chunks):
        spelled = chunk + [f"www.{d}" for d in chunk]
        condition: ColumnElement[bool] = domain.in_(spelled)
        if index == 0:  # companies with additional domains: read once
            condition = or_(condition, func.coalesce(additional, "") != "")
        rows = conn.execute(
            select(r.id, r.properties["domain"].as_string(), additional)
            .where(
                r.account_id == account_id,
                r.type_id == COMPANIES,
                not_(r.archived),
                condition,
            )
            .order_by(r.id)
        )
        for company_id, main, extra in rows:
            for name in company_domains(main, extra) & wanted:
                if name not in found or company_id < found[name]:
                    found[name] = company_id
    return found

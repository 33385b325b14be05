"""The association-by-domain setting (L4) and the companies a domain names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Text,
    and_,
    bindparam,
    delete,
    literal_column,
    not_,
    null,
    select,
    union_all,
)

from liaison.domain.email_domains import company_domains
from liaison.domain.graph import RecordInfo
from liaison.domain.object_types import COMPANIES, CONTACTS
from liaison.storage import bulk, fetch
from liaison.storage.tables import (
    COMPANY_ADDITIONAL_DOMAINS,
    COMPANY_DOMAIN,
    COMPANY_ROWS,
    TextProperty,
    associations,
    domain_settings,
    records,
)


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


def live_contact_ids(conn: Connection, account_id: int) -> list[int]:
    """The IDs of the account's live contacts, ascending (the run's snapshot)."""
    return [int(i) for (i,) in fetch.seen_rows(conn, _CONTACT_IDS, {"account": account_id})]


class ContactsToMatch(NamedTuple):
    emails: dict[int, str | None]
    """Each live contact's email (None when it has none)."""
    unattached: dict[int, RecordInfo]
    """The live contacts with no association with a company, as the rules know a record (they
    hold no primary company)."""
    associated: set[tuple[int, int]]
    """The (contact, company) pairs the others are in."""


def contacts_to_match(conn: Connection, account_id: int, ids: Iterable[int]) -> ContactsToMatch:
    """These contacts, those that are live: one statement, each contact joined to its
    association rows with companies (found by the primary key's prefix)."""
    params = {"account": account_id, "ids": bulk.id_list(conn, ids)}
    found = ContactsToMatch({}, {}, set())
    for contact, name, merged_into, email, company in fetch.seen_rows(
        conn, _EMAILS_AND_COMPANIES[conn.dialect.name], params
    ):
        found.emails[contact] = email
        if company is None:
            info = (contact, CONTACTS, name, False, merged_into)
            found.unattached[contact] = _new_tuple(RecordInfo, info)
        else:
            found.associated.add((int(contact), int(company)))
    return found


def companies_by_domain(
    conn: Connection, account_id: int, domains: Sequence[str]
) -> dict[str, RecordInfo]:
    """The live company each domain names (its domain or one of its additional domains), the
    oldest when several do, as the rules know a record. One statement: the companies whose
    lowered domain is one of `domains` (or `www.` one), and those with additional domains, each
    found by its index (`tables.COMPANY_DOMAIN`)."""
    spelled = bulk.id_list(conn, [*domains, *(f"www.{d}" for d in domains)])
    rows = fetch.seen_rows(
        conn, _COMPANIES[conn.dialect.name], {"account": account_id, "domains": spelled}
    )
    wanted = set(domains)
    found: dict[str, RecordInfo] = {}
    for company_id, name, merged_into, main, extra in rows:
        for domain in company_domains(main, extra) & wanted:
            if domain not in found or company_id < found[domain].id:
                found[domain] = RecordInfo(company_id, COMPANIES, name, False, merged_into)
    return found


def associated_pairs(
    conn: Connection, account_id: int, pairs: Iterable[tuple[int, int]]
) -> set[tuple[int, int]]:
    """Which of these (contact, company) pairs are associated: one primary-key lookup each."""
    keys = [(contact, COMPANIES, company) for contact, company in pairs]
    rows = bulk.lookup(conn, associations, ("from_id", "to_id"), account_id, keys)
    return {(int(contact), int(company)) for contact, company in rows}


_r = records.c
_INFO = (_r.id, _r.name, _r.merged_into)
"""What the rules know of a live record besides its type (`RecordInfo`)."""
_new_tuple = tuple.__new__
_DIALECTS = ("sqlite", "postgresql")
_CONTACT_IDS = (
    select(_r.id)
    .where(_r.account_id == bindparam("account"), _r.type_id == CONTACTS, not_(_r.archived))
    .order_by(_r.id)
)
_a = associations.c
_EMAILS_AND_COMPANIES = {
    dialect: select(*_INFO, TextProperty("email"), _a.to_id)
    .select_from(
        records.outerjoin(
            associations,
            and_(
                _a.account_id == _r.account_id,
                _a.from_id == _r.id,
                _a.to_type == literal_column(f"'{COMPANIES}'"),
            ),
        )
    )
    .where(
        _r.account_id == bindparam("account"),
        bulk.listed(dialect, _r.id, "ids"),
        _r.type_id == CONTACTS,
        not_(_r.archived),
    )
    for dialect in _DIALECTS
}
_LIVE_COMPANY = (_r.account_id == bindparam("account"), COMPANY_ROWS, not_(_r.archived))
_COMPANIES = {
    dialect: union_all(
        # The lowered domain, not the properties' other values: the rows' JSON is parsed once.
        select(*_INFO, COMPANY_DOMAIN, null()).where(
            *_LIVE_COMPANY, bulk.listed(dialect, COMPANY_DOMAIN, "domains", of=Text)
        ),
        select(*_INFO, TextProperty("domain"), COMPANY_ADDITIONAL_DOMAINS).where(
            *_LIVE_COMPANY, literal_column("''") < COMPANY_ADDITIONAL_DOMAINS
        ),
    )
    for dialect in _DIALECTS
}
"""Prebuilt for `fetch`: the companies a list of domains may name."""

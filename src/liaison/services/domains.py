"""Association by domain (L4): a contact whose email's domain names a company is associated
with it (its primary company when it has none), source DOMAIN_AUTO; optionally the company is
created. Runs in the transaction that creates the contact or changes its email."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from liaison.domain import email_domains
from liaison.domain.graph import RecordInfo
from liaison.domain.history import Change, Source
from liaison.domain.object_types import COMPANIES, CONTACTS
from liaison.services import associations
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import domain_settings as store
from liaison.storage import records as records_store
from liaison.storage.associations import AlreadyAssociated, Needs, load_graph


@dataclass(frozen=True)
class DomainSettings:
    enabled: bool = True
    create_companies: bool = False
    excluded_domains: tuple[str, ...] = ()

    def applies_to(self, domain: str) -> bool:
        """Neither a free-mail domain nor one the account excluded."""
        return domain not in email_domains.FREE_MAIL_DOMAINS and domain not in self.excluded_domains


@dataclass(frozen=True)
class DomainRun:
    """What a run did: associations made, companies created."""

    associated: int
    companies_created: int


def get_settings(database: Database, caller: Caller) -> DomainSettings:
    with reading(database, caller) as unit:
        return _settings(unit)


def set_settings(
    database: Database,
    caller: Caller,
    *,
    enabled: bool,
    create_companies: bool,
    excluded_domains: Iterable[object],
) -> DomainSettings:
    """Change the setting; each excluded domain must be a domain name (INVALID_INPUT)."""
    excluded = email_domains.parse_domains(excluded_domains)
    with unit_of_work(database, caller, "domain-settings") as unit:
        store.save(
            unit.conn,
            unit.account_id,
            enabled=enabled,
            create_companies=create_companies,
            excluded_domains=excluded,
            now=unit.now,
        )
        return _settings(unit)


def associate_by_domain(
    database: Database, caller: Caller, contact_ids: Sequence[int]
) -> DomainRun:
    """L4 over existing contacts (the retroactive run a job makes in chunks): each contact is
    associated with the company its email's domain names, per the account's exclusions and
    "create companies" option, whether the setting is on or not (running it is the ask).
    Never removes or replaces an association; a contact already associated stays as it is."""
    with unit_of_work(database, caller, "domain-association", source=Source.DOMAIN_AUTO) as unit:
        return associate_existing(unit, contact_ids)


def associate_existing(unit: Unit, contact_ids: Sequence[int]) -> DomainRun:
    """`associate_by_domain` in a unit of the caller's (a chunk of the retroactive run's job)."""
    found = store.contacts_to_match(unit.conn, unit.account_id, contact_ids)
    return _associate(unit, _settings(unit), found.emails, found.associated, found.unattached)


def on_contacts_written(unit: Unit, emails: Mapping[int, object]) -> None:
    """The hook for contact creation and email changes (contact ID -> its email as written):
    L4 when the setting is on."""
    if not any(email_domains.of_email(str(e or "")) for e in emails.values()):
        return
    settings = _settings(unit)
    if settings.enabled:
        _associate(unit, settings, {i: str(e or "") for i, e in emails.items()})


def _settings(unit: Unit) -> DomainSettings:
    row = store.load(unit.conn, unit.account_id)
    if row is None:
        return DomainSettings()
    return DomainSettings(row.enabled, row.create_companies, tuple(row.excluded_domains))


def _associate(
    unit: Unit,
    settings: DomainSettings,
    emails: Mapping[int, str | None],
    associated: set[tuple[int, int]] | None = None,
    unattached: Mapping[int, RecordInfo] | None = None,
) -> DomainRun:
    """Associate each live contact (ID -> email) with its domain's company, unless they are
    associated already (`associated`: the contacts' pairs with companies, read here when not
    given; `unattached`: contacts known to have no company, not read again): set-wise, or pair
    by pair where a rule may refuse one (a limit)."""
    domain_of: dict[int, str] = {}
    for contact_id, email in emails.items():
        domain = email_domains.of_email(email)
        if domain and settings.applies_to(domain):
            domain_of[contact_id] = domain
    if not domain_of:
        return DomainRun(0, 0)
    domains = sorted(set(domain_of.values()))
    companies = store.companies_by_domain(unit.conn, unit.account_id, domains)
    created = _create_companies(unit, [d for d in domains if d not in companies], settings)
    companies.update(created)
    matched = {c: companies[d].id for c, d in domain_of.items() if d in companies}
    if associated is None:
        associated = store.associated_pairs(unit.conn, unit.account_id, matched.items())
    new = [c for c, k in matched.items() if (c, k) not in associated]
    if not new:
        return DomainRun(0, len(created))
    details = {
        d: {"reason": email_domains.reason(d, d in created), "domain": d}
        for d in {domain_of[c] for c in new}
    }
    wanted = [(c, matched[c], details[domain_of[c]]) for c in sorted(new)]
    known = {company.id: company for company in companies.values()}
    known.update(unattached or {})
    return DomainRun(_write(unit, wanted, known), len(created))


def _write(
    unit: Unit,
    wanted: Sequence[tuple[int, int, dict[str, str]]],
    known: Mapping[int, RecordInfo],
) -> int:
    """Make these new (contact, company) associations, with their history detail; how many.
    `known`: the companies as read or made here, and contacts with no company (not read
    again)."""
    inputs = [AssociationInput(contact, company) for contact, company, _ in wanted]
    try:
        with unit.conn.begin_nested():
            done = associations.associate_new(
                unit,
                inputs,
                (CONTACTS, COMPANIES),
                source=Source.DOMAIN_AUTO,
                details=[detail for _, _, detail in wanted],
                given=known,
            )
        if done is not None:
            return len(done.links)
    except AlreadyAssociated:
        pass
    return _write_pair_by_pair(unit, wanted)


def _write_pair_by_pair(unit: Unit, wanted: Sequence[tuple[int, int, dict[str, str]]]) -> int:
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(
            records={c for c, _, _ in wanted} | {k for _, k, _ in wanted},
            pairs={(c, k) for c, k, _ in wanted},
            holder_links=True,
        ),
    )
    planner = unit.planner(graph, source=Source.DOMAIN_AUTO)
    for contact, company, detail in wanted:
        planner.detail = detail
        planner.attempt(planner.associate_plain, contact, company)
    unit.save(planner)
    return sum(1 for e in planner.events if e.change is Change.CREATED)


def _create_companies(
    unit: Unit, domains: Sequence[str], settings: DomainSettings
) -> dict[str, RecordInfo]:
    """With "create companies" on, one company per domain no company has, named by it."""
    if not settings.create_companies or not domains:
        return {}
    kind = unit.schema.object_types[COMPANIES]
    values = [kind.validate_new({"domain": d}) for d in domains]
    names = [kind.display_name(v) for v in values]
    ids = records_store.insert_many(
        unit.conn, unit.account_id, COMPANIES, list(zip(values, names, strict=True)), now=unit.now
    )
    return {
        domain: RecordInfo(company_id, COMPANIES, name)
        for domain, company_id, name in zip(domains, ids, names, strict=True)
    }

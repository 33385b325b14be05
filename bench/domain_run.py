"""The run of association by domain over existing contacts (L4): `contacts` contacts and
`companies` companies, next to the bare SQL join that finds the same matches.

Liaison: the run as the product makes it, end to end: `domain_run.start` (the job over the
contacts' IDs) and the job runner with its default settings running it chunk by chunk (each
chunk one transaction with the job's cursor and progress, history rows with source
DOMAIN_AUTO, the primary company of each contact that has none, P3). The floor: one statement
on Liaison's own tables joining each live contact's lowered email domain to the live company
with that domain or additional domain, leaving out excluded domains and the pairs already
associated; then the two direction rows of each pair it found inserted into `bare_associations`
in one transaction, as the bulk benchmark's floor does. Both must find the same pairs.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass

from rich.console import Console

from bench import dataset
from bench.bare import BareStore
from bench.results import Result
from liaison.domain.object_types import COMPANIES, CONTACTS
from liaison.services import associations, domain_run, domains, jobs
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.jobs import State
from liaison.services.unit import Caller
from liaison.storage.clock import now_micros

FULL_CONTACTS = 100_000
FULL_COMPANIES = 10_000
GOAL = ">= 0.25"
FLOOR_RUNS = 3
EXCLUDED = "excluded.example"
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
ADDITIONAL_EVERY = 5
"""Every fifth company has an additional domain."""
_BATCH = 5_000

_PAIRS = """
SELECT c.id, k.id FROM records c JOIN records k
    ON k.account_id = c.account_id AND k.type_id = '0-2' AND k.archived = {false}
    AND {company_domain} = {email_domain}
WHERE c.account_id = ? AND c.type_id = '0-1' AND c.archived = {false}
    AND {email_domain} <> ?
    AND NOT EXISTS (
        SELECT 1 FROM associations a
        WHERE a.account_id = c.account_id AND a.from_id = c.id AND a.to_type = '0-2'
            AND a.to_id = k.id
    )
"""
_SPELLING = {
    # The very expressions of Liaison's company domain indexes (migration 0011), so the floor
    # gets them too.
    "sqlite": {
        "false": "0",
        "domain": "lower(json_extract(k.properties, '$.domain'))",
        "additional": "json_extract(k.properties, '$.hs_additional_domains')",
        "email_domain": "lower(substr(json_extract(c.properties, '$.email'), "
        "instr(json_extract(c.properties, '$.email'), '@') + 1))",
    },
    "postgresql": {
        "false": "false",
        "domain": "lower(k.properties ->> 'domain')",
        "additional": "(k.properties ->> 'hs_additional_domains')",
        "email_domain": "lower(split_part(c.properties ->> 'email', '@', 2))",
    },
}


@dataclass(frozen=True)
class Sizes:
    contacts: int
    companies: int

    @classmethod
    def at_scale(cls, scale: float) -> Sizes:
        return cls(
            max(1_000, round(FULL_CONTACTS * scale)),
            max(100, round(FULL_COMPANIES * scale)),
        )


def run(
    database: Database, caller: Caller, bare: BareStore, sizes: Sizes, *, store: str, out: Console
) -> list[Result]:
    _fill(database, caller, sizes)
    bare.settle()
    before = _company_pairs(bare)
    floor_pairs: set[tuple[int, int]] = set()
    floor_times: list[float] = []
    for _ in range(FLOOR_RUNS):
        bare.query("DELETE FROM bare_associations")
        started = time.perf_counter()
        floor_pairs = set(_floor(bare, caller.account_id))
        floor_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    job = domain_run.start(database, caller)
    Runner(database, JobSettings()).run_pending()
    liaison_time = time.perf_counter() - started
    _check(database, caller, bare, job.id, before, floor_pairs)
    floor_time = statistics.median(floor_times)
    n = sizes.contacts
    out.print(
        f"  {store}: domain run over {n:,} contacts ({len(floor_pairs):,} associations): "
        f"Liaison {liaison_time:.2f} s ({n / liaison_time:,.0f}/s), floor {floor_time:.2f} s "
        f"({n / floor_time:,.0f}/s, median of {FLOOR_RUNS})"
    )
    name = f"domain run over {n:,} contacts, {sizes.companies:,} companies"
    return [Result.throughput(name, store, n / liaison_time, n / floor_time, GOAL, "contacts/s")]


def _check(
    database: Database,
    caller: Caller,
    bare: BareStore,
    job_id: int,
    before: set[tuple[int, int]],
    floor_pairs: set[tuple[int, int]],
) -> None:
    """The job is done and made exactly the floor's pairs, each with its history row (source
    DOMAIN_AUTO), and a Primary for each contact that had no company (P3)."""
    done = jobs.get(database, caller, job_id)
    made = _company_pairs(bare) - before
    if done.state is not State.DONE or made != floor_pairs:
        raise RuntimeError(
            f"domain run: the job is {done.state.value} and made {len(made):,} associations; "
            f"the floor found {len(floor_pairs):,} pairs ({len(made ^ floor_pairs):,} differ)"
        )
    counted: Counter[tuple[str, str]] = Counter()
    for change, source, rows, shared in bare.query(
        "SELECT change, source, count(*), count(primary_type_id) FROM association_history "
        "WHERE operation_id = ? GROUP BY change, source",
        (job_id,),
    ):
        counted[change, source] += rows
        counted["PRIMARY_SET", source] += shared  # a CREATED row that is its PRIMARY_SET too
    changes = [(change, source, count) for (change, source), count in counted.items() if count]
    had_company = {contact for contact, _ in before}
    expected = {
        ("CREATED", "DOMAIN_AUTO", len(made)),
        ("PRIMARY_SET", "DOMAIN_AUTO", len({c for c, _ in made} - had_company)),
    }
    if set(map(tuple, changes)) != expected or done.result["associated"] != len(made):
        raise RuntimeError(f"domain run: history {changes}, result {done.result}")


def _fill(database: Database, caller: Caller, sizes: Sizes) -> None:
    """With association by domain off (so the run has everything to do): the companies, one of
    them with the excluded domain; the contacts (see `_email`); and a tenth of the contacts
    matching a company already associated, half with that very company, half with another."""
    domains.set_settings(
        database, caller, enabled=False, create_companies=False, excluded_domains=[EXCLUDED]
    )
    companies = dataset.create(
        database, caller, "companies", [_company(i) for i in range(sizes.companies)]
    )
    dataset.create(database, caller, "companies", [{"name": "Excluded", "domain": EXCLUDED}])
    people = dataset.create(
        database, caller, "contacts", [_person(i, sizes.companies) for i in range(sizes.contacts)]
    )
    n = sizes.companies
    inputs = [  # shares 0-4: their own company; 5-9: the next one
        AssociationInput(person, companies[(_company_of(i, n) + i % 100 // 5) % n])
        for i, person in enumerate(people)
        if i % 100 < 10
    ]
    for start in range(0, len(inputs), _BATCH):
        associations.associate(database, caller, inputs[start : start + _BATCH]).check()


def _company(i: int) -> dict[str, str]:
    values = {"name": f"Company {i}", "domain": f"company{i}.example"}
    if i % ADDITIONAL_EVERY == 0:
        values["hs_additional_domains"] = f"company{i}.example.org"
    return values


def _company_of(i: int, companies: int) -> int:
    return i * 7 % companies


def _person(i: int, companies: int) -> dict[str, str]:
    """Per hundred contacts: 75 at their company's domain (some spelled in capitals), 5 at a
    company's additional domain, 8 at free-mail domains, 6 at domains no company has, 1 without
    an email, 5 at the excluded domain."""
    share, company = i % 100, _company_of(i, companies)
    if share < 75:
        host = f"Company{company}.Example" if i % 3 == 0 else f"company{company}.example"
    elif share < 80:
        host = f"company{company // ADDITIONAL_EVERY * ADDITIONAL_EVERY}.example.org"
    elif share < 88:
        host = FREE_MAIL[i % len(FREE_MAIL)]
    elif share < 94:
        host = f"nobody{i % 500}.example"
    elif share < 95:
        return {"firstname": "Person", "lastname": str(i)}
    else:
        host = EXCLUDED
    return {"email": f"p{i}@{host}", "firstname": "Person", "lastname": str(i)}


def _floor(bare: BareStore, account: int) -> list[tuple[int, int]]:
    """The pairs the join finds (a company's domain, then its additional domain), and their
    two direction rows inserted in one transaction."""
    spelling = _SPELLING["postgresql" if bare.is_postgres else "sqlite"]
    pairs: list[tuple[int, int]] = []
    for company_domain in (spelling["domain"], spelling["additional"]):
        sql = _PAIRS.format(
            false=spelling["false"],
            company_domain=company_domain,
            email_domain=spelling["email_domain"],
        )
        pairs += bare.query(sql, (account, EXCLUDED))
    now = now_micros()
    bare.insert(
        [
            row
            for contact, company in pairs
            for row in (
                (account, contact, COMPANIES, company, now),
                (account, company, CONTACTS, contact, now),
            )
        ]
    )
    return pairs


def _company_pairs(bare: BareStore) -> set[tuple[int, int]]:
    rows = bare.query(
        "SELECT a.from_id, a.to_id FROM associations a JOIN records r "
        "ON r.account_id = a.account_id AND r.id = a.from_id "
        "WHERE a.to_type = ? AND r.type_id = ?",
        (COMPANIES, CONTACTS),
    )
    return {(int(f), int(t)) for f, t in rows}

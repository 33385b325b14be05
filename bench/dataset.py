"""The data both sides work on, made through Liaison's services (never timed).

Bulk: `pairs` contact-company pairs. Every contact has `PER_CONTACT` companies from a pool of
`pool` companies, its first one becoming its primary (P3); contacts are created just before
the batches that use them, so a run cut short by its time budget does not make them all.

Reads: one company associated with `hot` deals in a single `associate` call on a fresh
database, each deal also associated with another company. Deals get no automatic primary, so
the company has exactly `hot` associations to deals and exactly `hot` history rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from liaison.services import associations, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.records import NewRecord
from liaison.services.unit import Caller

PER_CONTACT = 5
BATCH_PAIRS = 2_000
FULL_PAIRS = 1_000_000
FULL_HOT = 100_000
FULL_POOL = 10_000
_CREATE_CHUNK = 5_000
_OTHERS = 1_000
"""The companies that share the read benchmarks' tables with the hot company."""
_CONTACTS_AHEAD = 10
"""Contacts are made for this many batches at a time."""

Pair = tuple[int, int]


@dataclass(frozen=True)
class Layout:
    """How many of everything, at a given scale (1.0 = the sizes in the goals)."""

    pairs: int
    hot: int
    pool: int

    @classmethod
    def at_scale(cls, scale: float) -> Layout:
        pairs = max(BATCH_PAIRS, round(FULL_PAIRS * scale) // BATCH_PAIRS * BATCH_PAIRS)
        hot = max(1_000, round(FULL_HOT * scale))
        pool = max(PER_CONTACT * 2, round(FULL_POOL * scale))
        return cls(pairs, hot, pool)

    @property
    def contacts(self) -> int:
        return self.pairs // PER_CONTACT


def companies(database: Database, caller: Caller, count: int) -> list[int]:
    return create(
        database,
        caller,
        "companies",
        [{"name": f"Company {i}", "domain": f"company{i}.example"} for i in range(count)],
    )


def bulk_batches(
    database: Database, caller: Caller, layout: Layout, pool: Sequence[int]
) -> Iterator[list[Pair]]:
    """Batches of (contact, company) pairs, contact by contact, first company first."""
    per_batch = BATCH_PAIRS // PER_CONTACT
    step = len(pool) // PER_CONTACT
    for first in range(0, layout.contacts, per_batch * _CONTACTS_AHEAD):
        count = min(per_batch * _CONTACTS_AHEAD, layout.contacts - first)
        contacts = create(database, caller, "contacts", [_person(first + i) for i in range(count)])
        for start in range(0, count, per_batch):
            yield [
                (contact, pool[(first + start + i + j * step) % len(pool)])
                for i, contact in enumerate(contacts[start : start + per_batch])
                for j in range(PER_CONTACT)
            ]


def hot_company(database: Database, caller: Caller, layout: Layout) -> int:
    """A company with `layout.hot` deals, among other companies' deals and history.

    Each deal is associated with the hot company and with one of `_OTHERS` other companies,
    alternately, in one service call: the hot company's rows are then half of each table and
    spread through it, as in a database holding more than this one record.
    """
    hot, *others = companies(database, caller, 1 + _OTHERS)
    deals = create(
        database, caller, "deals", [{"dealname": f"Deal {i}"} for i in range(layout.hot)]
    )
    inputs = [
        AssociationInput(deal, company)
        for i, deal in enumerate(deals)
        for company in (hot, others[i % _OTHERS])
    ]
    result = associations.associate(database, caller, inputs)
    if result.errors:
        raise RuntimeError(f"Liaison refused to associate the deals: {result.errors[0].error}")
    return hot


def create(
    database: Database, caller: Caller, object_type: str, properties: Sequence[dict[str, str]]
) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(properties), _CREATE_CHUNK):
        chunk = [NewRecord(p) for p in properties[start : start + _CREATE_CHUNK]]
        ids += [r.id for r in records.create_many(database, caller, object_type, chunk)]
    return ids


def _person(i: int) -> dict[str, str]:
    return {"email": f"person{i}@example.com", "firstname": "Person", "lastname": str(i)}

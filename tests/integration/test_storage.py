"""Storage: migrations build the schema, reads cost a fixed number of indexed queries (A9)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event

from liaison.domain.history import Actor
from liaison.services import associations as assoc
from liaison.services import history, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage.tables import metadata
from tests.helpers import company, contact, types_between


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.filterwarnings(  # SQLite's expression indexes cannot be reflected, so not compared
    "ignore:Skipped unsupported reflection of expression-based index",
    "ignore:autogenerate skipping metadata-specified expression-based index",
)
def test_migrations_build_exactly_the_tables_in_code(db: Database) -> None:
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_a9_a_page_costs_the_same_queries_whatever_the_total(db: Database, me: Caller) -> None:
    small, big = company(db, me, "Small"), company(db, me, "Big")
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(600)]
    )
    assoc.associate(db, me, [Link(small.id, p.id) for p in people[:3]]).check()
    assoc.associate(db, me, [Link(big.id, p.id) for p in people]).check()
    costs = []
    for record, after in ((small.id, 0), (big.id, 0), (big.id, people[400].id)):
        with counted(db) as statements:
            assoc.list_associations(db, me, "companies", record, "contacts", after=after, limit=100)
        costs.append(len(statements))
    assert costs[0] == costs[1] == costs[2]


def test_h3_a_history_page_costs_the_same_queries_whatever_the_total(
    db: Database, me: Caller
) -> None:
    small, big = company(db, me, "Small"), company(db, me, "Big")
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(300)]
    )
    assoc.associate(db, me, [Link(small.id, p.id) for p in people[:3]]).check()
    assoc.associate(db, me, [Link(big.id, p.id) for p in people]).check()
    costs = []
    for record in (small.id, big.id):
        with counted(db) as statements:
            history.record_history(db, me, "companies", record, limit=50)
        costs.append(len(statements))
    assert costs[0] == costs[1]


def test_a9_a_batch_costs_a_few_statements_not_one_per_input(db: Database, me: Caller) -> None:
    acme = company(db, me)
    few = records.create_many(db, me, "contacts", [records.NewRecord({}) for _ in range(5)])
    many = records.create_many(db, me, "contacts", [records.NewRecord({}) for _ in range(500)])
    costs = []
    for people in (few, many):
        with counted(db) as statements:
            assoc.associate(db, me, [Link(p.id, acme.id) for p in people]).check()
        costs.append(len(statements))
    assert costs[1] <= costs[0] + 2  # executemany may be split into a couple of round trips


def test_p1_concurrent_writers_keep_one_primary(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    companies = [company(db, me, f"C{i}") for i in range(6)]
    assoc.associate(db, me, [Link(ann.id, c.id) for c in companies]).check()
    errors: list[Exception] = []

    def choose(company_id: int) -> None:
        try:
            for _ in range(5):
                assoc.set_primary(db, Caller(1, Actor.user("u", "U")), ann.id, company_id)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=choose, args=(c.id,)) for c in companies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    primaries = [c.id for c in companies if 1 in (types_between(db, me, ann.id, c.id) or set())]
    assert len(primaries) == 1

"""Storage: migrations build the schema, reads cost a fixed number of indexed queries (A9)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event

from liaison.domain.history import Actor
from liaison.services import associations as assoc
from liaison.services import domains, history, records
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
        dialect = conn.dialect.name

        def made_here(item: Any, *_: Any) -> bool:  # an index may be for one dialect (ddl_if)
            only = getattr(item, "_ddl_if", None)
            return only is None or only.dialect in (None, dialect)

        context = MigrationContext.configure(conn, opts={"include_object": made_here})
        differences = compare_metadata(context, metadata)
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


def _people_at(db: Database, me: Caller, count: int, domain: str) -> list[int]:
    new = [records.NewRecord({"email": f"p{i}@{domain}"}) for i in range(count)]
    return [r.id for r in records.create_many(db, me, "contacts", new)]


def test_l4_a_run_by_domain_costs_the_same_statements_for_few_and_many_contacts(
    db: Database, me: Caller
) -> None:
    domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
    company(db, me, "Acme", domain="acme.com")
    company(db, me, "Beta", domain="beta.com")
    few, many = _people_at(db, me, 5, "acme.com"), _people_at(db, me, 500, "beta.com")
    costs = []
    for people in (few, many):
        with counted(db) as statements:
            assert domains.associate_by_domain(db, me, people).associated == len(people)
        costs.append(len(statements))
    assert costs[1] <= costs[0] + 2  # executemany may be split into a couple of round trips


def test_l4_companies_are_found_by_their_domain_indexes(db: Database, me: Caller) -> None:
    """The reads spell the indexed expressions exactly (tables.COMPANY_DOMAIN), or no index
    on an expression would serve them."""
    domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
    company(db, me, "Acme", domain="acme.com", hs_additional_domains="acme.org")
    people = _people_at(db, me, 2, "acme.org")
    seen: list[tuple[str, Any]] = []

    def keep(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if "hs_additional_domains" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert domains.associate_by_domain(db, me, people).associated == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = seen
    indexes = ("ix_records_company_domain", "ix_records_company_additional_domains")
    for index, other in (indexes, indexes[::-1]):
        assert index in _plan(db, statement, parameters, without=other)


def _plan(db: Database, statement: str, parameters: Any, *, without: str) -> str:
    """The statement's plan without one index (a tiny table lets PostgreSQL take either for
    both halves), as for a big table (no sequential scan); the index is back afterwards."""
    with db.engine.connect() as conn, conn.begin() as transaction:
        conn.exec_driver_sql(f"DROP INDEX {without}")
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        else:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        transaction.rollback()
    return "\n".join(str(row[-1]) for row in rows)

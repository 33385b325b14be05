"""No N+1 in the web UI: a page's SQL statement count does not grow with what it shows."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liaison.services import associations, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.users import User
from tests.helpers import company, contact, deal, ticket
from tests.web.conftest import Counter


def _page_statements(web: TestClient, counted: Counter, path: str) -> int:
    def load() -> None:
        assert web.get(path).status_code == 200

    load()  # warm caches (the schema) so both counts are taken alike
    return counted.during(load)


def test_record_page_statements_do_not_grow_with_its_associations(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    few = contact(db, ann.caller, "Few")
    many = contact(db, ann.caller, "Many")
    acme = company(db, ann.caller, "Acme")
    associations.associate(db, ann.caller, [AssociationInput(few.id, acme.id)]).check()
    others = records.create_many(
        db, ann.caller, "companies", [records.NewRecord({"name": f"C{i}"}) for i in range(15)]
    )
    deals = [deal(db, ann.caller, f"D{i}") for i in range(4)]
    tickets = [ticket(db, ann.caller, f"T{i}") for i in range(3)]
    people = records.create_many(
        db, ann.caller, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(12)]
    )
    targets = [acme, *others, *deals, *tickets, *people]
    associations.associate(
        db, ann.caller, [AssociationInput(many.id, t.id) for t in targets]
    ).check()

    one = _page_statements(web, counted, f"/app/contacts/{few.id}")
    lots = _page_statements(web, counted, f"/app/contacts/{many.id}")
    assert lots == one, counted.statements
    assert any("associations" in s for s in counted.statements)  # the listener sees them


def test_index_page_statements_do_not_grow_with_its_rows(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    contact(db, ann.caller, "Only")
    one = _page_statements(web, counted, "/app/contacts?sort=name")
    records.create_many(
        db, ann.caller, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(40)]
    )
    full = _page_statements(web, counted, "/app/contacts?sort=name")
    assert full == one, counted.statements
    assert 0 < full <= 8, counted.statements

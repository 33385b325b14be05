"""No N+1 on index pages with association columns (U4): the statement count of a page with 4
association columns and the Primary company column is the same for 50 rows as for 5, and the
cells and the primary companies come from one statement for all columns."""

from __future__ import annotations

from dataclasses import fields

from fastapi.testclient import TestClient

from liaison.domain.records import Record
from liaison.services import associations, browse, records
from liaison.services.associations import AssociationInput
from liaison.services.browse import IndexColumns, IndexQuery
from liaison.services.database import Database
from liaison.services.users import User
from tests.helpers import company, deal, ticket
from tests.web.conftest import Counter

COLUMNS = "cols=assoc:companies,assoc:contacts,assoc:deals,assoc:tickets,primary:companies"


def _statements(web: TestClient, counted: Counter, path: str, rows: int) -> int:
    def load() -> None:
        page = web.get(path)
        assert page.status_code == 200
        assert page.text.count('<th scope="row">') == rows

    load()  # warm caches (the schema) so both counts are taken alike
    return counted.during(load)


def _people(db: Database, user: User, count: int, start: int) -> list[int]:
    made = records.create_many(
        db,
        user.caller,
        "contacts",
        [records.NewRecord({"firstname": f"P{start + i:03}"}) for i in range(count)],
    )
    return [r.id for r in made]


def test_u4_index_statements_do_not_grow_with_rows_or_association_columns(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    me = ann.caller
    acme, globex = company(db, me, "Acme"), company(db, me, "Globex")
    big, broken = deal(db, me, "Big"), ticket(db, me, "Broken")
    colleague = records.create(db, me, "contacts", {"firstname": "Zed"}).id

    def associate_all(people: list[int]) -> None:
        inputs = [
            AssociationInput(p, t)
            for p in people
            for t in (acme.id, globex.id, big.id, broken.id, colleague)
        ]
        associations.associate(db, me, inputs).check()

    few = _people(db, ann, 4, 0)
    associate_all(few)
    path = f"/app/contacts?sort=name&dir=asc&{COLUMNS}"
    four = _statements(web, counted, path + "&q=p", 4)
    associate_all(_people(db, ann, 60, 4))
    full = _statements(web, counted, path + "&q=p", 25)
    assert full == four, counted.statements
    cells = [s for s in counted.statements if "GROUP BY from_id, to_type" in s]
    assert len(cells) == 1, counted.statements  # all four association columns at once
    bare = _statements(web, counted, "/app/contacts?sort=name&dir=asc&cols=&q=p", 25)
    assert full == bare + 1, counted.statements  # + the cells and the primary companies, at once

    def service_page(limit: int) -> None:
        columns = IndexColumns(("companies", "contacts", "deals", "tickets"), True)
        page = browse.index_page(db, me, "contacts", IndexQuery("p"), limit=limit, columns=columns)
        assert len(page.records) == limit
        assert all(page.cell(r.id, page.columns[0]).total == 2 for r in page.records)

    assert counted.during(lambda: service_page(5)) == counted.during(lambda: service_page(50))


def test_u4_index_records_are_the_records_their_init_makes(db: Database, ann: User) -> None:
    """`browse._record` sets a Record's fields at once rather than through its frozen
    dataclass's __init__: both make the same record, field for field."""
    contact = records.create(db, ann.caller, "contacts", {"firstname": "Ada", "email": "a@x.io"})
    listed = browse.index_page(db, ann.caller, "contacts", limit=1).records[0]
    assert listed == contact
    made = Record(**{f.name: getattr(contact, f.name) for f in fields(Record)})
    assert vars(listed) == vars(made)

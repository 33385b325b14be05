"""Export an index view to CSV (issue 6): its search, filters and association columns, labels
and the Primary included, in the shape the importer reads back; on both stores."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from liaison.services import associations, labels
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.users import User
from tests.helpers import company, contact, deal


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_of_an_index_view_keeps_its_filters_and_association_columns(
    web: TestClient, db: Database, ann: User
) -> None:
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    big = deal(db, ann.caller, "Big")
    advisor = labels.create_label(db, ann.caller, "contacts", "companies", label="Advisor")
    zoe, kim = contact(db, ann.caller, "Zoe"), contact(db, ann.caller, "Kim")
    contact(db, ann.caller, "Loner")
    associations.associate(
        db,
        ann.caller,
        [
            AssociationInput(zoe.id, acme.id),
            AssociationInput(zoe.id, globex.id, (advisor[0].id,)),
            AssociationInput(zoe.id, big.id),
            AssociationInput(kim.id, globex.id),
        ],
    ).check()
    index = web.get(f"/app/contacts?cols=assoc:companies,assoc:deals&with={globex.id}")
    assert "Export CSV" in index.text
    link = index.text.split('class="button export-link" href="')[1].split('"')[0]
    exported = web.get(link.replace("&amp;", "&"))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = {r["firstname"]: r for r in _rows(exported.text)}
    assert set(rows) == {"Zoe", "Kim"}  # the filter: associated with Globex
    assert rows["Zoe"]["Associated companies"] == f"{acme.id} (Primary) | {globex.id} (Advisor)"
    assert rows["Zoe"]["Associated deals"] == str(big.id)
    assert rows["Kim"]["Associated companies"] == f"{globex.id} (Primary)"


def test_export_of_a_bad_view_is_a_clear_error(web: TestClient) -> None:
    refused = web.get("/app/contacts/export?cols=assoc:nosuchtype")
    assert refused.status_code in (400, 404)
    assert "text/html" in refused.headers["content-type"]

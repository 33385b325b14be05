"""Association history in the web UI, in-process on both stores: a record's per associated type
(H3) and one association's (H4), newest first, page by page, each row as the services return
it; the record page links to both; no statement per row."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.domain.history import Actor, ActorKind
from liaison.services import associations, history, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from liaison.services.users import User
from liaison.web.pages.history import PAGE_SIZE
from tests.helpers import company, contact, deal
from tests.web.conftest import Counter

XSS = "<script>alert(1)</script>"


def _rows(html: str) -> list[tuple[str, str, str]]:
    """(name, ID, what happened) of each row of the history table."""
    found = re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]*)</a></th>\s*<td>(\d+)</td>\s*'
        r'<td class="change">([^<]*)</td>',
        html,
    )
    return [(n, i, c.replace("&#39;", "'")) for n, i, c in found]


def _seed(db: Database, ann: User) -> tuple[int, int, int, int]:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    advisor, _ = labels.create_label(db, ann.caller, "contacts", "companies", label="Advisor")
    associations.associate(
        db,
        ann.caller,
        [AssociationInput(person.id, acme.id), AssociationInput(person.id, globex.id)],
    ).check()
    associations.associate(
        db, ann.caller, [AssociationInput(person.id, globex.id, (advisor.id,))]
    ).check()
    associations.remove(db, ann.caller, [AssociationInput(person.id, globex.id)]).check()
    return person.id, acme.id, globex.id, advisor.id


def test_H3_history_page_shows_the_services_history_newest_first(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex, _ = _seed(db, ann)
    page = web.get(f"/app/contacts/{person}/history?type=companies")
    assert page.status_code == 200
    expected = history.record_history(db, ann.caller, "contacts", person, other_type="companies")
    assert [(r[1], r[2]) for r in _rows(page.text)] == [
        (str(globex), "Association removed"),
        (str(globex), "Label 'Advisor' removed"),
        (str(globex), "Label 'Advisor' added"),
        (str(globex), "Associated"),
        (str(acme), "Set as primary"),
        (str(acme), "Associated"),
    ]
    assert [int(r[1]) for r in _rows(page.text)] == [e.other_id for e in expected.entries]
    assert [r[0] for r in _rows(page.text)] == [e.other_name for e in expected.entries]
    assert page.text.count('User <span class="muted">· Ann Admin</span>') == len(expected.entries)
    assert f'data-copy="/app/companies/{acme}"' in page.text  # copy link: the record's address
    assert f'href="/app/contacts/{person}/history/companies/{globex}"' in page.text
    assert '<option value="companies" selected>' in page.text
    assert '<option value="notes">' in page.text  # activities can be picked too


def test_H3_the_type_picker_shows_one_type(web: TestClient, db: Database, ann: User) -> None:
    person, *_ = _seed(db, ann)
    big = deal(db, ann.caller, "Big")
    associations.associate(db, ann.caller, [AssociationInput(person, big.id)]).check()
    deals = web.get(f"/app/contacts/{person}/history?type=deals")
    assert _rows(deals.text) == [("Big", str(big.id), "Associated")]
    tickets = web.get(f"/app/contacts/{person}/history?type=tickets")
    assert _rows(tickets.text) == []
    assert "No changes of associations with tickets yet." in tickets.text


def test_H4_one_associations_history(web: TestClient, db: Database, ann: User) -> None:
    person, _, globex, _ = _seed(db, ann)
    page = web.get(f"/app/contacts/{person}/history/companies/{globex}")
    assert page.status_code == 200
    assert "History of Zoe Lee ↔ Globex" in page.text
    expected = history.association_history(db, ann.caller, "contacts", person, "companies", globex)
    assert [int(r[1]) for r in _rows(page.text)] == [globex] * len(expected.entries)
    assert [r[2] for r in _rows(page.text)] == [
        "Association removed",
        "Label 'Advisor' removed",
        "Label 'Advisor' added",
        "Associated",
    ]
    from_company = web.get(f"/app/companies/{globex}/history/contacts/{person}")
    assert [r[0] for r in _rows(from_company.text)] == ["Zoe Lee"] * 4


def test_H3_history_pages_by_keyset(web: TestClient, db: Database, ann: User) -> None:
    person = contact(db, ann.caller, "Zoe")
    made = records.create_many(
        db, ann.caller, "deals", [records.NewRecord({"dealname": f"D{i}"}) for i in range(30)]
    )
    associations.associate(
        db, ann.caller, [AssociationInput(person.id, d.id) for d in made]
    ).check()
    first = web.get(f"/app/contacts/{person.id}/history?type=deals")
    assert len(_rows(first.text)) == PAGE_SIZE
    older = re.search(r'href="([^"]+)" rel="next">Older</a>', first.text)
    assert older, "a next page"
    second = web.get(older.group(1).replace("&amp;", "&"))
    assert len(_rows(second.text)) == 30 - PAGE_SIZE
    assert 'rel="next"' not in second.text and ">Newest</a>" in second.text
    every = history.record_history(db, ann.caller, "contacts", person.id, other_type="deals")
    shown = [int(r[1]) for r in _rows(first.text) + _rows(second.text)]
    assert shown == [e.other_id for e in every.entries]


def test_H2_sources_name_the_user_or_the_token(web: TestClient, db: Database, ann: User) -> None:
    person, acme = contact(db, ann.caller, "Zoe"), company(db, ann.caller, "Acme")
    zapier = Caller(1, Actor(ActorKind.API_TOKEN, "7", "Zapier sync"))
    associations.associate(db, zapier, [AssociationInput(person.id, acme.id)]).check()
    page = web.get(f"/app/contacts/{person.id}/history?type=companies")
    assert 'API <span class="muted">· Zapier sync</span>' in page.text


def test_history_pages_escape_names_and_hide_other_accounts(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme = contact(db, ann.caller, XSS), company(db, ann.caller, XSS)
    associations.associate(db, ann.caller, [AssociationInput(person.id, acme.id)]).check()
    for path in (
        f"/app/contacts/{person.id}/history?type=companies",
        f"/app/contacts/{person.id}/history/companies/{acme.id}",
    ):
        page = web.get(path)
        assert page.status_code == 200 and XSS not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    other = create_account(db, name="Other")
    theirs = [contact(db, Caller(other, Actor.system()), f"Theirs {i}") for i in range(5)][-1]
    assert theirs.id > acme.id  # IDs are per account: this one is not one of ours
    assert web.get(f"/app/contacts/{theirs.id}/history").status_code == 404
    assert web.get(f"/app/companies/{person.id}/history").status_code == 404  # wrong type
    assert web.get(f"/app/contacts/{person.id}/history?type=nope").status_code == 404
    assert web.get(f"/app/contacts/{person.id}/history?before=x").status_code == 400


def test_record_page_links_to_both_histories(web: TestClient, db: Database, ann: User) -> None:
    person, acme, *_ = _seed(db, ann)
    page = web.get(f"/app/contacts/{person}")
    assert f'href="/app/contacts/{person}/history">Association history</a>' in page.text
    assert f'href="/app/contacts/{person}/history/companies/{acme}">View history</a>' in page.text


def test_history_page_statements_do_not_grow_with_its_rows(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme = company(db, ann.caller, "Acme")
    associations.associate(db, ann.caller, [AssociationInput(person.id, acme.id)]).check()
    path = f"/app/contacts/{person.id}/history?type=companies"
    web.get(path)  # warm the schema cache
    few = counted.during(lambda: web.get(path))
    made = records.create_many(
        db, ann.caller, "companies", [records.NewRecord({"name": f"C{i}"}) for i in range(24)]
    )
    associations.associate(
        db, ann.caller, [AssociationInput(person.id, c.id) for c in made]
    ).check()
    web.get(path)
    many = counted.during(lambda: web.get(path))
    assert len(_rows(web.get(path).text)) == PAGE_SIZE
    assert many == few, counted.statements


def test_H4_pages_by_keyset_and_statements_do_not_grow(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    person, acme = contact(db, ann.caller, "Zoe"), company(db, ann.caller, "Acme")
    champion, _ = labels.create_label(db, ann.caller, "contacts", "companies", label="Champion")
    associations.associate(db, ann.caller, [AssociationInput(person.id, acme.id)]).check()
    path = f"/app/contacts/{person.id}/history/companies/{acme.id}"
    web.get(path)
    few = counted.during(lambda: web.get(path))
    for _ in range(14):  # 28 label changes
        for change in (associations.associate, associations.remove_labels):
            change(db, ann.caller, [AssociationInput(person.id, acme.id, (champion.id,))]).check()
    web.get(path)
    assert counted.during(lambda: web.get(path)) == few, counted.statements
    first = web.get(path)
    assert len(_rows(first.text)) == PAGE_SIZE
    older = re.search(r'href="([^"]+)" rel="next">Older</a>', first.text)
    assert older
    second = web.get(older.group(1).replace("&amp;", "&"))
    every = history.association_history(
        db, ann.caller, "contacts", person.id, "companies", acme.id
    ).entries
    assert len(every) == 30
    shown = [r[2] for r in _rows(first.text) + _rows(second.text)]
    assert shown[:2] == ["Label 'Champion' removed", "Label 'Champion' added"]
    assert shown[-2:] == ["Set as primary", "Associated"]
    assert [int(r[1]) for r in _rows(first.text) + _rows(second.text)] == [acme.id] * 30

"""The web UI's pages, in-process on both stores: sign-in (S1), index pages, record pages (U1)
and the association menu actions, with what a user would see."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from liaison.api.app import create_app
from liaison.domain.history import ActorKind, Change, Source
from liaison.domain.records import Record
from liaison.services import associations, history, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.services.users import User
from liaison.storage.tables import users as users_table
from tests.helpers import car_type, company, contact, dump
from tests.web.conftest import PASSWORD, csrf, make_user, post_htmx, sign_in


def names_in_table(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]*)</a>', html)


# -- signing in and out (S1) -----------------------------------------------------------------
def test_home_asks_to_sign_in_first(db: Database) -> None:
    with TestClient(create_app(db)) as client:
        home = client.get("/", follow_redirects=False)
        assert (home.status_code, home.headers["location"]) == (303, "/app/")
        page = client.get("/app/contacts", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/app/signin?next=/app/contacts"
        form = client.get(page.headers["location"])
        assert form.status_code == 200
        assert 'name="password"' in form.text and 'name="csrftoken"' in form.text


def test_S1_sign_in_opens_the_page_asked_for(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        response = sign_in(client, ann.email, next="/app/companies")
        assert (response.status_code, response.headers["location"]) == (303, "/app/companies")
        page = client.get("/app/companies")
        assert page.status_code == 200
        assert "Ann Admin" in page.text
        assert client.get("/app/", follow_redirects=False).headers["location"] == "/app/contacts"


def test_S1_sign_in_never_redirects_off_the_app(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        response = sign_in(client, ann.email, next="https://evil.example/")
        assert response.headers["location"] == "/app/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("ann@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
def test_S1_a_wrong_email_or_password_is_refused(
    db: Database, ann: User, email: str, password: str
) -> None:
    del ann
    with TestClient(create_app(db)) as client:
        response = sign_in(client, email, password)
        assert response.status_code == 401
        assert "Wrong email or password." in response.text
        assert client.get("/app/contacts", follow_redirects=False).status_code == 303


def test_S1_email_is_matched_without_case(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        assert sign_in(client, "  ANN@Example.com ").status_code == 303
        assert ann.email == "ann@example.com"


def test_S1_sign_out_ends_the_session(web: TestClient) -> None:
    response = web.post("/app/signout", data={"csrftoken": csrf(web)}, follow_redirects=False)
    assert response.status_code == 303
    assert web.get("/app/contacts", follow_redirects=False).status_code == 303
    assert "You are signed out." in web.get(response.headers["location"]).text


def test_S1_sessions_expire(db: Database, ann: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_SESSION_MAX_AGE", "3")
    with TestClient(create_app(db)) as client:
        assert sign_in(client, ann.email).status_code == 303
        assert client.get("/app/contacts", follow_redirects=False).status_code == 200
        time.sleep(4.2)  # a loaded machine may take a second or two to answer
        assert client.get("/app/contacts", follow_redirects=False).status_code == 303


def test_S1_the_session_cookie_is_http_only_and_lasts_the_configured_time(
    db: Database, ann: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIAISON_SESSION_MAX_AGE", "600")
    with TestClient(create_app(db)) as client:
        cookie = sign_in(client, ann.email).headers["set-cookie"]
        assert "liaison_session=" in cookie
        assert "Max-Age=600" in cookie and "httponly" in cookie.lower()
        assert "path=/app" in cookie.lower()


def test_S1_a_user_who_no_longer_exists_is_signed_out(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        assert sign_in(client, ann.email).status_code == 303
        assert client.get("/app/contacts", follow_redirects=False).status_code == 200
        with db.engine.begin() as conn:  # no service removes users yet
            conn.execute(delete(users_table).where(users_table.c.id == ann.id))
        assert client.get("/app/contacts", follow_redirects=False).status_code == 303


# -- index pages -----------------------------------------------------------------------------
def test_index_lists_records_with_their_main_properties(
    web: TestClient, db: Database, ann: User
) -> None:
    contact(db, ann.caller, "Bob", email="bob@acme.example", jobtitle="CTO")
    page = web.get("/app/contacts")
    assert page.status_code == 200
    assert names_in_table(page.text) == ["Bob Lee"]
    assert "bob@acme.example" in page.text and "CTO" in page.text
    assert "1 contact" in page.text
    assert 'aria-current="page"' in page.text


def test_index_search_finds_records_by_name_without_case(
    web: TestClient, db: Database, ann: User
) -> None:
    for first in ("Ann", "Bob", "Annika", "Bo_b"):
        contact(db, ann.caller, first, lastname="Smith")
    assert names_in_table(web.get("/app/contacts?q=ann&sort=name&dir=asc").text) == [
        "Ann Smith",
        "Annika Smith",
    ]
    assert names_in_table(web.get("/app/contacts?q=o_b").text) == ["Bo_b Smith"]  # no wildcard
    empty = web.get("/app/contacts?q=zzz").text
    assert names_in_table(empty) == [] and "No contacts match" in empty


def test_index_search_from_htmx_returns_only_the_results(
    web: TestClient, db: Database, ann: User
) -> None:
    company(db, ann.caller, "Acme")
    company(db, ann.caller, "Globex")
    response = web.get(
        "/app/companies?q=glo", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.text.lstrip().startswith('<section id="results"')
    assert names_in_table(response.text) == ["Globex"]


def _pages(web: TestClient, url: str) -> list[list[str]]:
    found = []
    while url:
        html = web.get(url).text
        found.append(names_in_table(html))
        more = re.search(r'<a class="button" href="([^"]+)" rel="next">', html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    return found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name&dir=asc", sorted),
        ("sort=name&dir=desc", lambda names: sorted(names, reverse=True)),
        ("sort=created&dir=asc", list),
        ("", lambda names: list(reversed(names))),
    ],
)
def test_index_pages_are_keyset_paged_and_sorted(
    web: TestClient, db: Database, ann: User, query: str, expected: object
) -> None:
    made = records.create_many(
        db,
        ann.caller,
        "companies",
        [records.NewRecord({"name": f"Company {(i * 7) % 30:02d}"}) for i in range(30)]
        + [records.NewRecord({"name": "Company 05"})],  # a duplicate name: ties break by ID
    )
    pages = _pages(web, f"/app/companies?{query}")
    assert [len(p) for p in pages] == [25, 6]
    names = [r.name for r in made]
    assert [n for p in pages for n in p] == expected(names)  # type: ignore[operator]


def test_index_of_an_unknown_type_is_404(web: TestClient) -> None:
    response = web.get("/app/unicorns")
    assert response.status_code == 404
    assert "There is no object type" in response.text


# -- record pages (U1) -------------------------------------------------------------------------
def _contact_with_companies(db: Database, caller: Caller) -> tuple[Record, Record, Record]:
    acme, globex = company(db, caller, "Acme"), company(db, caller, "Globex")
    person = contact(db, caller, "Zoe", email="zoe@acme.example")
    advisor, _ = labels.create_label(db, caller, "contacts", "companies", label="Advisor")
    associations.associate(db, caller, [AssociationInput(person.id, acme.id)]).check()
    associations.associate(
        db, caller, [AssociationInput(person.id, globex.id, (advisor.id,))]
    ).check()
    return person, acme, globex


def _card(html: str, type_name: str) -> str:
    match = re.search(rf'data-type="{type_name}">(.*?)</section>', html, re.S)
    assert match, f"no {type_name} card"
    return match.group(1)


def test_U1_record_page_shows_properties_overview_and_association_cards(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex = _contact_with_companies(db, ann.caller)
    page = web.get(f"/app/contacts/{person.id}")
    assert page.status_code == 200
    html = page.text
    assert '<h1 id="record-title">Zoe Lee</h1>' in html
    assert "zoe@acme.example" in html
    assert "associated with 2 records" in html
    card = _card(html, "companies")
    assert 'class="badge count-badge">2<' in card
    acme_item = card.split(f'href="/app/companies/{acme.id}"')[1].split("</li>")[0]
    globex_item = card.split(f'href="/app/companies/{globex.id}"')[1].split("</li>")[0]
    assert "Primary" in acme_item and "Advisor" not in acme_item
    assert "Advisor" in globex_item and "Primary" not in globex_item
    assert "Set as primary" in globex_item and "Set as primary" not in acme_item
    assert ">Acme<" in card.split("Globex")[0]  # the primary comes first
    assert "No associated deals." in _card(html, "deals")


def test_U1_a_card_lists_ten_and_says_how_many_more(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    people = records.create_many(
        db, ann.caller, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(13)]
    )
    associations.associate(
        db, ann.caller, [AssociationInput(acme.id, p.id) for p in people]
    ).check()
    card = _card(web.get(f"/app/companies/{acme.id}").text, "contacts")
    assert card.count('class="assoc-item"') == 10
    assert "and 3 more" in card and ">13<" in card


def test_U1_record_of_another_type_or_missing_is_404(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    assert web.get(f"/app/contacts/{acme.id}").status_code == 404
    assert web.get("/app/contacts/999999").status_code == 404
    assert web.get("/app/contacts/not-a-number").status_code == 400


def test_U3_set_as_primary_from_the_card_is_recorded_as_the_user(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex = _contact_with_companies(db, ann.caller)
    response = post_htmx(web, f"/app/contacts/{person.id}/associations/{globex.id}/primary")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<aside id="associations"')
    assert "Primary company changed." in response.text
    globex_item = response.text.split(f'href="/app/companies/{globex.id}"')[1].split("</li>")[0]
    assert "Primary" in globex_item and "Advisor" in globex_item
    view = associations.between(db, ann.caller, person.id, acme.id)
    assert view is not None and view.labels == []  # the former primary stays, unlabelled
    latest = history.record_history(db, ann.caller, "contacts", person.id).entries[0]
    assert latest.source is Source.USER and latest.actor_kind is ActorKind.USER
    assert (latest.actor_id, latest.actor_name) == (str(ann.id), "Ann Admin")


def test_U3_removing_the_primary_of_several_is_refused_with_a_readable_message(
    web: TestClient, db: Database, ann: User
) -> None:
    """P4: with two companies left, the new primary must be named; the card says so."""
    person, acme, _ = _contact_with_companies(db, ann.caller)
    initech = company(db, ann.caller, "Initech")
    associations.associate(db, ann.caller, [AssociationInput(person.id, initech.id)]).check()
    before = dump(db)
    response = post_htmx(web, f"/app/contacts/{person.id}/associations/{acme.id}/remove")
    assert response.status_code == 200
    notice = re.search(r'<p class="notice error" role="alert">([^<]+)</p>', response.text)
    assert notice is not None and "primary" in notice.group(1).lower(), response.text[:300]
    assert f'href="/app/companies/{acme.id}"' in response.text
    assert dump(db) == before


def test_P4_removing_the_primary_with_one_company_left_moves_the_primary(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex = _contact_with_companies(db, ann.caller)
    response = post_htmx(web, f"/app/contacts/{person.id}/associations/{acme.id}/remove")
    globex_item = response.text.split(f'href="/app/companies/{globex.id}"')[1].split("</li>")[0]
    assert "Primary" in globex_item


def test_U3_remove_association_from_the_card(web: TestClient, db: Database, ann: User) -> None:
    person, _, globex = _contact_with_companies(db, ann.caller)
    response = post_htmx(web, f"/app/contacts/{person.id}/associations/{globex.id}/remove")
    assert "Association removed." in response.text
    assert f'href="/app/companies/{globex.id}"' not in response.text
    assert associations.between(db, ann.caller, person.id, globex.id) is None
    entry = history.record_history(db, ann.caller, "contacts", person.id).entries[0]
    assert (entry.change, entry.source, entry.actor_name) == (
        Change.REMOVED,
        Source.USER,
        "Ann Admin",
    )


def test_htmx_request_after_the_session_ended_redirects_to_sign_in(
    web: TestClient, db: Database, ann: User
) -> None:
    person, _, globex = _contact_with_companies(db, ann.caller)
    token = csrf(web)
    web.post("/app/signout", data={"csrftoken": token})
    response = web.post(
        f"/app/contacts/{person.id}/associations/{globex.id}/remove",
        headers={"HX-Request": "true", "x-csrftoken": token},
        follow_redirects=False,
    )
    assert response.headers.get("HX-Redirect", "").startswith("/app/signin")
    assert associations.between(db, ann.caller, person.id, globex.id) is not None


def test_a_second_user_of_the_account_sees_the_same_records(db: Database, ann: User) -> None:
    contact(db, ann.caller, "Shared")
    make_user(db, "bo@example.com", name="")
    with TestClient(create_app(db)) as client:
        assert sign_in(client, "bo@example.com").status_code == 303
        page = client.get("/app/contacts").text
        assert "Shared Lee" in page and "bo@example.com" in page  # no name: the email shows


def test_custom_types_have_their_index_and_record_pages(
    web: TestClient, db: Database, ann: User
) -> None:
    car_type(db, ann.caller, "contacts")
    car = records.create(db, ann.caller, "car", {"model": "Model T"})
    person = contact(db, ann.caller, "Henry")
    associations.associate(db, ann.caller, [AssociationInput(person.id, car.id)]).check()
    index = web.get("/app/car")
    assert index.status_code == 200
    assert '<a href="/app/car"' in index.text and ">Cars</a>" in index.text  # in the navigation
    assert names_in_table(index.text) == ["Model T"]
    person_page = web.get(f"/app/contacts/{person.id}").text
    assert f'href="/app/car/{car.id}">Model T</a>' in _card(person_page, "car")
    car_page = web.get(f"/app/car/{car.id}").text
    assert f'href="/app/contacts/{person.id}">Henry Lee</a>' in _card(car_page, "contacts")
    assert "Set as primary" not in car_page  # only company cards offer it

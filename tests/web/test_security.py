"""S1 and O5 in the web UI: forms need the CSRF token, what users typed is escaped, and one
account's records can't be opened from another account. The API never needs a CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.domain.scopes import ALL_SCOPES
from liaison.services import associations, tokens
from liaison.services.associations import AssociationInput
from liaison.services.database import Database, create_account
from liaison.services.users import User
from tests.helpers import company, contact, dump
from tests.web.conftest import csrf, make_user, sign_in

XSS = "<script>alert(1)</script>"


def test_S1_a_form_post_without_the_csrf_token_is_refused(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    associations.associate(
        db,
        ann.caller,
        [AssociationInput(person.id, acme.id), AssociationInput(person.id, globex.id)],
    ).check()
    before = dump(db)
    path = f"/app/contacts/{person.id}/associations/{globex.id}/primary"
    for response in (
        web.post(path, follow_redirects=False),
        web.post(path, data={"csrftoken": "forged"}, follow_redirects=False),
        web.post(path, headers={"x-csrftoken": "forged", "HX-Request": "true"}),
    ):
        assert response.status_code == 403
        assert "CSRF check failed" in response.text
    assert dump(db) == before
    assert web.get("/app/contacts", follow_redirects=False).status_code == 200  # still signed in


def test_S1_sign_out_and_sign_in_need_the_csrf_token_too(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        csrf(client)
        refused = client.post(
            "/app/signin", data={"email": ann.email, "password": "x"}, follow_redirects=False
        )
        assert refused.status_code == 403
        assert sign_in(client, ann.email).status_code == 303
        assert client.post("/app/signout", follow_redirects=False).status_code == 403
        assert client.get("/app/contacts", follow_redirects=False).status_code == 200


def test_S1_login_csrf_is_refused_even_without_cookies(db: Database, ann: User) -> None:
    with TestClient(create_app(db)) as client:
        response = client.post(
            "/app/signin",
            data={"email": ann.email, "password": "correct horse battery"},
            follow_redirects=False,
        )
        assert response.status_code == 403


def test_S1_what_users_typed_is_escaped(web: TestClient, db: Database, ann: User) -> None:
    evil = company(db, ann.caller, XSS, domain="evil.example", city='"><img src=x onerror=1>')
    person = contact(db, ann.caller, XSS, lastname="")
    associations.associate(db, ann.caller, [AssociationInput(person.id, evil.id)]).check()
    for path in (
        f"/app/companies/{evil.id}",
        f"/app/contacts/{person.id}",
        "/app/companies",
        f"/app/companies?q={XSS}",
    ):
        html = web.get(path).text
        assert XSS not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert "<img src=x" not in html, path


def test_O5_a_user_cannot_open_another_accounts_record(
    web: TestClient, db: Database, ann: User
) -> None:
    other = create_account(db, name="Other")
    bea = make_user(db, "bea@other.example", account_id=other, name="Bea")
    for i in range(3):  # record IDs count per account: make theirs an ID account 1 lacks
        company(db, bea.caller, f"Filler {i}")
    theirs = company(db, bea.caller, "Their secret company")
    mine = company(db, ann.caller, "Mine")
    assert theirs.id != mine.id
    before = dump(db)
    page = web.get(f"/app/companies/{theirs.id}")
    assert page.status_code == 404
    assert "Their secret company" not in page.text
    assert "Their secret company" not in web.get("/app/companies?q=secret").text
    response = web.post(
        f"/app/companies/{theirs.id}/associations/{mine.id}/remove",
        headers={"x-csrftoken": csrf(web), "HX-Request": "true"},
    )
    assert response.status_code == 404
    assert dump(db) == before


def test_S1_users_of_another_account_sign_in_to_their_own(db: Database, ann: User) -> None:
    other = create_account(db, name="Other")
    make_user(db, ann.email, account_id=other, name="Ann in Other")
    company(db, ann.caller, "Only in account 1")
    with TestClient(create_app(db)) as client:
        assert sign_in(client, ann.email, account=str(other)).status_code == 303
        page = client.get("/app/companies").text
        assert "Ann in Other" in page and "Only in account 1" not in page


@pytest.mark.parametrize("with_session", [False, True])
def test_api_routes_need_no_csrf_token_even_with_a_session(
    db: Database, ann: User, with_session: bool
) -> None:
    _, value = tokens.create_token(db, 1, name="t", scopes=list(ALL_SCOPES))
    with TestClient(create_app(db)) as client:
        if with_session:
            assert sign_in(client, ann.email).status_code == 303
            client.cookies.set("csrftoken", csrf(client))
        response = client.get("/liaison/v1/whoami", headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 200
        # A POST to an API path is never stopped by the CSRF check: the API answers it.
        created = client.post(
            "/crm/v3/objects/contacts",
            json={"properties": {"firstname": "Api"}},
            headers={"Authorization": f"Bearer {value}"},
        )
        assert created.status_code == 201, created.text
        refused = client.post("/crm/v3/objects/contacts", json={"properties": {}})
        assert refused.status_code == 401  # the session never stands in for a token
        assert "CSRF" not in refused.text


def test_the_session_never_authenticates_the_api(web: TestClient) -> None:
    response = web.get("/liaison/v1/whoami")
    assert response.status_code == 401

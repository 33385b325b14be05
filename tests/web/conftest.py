"""Web UI fixtures: an in-process client on both stores, signed in as a user of account 1.

- `web`: a TestClient around the whole app (API and UI) on the test's `db`, signed in as
  `ann@example.com` (helpers `post_form` and `post_htmx` send the CSRF token as a browser
  would, in a hidden field or in htmx's header).
- `counted`: counts the SQL statements the database runs, for the no-N+1 tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import event

from liaison.api.app import create_app
from liaison.services import users
from liaison.services.database import Database
from liaison.services.users import User
from tests.conftest import missing
from tests.web.browsing import CHROMIUM

PASSWORD = "correct horse battery"


def make_user(
    db: Database, email: str = "ann@example.com", *, account_id: int = 1, name: str = "Ann Admin"
) -> User:
    return users.create_user(db, account_id, email=email, password=PASSWORD, name=name)


def csrf(client: TestClient) -> str:
    """The CSRF cookie, after a page that has a form set it."""
    if "csrftoken" not in client.cookies:
        client.get("/app/signin")
    return str(client.cookies["csrftoken"])


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str) -> Response:
    data = {"email": email, "password": password, "csrftoken": csrf(client), **extra}
    return client.post("/app/signin", data=data, follow_redirects=False)


def post_form(client: TestClient, path: str, **data: str) -> Response:
    return client.post(path, data={"csrftoken": csrf(client), **data}, follow_redirects=False)


def htmx_post(client: TestClient, path: str, data: dict[str, str | list[str]]) -> Response:
    """A form posted by htmx: the CSRF token in its header, as htmx sends it."""
    headers = {"HX-Request": "true", "x-csrftoken": csrf(client)}
    return client.post(path, data=data, headers=headers, follow_redirects=False)


def post_htmx(client: TestClient, path: str) -> Response:
    headers = {"HX-Request": "true", "x-csrftoken": csrf(client)}
    return client.post(path, headers=headers, follow_redirects=False)


@pytest.fixture
def ann(db: Database) -> User:
    return make_user(db)


@pytest.fixture
def ada(db: Database) -> User:
    """An admin of account 1 (the settings pages are for admins)."""
    return users.create_user(
        db, 1, email="ada@example.com", password=PASSWORD, name="Ada Admin", is_admin=True
    )


@pytest.fixture
def admin(db: Database, ada: User) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as client:
        assert sign_in(client, ada.email).status_code == 303
        yield client


@pytest.fixture
def web(db: Database, ann: User) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as client:
        response = sign_in(client, ann.email)
        assert response.status_code == 303, response.text
        yield client


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.statements.append(str(args[2]))

    def during(self, work: Any) -> int:
        self.statements.clear()
        work()
        return len(self.statements)


@pytest.fixture
def counted(db: Database) -> Iterator[Counter]:
    counter = Counter()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium) for the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright's Python package is not installed (make install)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()

"""API fixtures: an in-process client on both stores, and a live `liaison serve` with the SDK.

- `api`: a TestClient around the app on the test's `db` (SQLite and PostgreSQL), sending a
  token with every scope. The invariant checker runs after each test (the `db` fixture).
- `token_for(db, *scopes)`: the value of a new token with only these scopes.
- `live`: a real `liaison serve` subprocess on a free port (module-scoped, per store), with
  LIAISON_ADMIN_TOKEN set; `sdk`: HubSpot's Python SDK on it, in strict mode.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.domain.scopes import ALL_SCOPES
from liaison.services import invariants, tokens
from liaison.services.database import Database
from tests import postgres
from tests.conftest import missing
from tests.served import serving

ADMIN_TOKEN = "liaison-test-admin-token-0123456789"


def token_for(db: Database, *scopes: str, account_id: int = 1, name: str = "limited") -> str:
    _, value = tokens.create_token(db, account_id, name=name, scopes=list(scopes))
    return value


@pytest.fixture
def api(db: Database) -> Iterator[TestClient]:
    value = token_for(db, *ALL_SCOPES, name="test suite")
    with TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"}) as client:
        yield client


@dataclass(frozen=True)
class Live:
    url: str
    token: str
    database_url: str
    store: str

    def database(self) -> Database:
        return Database.open(self.database_url, migrate=False)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """A live server on a fresh database; the invariant checker runs when the module is done."""
    store = str(request.param)
    tmp = tmp_path_factory.mktemp("live")
    if store == "sqlite":
        with _served(f"sqlite:///{tmp / 'live.db'}", tmp, store) as live_server:
            yield live_server
        return
    with postgres.server() as admin_url:
        if admin_url is None:
            missing("no PostgreSQL server is reachable and none could be started")
            return
        name = postgres.database_name("live")
        url = postgres.create_database(admin_url, name)
        try:
            with _served(url, tmp, store) as live_server:
                yield live_server
        finally:
            postgres.drop_database(admin_url, name)


@contextlib.contextmanager
def _served(database_url: str, tmp: Path, store: str) -> Iterator[Live]:
    env = {"LIAISON_ADMIN_TOKEN": ADMIN_TOKEN}
    with serving(database_url, tmp / "serve.log", env=env) as url:
        yield Live(url, ADMIN_TOKEN, database_url, store)
    database = Database.open(database_url, migrate=False)
    try:
        problems = invariants.check(database)
    finally:
        database.close()
    assert problems == [], "invariants broken:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def sdk(live: Live) -> Any:
    """HubSpot's own Python SDK pointed at the live server, validating every response."""
    import hubspot

    return hubspot.Client.create(
        access_token=live.token, host=live.url, client_side_validation=True
    )

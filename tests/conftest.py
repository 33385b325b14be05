"""Test fixtures: a fresh, migrated database per test, on SQLite and on PostgreSQL.

On a machine without PostgreSQL the PostgreSQL half skips with a loud reason, unless
LIAISON_REQUIRE_ALL=1 (as in CI), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from liaison.domain.history import Actor
from liaison.services import invariants, users
from liaison.services.database import Database, ensure_default_account
from liaison.services.unit import Caller
from liaison.storage.tables import metadata
from tests import postgres

REQUIRE_ALL = os.environ.get("LIAISON_REQUIRE_ALL") == "1"
STORES = ["sqlite", "postgres"]


def missing(reason: str) -> None:
    """Skip loudly, or fail when every part is required."""
    if REQUIRE_ALL:
        pytest.fail(f"LIAISON_REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {reason}")


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[None]:
    """Argon2id at its smallest cost for the users the tests create and sign in: hundreds of
    them, where each hash or check at the recommended cost takes 0.1 to 0.5 s of a busy CPU.
    The cost is not what the tests prove; the hashes stay Argon2id (test_users.py)."""
    with pytest.MonkeyPatch.context() as patch:
        quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(users, "_hasher", quick)
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database.open(f"sqlite:///{path}", migrate=True)
    database.close()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    with postgres.server() as admin_url:
        if admin_url is None:
            yield None
            return
        name = postgres.database_name("test")
        url = postgres.create_database(admin_url, name)
        database = Database.open(url, migrate=True)
        database.close()
        yield url
        postgres.drop_database(admin_url, name)


def _empty_postgres(url: str) -> Database:
    """The session's database, emptied with its sequences restarted. DELETE, not TRUNCATE:
    on the few rows a test leaves it takes milliseconds where TRUNCATE, which gives every
    table new files, took 0.4 s a test."""
    database = Database.open(url, migrate=False)
    with database.engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(text(_RESTART_SEQUENCES))
    ensure_default_account(database)
    return database


_RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)
FROM pg_sequences WHERE schemaname = current_schema()
"""


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db(
    store: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Database]:
    """A fresh database on each store, checked by the invariant checker after the test."""
    if store == "sqlite":
        path = tmp_path / "liaison.db"
        shutil.copy(sqlite_template, path)
        database = Database.open(f"sqlite:///{path}", migrate=False)
    else:
        url = request.getfixturevalue("postgres_url")
        if url is None:
            missing("no PostgreSQL server is reachable and none could be started")
        database = _empty_postgres(url)
    yield database
    problems = invariants.check(database)
    database.close()
    assert problems == [], "invariants broken:\n" + "\n".join(problems)


@pytest.fixture
def me() -> Caller:
    return Caller(1, Actor.user("user-1", "Ann Admin"))

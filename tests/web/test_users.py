"""Users (S1): `liaison user create` / `list`, password hashing, the demo user."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from liaison.cli.main import cli
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import users
from liaison.services.database import Database
from liaison.storage.tables import users as users_table


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'liaison.db'}"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_S1_user_create_with_a_password_and_sign_in(url: str) -> None:
    code, output = run(
        "user", "create", "--email", "Ann@Example.com", "--name", "Ann", "--admin",
        "--password", "a long password", "--database", url,
    )  # fmt: skip
    assert code == 0, output
    assert "ann@example.com (admin)" in output
    database = Database.open(url)
    try:
        assert users.sign_in(database, 1, "ann@example.com", "a long password") is not None
        assert users.sign_in(database, 1, "ann@example.com", "A long password") is None
    finally:
        database.close()


def test_S1_user_create_asks_for_the_password_twice(url: str) -> None:
    code, output = run(
        "user", "create", "--email", "bo@example.com", "--database", url,
        stdin="secret-one\nsecret-two\nsecret-one\nsecret-one\n",
    )  # fmt: skip
    assert code == 0, output
    assert "do not match" in output.lower()
    code, listed = run("user", "list", "--database", url)
    assert code == 0 and "bo@example.com" in listed
    assert "secret-one" not in listed


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", "long enough", "is not an email address"),
        ("ann@example.com", "short", "at least 8 characters"),
    ],
)
def test_user_create_refuses_bad_input(url: str, email: str, password: str, message: str) -> None:
    code, output = run(
        "user", "create", "--email", email, "--password", password, "--database", url
    )
    assert code == 1 and message in output
    assert "No users yet" in run("user", "list", "--database", url)[1]


def test_user_create_refuses_a_second_user_with_the_same_email(url: str) -> None:
    args = ("user", "create", "--email", "ann@example.com", "--password", "long enough")
    assert run(*args, "--database", url)[0] == 0
    code, output = run(*args[:3], "ANN@example.com", *args[4:], "--database", url)
    assert code == 1 and "already has a user" in output
    assert run(*args, "--account", "7", "--database", url)[0] == 1  # no account 7


def test_S1_passwords_are_stored_as_argon2id_hashes(db: Database) -> None:
    users.create_user(db, 1, email="ann@example.com", password="correct horse battery")
    with db.engine.connect() as conn:
        stored = conn.execute(users_table.select()).one()
    assert stored.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in stored.password_hash


def test_the_demo_user_is_made_once(db: Database) -> None:
    first = users.ensure_demo_user(db)
    again = users.ensure_demo_user(db)
    assert first == again and first.is_admin
    assert users.sign_in(db, 1, users.DEMO_EMAIL, users.DEMO_PASSWORD) == first


def test_a_user_acts_with_source_user_and_their_name(db: Database) -> None:
    ann = users.create_user(db, 1, email="ann@example.com", password="long enough", name="Ann")
    bo = users.create_user(db, 1, email="bo@example.com", password="long enough")
    assert (ann.caller.actor.id, ann.caller.actor.name) == (str(ann.id), "Ann")
    assert bo.caller.actor.name == "bo@example.com"
    with pytest.raises(LiaisonError) as refused:
        users.create_user(db, 99, email="x@example.com", password="long enough")
    assert refused.value.code is ErrorCode.ACCOUNT_NOT_FOUND

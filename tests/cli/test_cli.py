"""The `liaison` command: db upgrade, check, demo, serve; and the demo data itself."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from liaison.cli.main import cli
from liaison.domain.history import Actor, Source
from liaison.services import associations, history, invariants, records
from liaison.services.associations import AssociationView
from liaison.services.database import Database
from liaison.services.demo import load_demo
from liaison.services.unit import Caller
from liaison.storage.tables import associations as associations_table
from tests.helpers import dump
from tests.served import serving

ME = Caller(1, Actor.user("user-1", "Ann Admin"))


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'liaison.db'}"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_db_upgrade_creates_a_migrated_database(tmp_path: Path, url: str) -> None:
    code, output = run("db", "upgrade", "--database", url)
    assert code == 0, output
    assert "latest schema" in output
    assert (tmp_path / "liaison.db").exists()
    assert run("db", "upgrade", "--database", url)[0] == 0  # again: nothing to do
    database = Database.open(url, migrate=False)
    try:
        assert records.list_records(database, ME, "contacts").records == []
    finally:
        database.close()


def test_database_url_comes_from_the_environment(tmp_path: Path, url: str) -> None:
    code, output = run("db", "upgrade", env={"LIAISON_DATABASE_URL": url})
    assert code == 0, output
    assert (tmp_path / "liaison.db").exists()


def test_a_bad_database_url_is_a_clear_error() -> None:
    code, output = run("db", "upgrade", "--database", "nosuchdb://x")
    assert code == 1
    assert "Cannot open the database nosuchdb://x" in output


def test_check_passes_on_a_sound_database(url: str) -> None:
    run("demo", "--database", url)
    code, output = run("check", "--database", url)
    assert code == 0, output
    assert "No problems found" in output


def test_check_lists_problems_and_exits_1(url: str) -> None:
    database = Database.open(url)
    try:
        ann = records.create(database, ME, "contacts", {"firstname": "Ann"})
        acme = records.create(database, ME, "companies", {"name": "Acme"})
        with database.engine.begin() as conn:  # a one-way association, written behind our back
            conn.execute(
                insert(associations_table).values(
                    account_id=1, from_id=ann.id, to_type="0-2", to_id=acme.id, created_at=1
                )
            )
    finally:
        database.close()
    code, output = run("check", "--database", url)
    assert code == 1
    assert f"association ({ann.id}, {acme.id}) has no reverse row" in output
    assert "problems found" in output


def test_demo_loads_once(url: str) -> None:
    code, output = run("demo", "--database", url)
    assert code == 0, output
    assert "10 companies, 40 contacts" in output
    database = Database.open(url, migrate=False)
    before = dump(database)
    code, output = run("demo", "--database", url)
    assert code == 0
    assert "already has records" in output
    assert dump(database) == before
    database.close()


def _get(address: str) -> tuple[int, str]:
    with urllib.request.urlopen(address, timeout=5) as response:
        return response.status, response.read().decode()


def test_serve_answers_health_on_a_real_port(tmp_path: Path, url: str) -> None:
    log = tmp_path / "serve.log"
    with serving(url, log, "--demo") as base:
        status, body = _get(f"{base}/health")
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "sqlite"}
        status, page = _get(f"{base}/")
        assert "Sign in to Liaison" in page  # the web UI's home asks to sign in first
        assert 'href="/health"' in page
    assert "Demo data loaded" in log.read_text()


# -- the demo data --------------------------------------------------------------------------------
def _find(db: Database, object_type: str, prop: str, value: str) -> int:
    page = records.list_records(db, ME, object_type, limit=500)
    return next(r.id for r in page.records if r.properties.get(prop) == value)


def _linked(db: Database, object_type: str, record_id: int, to_type: str) -> list[AssociationView]:
    return associations.list_associations(db, ME, object_type, record_id, to_type).results


def _primary_company(db: Database, object_type: str, record_id: int) -> int | None:
    companies = _linked(db, object_type, record_id, "companies")
    return next((a.to_id for a in companies if "Primary" in a.labels), None)


def test_demo_data_is_sound_and_holds_the_three_situations(db: Database) -> None:
    """The CLI loads the demo into each store; the invariant checker finds nothing (P3, A1, A4)."""
    address = db.engine.url.render_as_string(hide_password=False)
    code, output = run("demo", "--database", address)
    assert code == 0, output
    assert invariants.check(db) == []

    # 1. A deal with three contacts and their company, its primary company.
    deal = _find(db, "deals", "dealname", "Bluebird Analytics - platform rollout")
    bluebird = _find(db, "companies", "name", "Bluebird Analytics")
    contacts = [a.to_id for a in _linked(db, "deals", deal, "contacts")]
    assert len(contacts) == 3
    assert _primary_company(db, "deals", deal) == bluebird
    assert {_primary_company(db, "contacts", c) for c in contacts} == {bluebird}

    # 2. A ticket with two contacts and the deal they are in.
    ticket = _find(db, "tickets", "subject", "Invoice charged twice")
    people = {a.to_id for a in _linked(db, "tickets", ticket, "contacts")}
    deals = [a.to_id for a in _linked(db, "tickets", ticket, "deals")]
    assert len(people) == 2
    assert len(deals) == 1
    assert people <= {a.to_id for a in _linked(db, "deals", deals[0], "contacts")}

    # 3. A contact at two companies: the employer primary, the other labelled Advisor.
    ingrid = _find(db, "contacts", "firstname", "Ingrid")
    companies = {a.to_id: a.labels for a in _linked(db, "contacts", ingrid, "companies")}
    fjordline = _find(db, "companies", "name", "Fjordline Software")
    lumen = _find(db, "companies", "name", "Lumen Energy")
    assert companies == {fjordline: ["Primary"], lumen: ["Advisor"]}

    # A paired label read from both sides, and notes on the timeline.
    lars = _find(db, "contacts", "firstname", "Lars")
    assert associations.between(db, ME, ingrid, lars).labels == ["Manager"]  # type: ignore[union-attr]
    assert associations.between(db, ME, lars, ingrid).labels == ["Employee"]  # type: ignore[union-attr]
    assert len(_linked(db, "contacts", ingrid, "notes")) == 1
    entries = history.record_history(db, ME, "contacts", ingrid).entries
    assert entries and {e.source for e in entries} == {Source.IMPORT}


def test_demo_is_not_loaded_into_an_account_with_records(db: Database) -> None:
    records.create(db, ME, "contacts", {"firstname": "Ann"})
    before = dump(db)
    assert load_demo(db) is None
    assert dump(db) == before


@pytest.mark.parametrize(
    "command",
    [("token", "list"), ("export", "out.csv", "--object", "contacts")],
    ids=["token list", "export"],
)
def test_o5_a_command_for_an_account_that_does_not_exist_says_so(
    tmp_path: Path, url: str, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = run(*command, "--account", "99", "--database", url)
    assert code == 1, output
    assert "ACCOUNT_NOT_FOUND: Account 99 does not exist." in output

"""S2: tokens and scopes. 401 without a valid token, 403 naming the missing scope."""

from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.cli.main import cli
from liaison.services import tokens
from liaison.services.database import Database
from tests.api.conftest import Live, token_for


def test_s2_no_token_is_401_with_hubspot_error_body(db: Database) -> None:
    client = TestClient(create_app(db))
    response = client.get("/liaison/v1/whoami")
    assert response.status_code == 401
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert "Bearer" in body["message"]
    assert body["correlationId"]


def test_s2_wrong_or_revoked_token_is_401(db: Database) -> None:
    value = token_for(db, "crm.objects.contacts.read")
    client = TestClient(create_app(db))
    ok = client.get("/liaison/v1/whoami", headers={"Authorization": f"Bearer {value}"})
    assert ok.status_code == 200
    assert ok.json()["name"] == "limited"
    assert (
        client.get("/liaison/v1/whoami", headers={"Authorization": "Bearer lia_1_nope"}).status_code
        == 401
    )
    token = tokens.authenticate(db, value)
    assert token is not None
    tokens.revoke_token(db, 1, token.id)
    again = client.get("/liaison/v1/whoami", headers={"Authorization": f"Bearer {value}"})
    assert again.status_code == 401
    assert "revoked" in again.json()["message"]


def test_s2_tokens_are_stored_hashed(db: Database) -> None:
    value = token_for(db, "crm.objects.contacts.read")
    with db.engine.connect() as conn:
        stored = [
            row.secret_hash for row in conn.exec_driver_sql("SELECT secret_hash FROM api_tokens")
        ]
    assert value not in stored
    secret = value.removeprefix("lia_1_")
    assert all(len(h) == 64 and secret not in h for h in stored)


def test_s2_token_cli_creates_lists_and_revokes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    created = runner.invoke(
        cli,
        [
            "token",
            "create",
            "--name",
            "Zapier sync",
            "--scopes",
            "crm.objects.contacts.read,crm.objects.companies.read",
            "--database",
            url,
        ],
    )
    assert created.exit_code == 0, created.output
    value = next(line for line in created.output.splitlines() if line.startswith("lia_1_"))
    listed = runner.invoke(cli, ["token", "list", "--database", url])
    assert "Zapier sync" in listed.output and value not in listed.output
    database = Database.open(url, migrate=False)
    try:
        token = tokens.authenticate(database, value)
        assert token is not None
        assert token.scopes == {"crm.objects.contacts.read", "crm.objects.companies.read"}
    finally:
        database.close()
    revoked = runner.invoke(cli, ["token", "revoke", str(token.id), "--database", url])
    assert revoked.exit_code == 0, revoked.output
    database = Database.open(url, migrate=False)
    try:
        assert tokens.authenticate(database, value) is None
    finally:
        database.close()
    bad = runner.invoke(
        cli, ["token", "create", "--name", "x", "--scopes", "crm.everything", "--database", url]
    )
    assert bad.exit_code != 0 and "Unknown scope 'crm.everything'" in bad.output


def test_s2_admin_token_from_the_environment_has_every_scope(live: Live) -> None:
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{live.url}/liaison/v1/whoami", headers={"Authorization": f"Bearer {live.token}"}
    )
    with urllib.request.urlopen(request) as response:
        me = json.loads(response.read())
    assert me["name"] == "admin"
    assert "crm.schemas.custom.write" in me["scopes"]

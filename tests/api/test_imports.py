"""The imports API (issue 6): POST /crm/v3/imports with HubSpot's multipart importRequest and
files, run in the background by the job runner; an import and the list of imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.services import records
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.helpers import dump

CSV = (
    "Email,First name,Company,Domain,Role\r\n"
    "ann@acme.example,Ann,Acme,acme.example,Primary\r\n"
    "bad-email,Bob,Acme,acme.example,\r\n"
)
MAPPINGS = [
    {"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "email",
     "columnType": "HUBSPOT_ALTERNATE_ID"},
    {"columnName": "First name", "columnObjectTypeId": "0-1", "propertyName": "firstname"},
    {"columnName": "Company", "columnObjectTypeId": "0-2", "propertyName": "name"},
    {"columnName": "Domain", "columnObjectTypeId": "0-2", "propertyName": "domain",
     "columnType": "HUBSPOT_ALTERNATE_ID"},
    {"columnName": "Role", "columnObjectTypeId": "0-1", "columnType": "FLEXIBLE_ASSOCIATION_LABEL"},
]  # fmt: skip


def request_body(mappings: list[dict[str, Any]] = MAPPINGS, **extra: Any) -> str:
    return json.dumps(
        {
            "name": "People",
            "files": [{"fileName": "people.csv", "fileImportPage": {"columnMappings": mappings}}],
            **extra,
        }
    )


def post(api: TestClient, body: str, data: str = CSV, **headers: str) -> Any:
    return api.post(
        "/crm/v3/imports",
        data={"importRequest": body},
        files={"files": ("people.csv", data.encode(), "text/csv")},
        headers=headers,
    )


def imported(api: TestClient, db: Database, body: str, data: str = CSV) -> dict[str, Any]:
    """Start an import, let the job runner run it, and answer the import as GET reads it."""
    answer = post(api, body, data)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "STARTED"
    Runner(db, JobSettings(chunk_size=2, pause=0)).run_pending()
    found: dict[str, Any] = api.get(f"/crm/v3/imports/{answer.json()['id']}").json()
    return found


@pytest.fixture(autouse=True)
def import_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIAISON_IMPORT_DIR", str(tmp_path))
    return tmp_path


def test_an_import_runs_in_the_background_and_answers_its_counters(
    api: TestClient, db: Database, me: Caller
) -> None:
    started = post(api, request_body()).json()
    assert started["state"] == "STARTED" and started["importName"] == "People"
    assert records.list_records(db, me, "contacts").records == []
    Runner(db, JobSettings(chunk_size=2, pause=0)).run_pending()
    body = api.get(f"/crm/v3/imports/{started['id']}").json()
    assert body["state"] == "DONE" and body["id"] == started["id"]
    counters = body["metadata"]["counters"]
    assert counters["contacts.created"] == 1 and counters["rows_refused"] == 1
    assert counters["associations.created"] == 1
    ann = records.list_records(db, me, "contacts").records[0]
    assert ann.properties["firstname"] == "Ann"

    listed = api.get("/crm/v3/imports").json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]


def test_columns_not_mapped_are_ignored(api: TestClient, db: Database, me: Caller) -> None:
    assert imported(api, db, request_body(MAPPINGS[:1]))["state"] == "DONE"
    assert records.list_records(db, me, "companies").records == []
    assert records.list_records(db, me, "contacts").records[0].properties.get("firstname") is None


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"files": []}),
        json.dumps({"files": [{"fileName": "people.csv"}]}),
        request_body(
            [{"columnName": "Nope", "columnObjectTypeId": "0-1", "propertyName": "email"}]
        ),
        request_body([{"columnName": "Email", "columnObjectTypeId": "0-1", "propertyName": "x"}]),
        request_body(importOperations={"0-1": "SOMETIMES"}),
    ],
)
def test_a_bad_request_is_400_and_changes_nothing(api: TestClient, db: Database, body: str) -> None:
    before = dump(db)
    answer = post(api, body)
    assert answer.status_code == 400, answer.text
    assert dump(db) == before


def test_an_empty_file_is_400(api: TestClient) -> None:
    assert post(api, request_body(), data="").status_code == 400


def test_starting_an_import_needs_the_write_scope_of_each_object(
    api: TestClient, db: Database
) -> None:
    token = token_for(db, "crm.objects.contacts.write")
    answer = post(api, request_body(), Authorization=f"Bearer {token}")
    assert answer.status_code == 403
    assert "crm.objects.companies.write" in answer.text


def test_an_unknown_import_is_404(api: TestClient) -> None:
    assert api.get("/crm/v3/imports/999").status_code == 404


def test_the_refused_rows_are_listed_page_by_page(api: TestClient, db: Database) -> None:
    rows = "".join(f"bad{i},B{i},Acme,acme.example,\r\n" for i in range(3))
    body = imported(api, db, request_body(), data=CSV + rows)
    first = api.get(f"/crm/v3/imports/{body['id']}/errors?limit=2").json()
    assert [e["sourceData"]["lineNumber"] for e in first["results"]] == [3, 4]
    assert first["results"][0] == {
        "id": "0-3",
        "errorType": "INVALID_PROPERTY",
        "message": "Property 'email' must be an email address; got 'bad-email'.",
        "sourceData": {
            "fileName": "people.csv",
            "lineNumber": 3,
            "values": {
                "Email": "bad-email",
                "First name": "Bob",
                "Company": "Acme",
                "Domain": "acme.example",
                "Role": "",
            },
        },
    }
    after = first["paging"]["next"]["after"]
    rest = api.get(f"/crm/v3/imports/{body['id']}/errors?limit=2&after={after}").json()
    assert [e["sourceData"]["lineNumber"] for e in rest["results"]] == [5, 6]
    assert "paging" not in rest
    assert api.get(f"/crm/v3/imports/{body['id']}/errors?after=x").status_code == 400


def test_an_import_whose_job_fails_reads_failed(
    api: TestClient, db: Database, import_dir: Path
) -> None:
    started = post(api, request_body()).json()
    for kept in import_dir.rglob("*.csv"):
        kept.write_text("Email\r\nchanged@acme.example\r\n")  # not the file that was sent
    Runner(db, JobSettings(chunk_size=2, pause=0)).run_pending()
    assert api.get(f"/crm/v3/imports/{started['id']}").json()["state"] == "FAILED"
    listed = api.get("/crm/v3/imports").json()["results"]
    assert [i["state"] for i in listed] == ["FAILED"]

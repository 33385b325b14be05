"""Imports from the web UI (issue 6), in-process on both stores: upload → mapping with the
importer's guesses → preview (a dry run: nothing written) → run as a job of the import's own
operation (source IMPORT, the signed-in user) → summary with the refused rows and their error
file. Bad files are refused with a clear message; another account sees nothing of an import."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from liaison.domain.history import ActorKind, Source
from liaison.services import associations, history, import_uploads, jobs, labels, records
from liaison.services.database import Database, create_account
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.users import User
from tests.web.conftest import csrf, make_user, post_form, sign_in

PEOPLE = (
    "Email,First name,Company name,Company domain,Association label\n"
    "zoe@acme.com,Zoe,Acme,acme.com,Primary;Decision maker\n"
    "bob@globex.com,<b>Bob</b>,Globex,globex.com,\n"
    "bad@,Bad,Initech,initech.com,\n"
)


@pytest.fixture(autouse=True)
def import_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(import_uploads.IMPORT_DIR_ENV, str(tmp_path / "imports"))
    yield tmp_path / "imports"


def upload(client: TestClient, content: bytes, name: str = "people.csv", **fields: str) -> Response:
    """As the page's htmx form sends it (the CSRF token in the header)."""
    data = {"object": "contacts", "with": "companies", **fields}
    files = {"file": (name, content, "text/csv")}
    headers = {"x-csrftoken": csrf(client)}
    return client.post("/app/imports/upload", data=data, files=files, headers=headers)


def fields_of(html: str) -> dict[str, str]:
    """The form's hidden fields and each select's selected option."""
    found = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select name="(col\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen.group(1) if chosen else ""
    found.pop("csrftoken", None)
    return found


def _companies(db: Database, user: User, contact_id: int) -> dict[int, set[str]]:
    page = associations.list_associations(db, user.caller, "contacts", contact_id, "companies")
    return {a.to_id: {t.label or "" for t in a.types} for a in page.results}


def _emails(db: Database, user: User, object_type: str = "contacts") -> dict[str, int]:
    page = records.list_records(db, user.caller, object_type)
    key = "email" if object_type == "contacts" else "domain"
    return {str(r.properties.get(key)): r.id for r in page.records}


def _mapped(web: TestClient, content: bytes = PEOPLE.encode()) -> dict[str, str]:
    mapping = upload(web, content)
    assert mapping.status_code == 200, mapping.text[:2000]
    return fields_of(mapping.text)


def test_upload_shows_each_column_with_the_guess_chosen_and_cells_escaped(
    web: TestClient, ann: User, import_dir: Path
) -> None:
    mapping = upload(web, PEOPLE.encode())
    assert mapping.status_code == 200
    chosen = fields_of(mapping.text)
    assert [chosen[f"col{i}"] for i in range(5)] == [
        "contacts.email",
        "contacts.firstname",
        "companies.name",
        "companies.domain",
        "labels",
    ]
    assert chosen["object"] == "contacts" and chosen["with"] == "companies"
    assert "&lt;b&gt;Bob&lt;/b&gt;" in mapping.text and "<b>Bob</b>" not in mapping.text
    assert "Don't import" in mapping.text
    (kept,) = import_dir.iterdir()
    assert kept.name.startswith(f"{ann.caller.account_id}-") and kept.name.endswith("people.csv")


def test_preview_is_a_dry_run_that_writes_nothing(web: TestClient, db: Database, ann: User) -> None:
    labels.create_label(db, ann.caller, "contacts", "companies", label="Decision maker")
    fields = _mapped(web)
    preview = post_form(web, "/app/imports/preview", **fields)
    assert preview.status_code == 200, preview.text[:2000]
    assert "Nothing is written yet" in preview.text
    assert "<strong>3</strong> rows" in preview.text
    assert "<strong>2</strong> contacts created" in preview.text
    assert "<strong>1</strong> rows refused" in preview.text
    assert "Line 4: <code>INVALID_PROPERTY</code>" in preview.text
    assert _emails(db, ann) == {}
    assert fields_of(preview.text)["col4"] == "labels"


def test_run_is_a_job_of_the_import_operation_with_progress_summary_and_error_file(
    web: TestClient, db: Database, ann: User
) -> None:
    labels.create_label(db, ann.caller, "contacts", "companies", label="Decision maker")
    fields = _mapped(web)
    started = post_form(web, "/app/imports/run", **fields)
    assert started.status_code == 303
    url = started.headers["location"]
    import_id = int(url.rsplit("/", 1)[1])
    running = web.get(url)
    assert running.status_code == 200
    assert "<progress" in running.text and 'hx-trigger="every 1s"' in running.text
    job = jobs.get(db, ann.caller, import_id)
    assert job.kind == "import" and job.total == 3  # three rows, read once (one pass)
    Runner(db, JobSettings(chunk_size=2, pause=0)).run_pending()
    done = web.get(url + "/progress")
    assert 'data-state="done"' in done.text and "every 1s" not in done.text
    assert "<strong>2</strong> contacts created" in done.text
    assert "Line 4: <code>INVALID_PROPERTY</code>" in done.text
    assert 'href="/app/contacts"' in done.text and 'href="/app/companies"' in done.text
    errors = web.get(url + "/errors.csv")
    assert errors.headers["content-type"].startswith("text/csv")
    lines = errors.text.splitlines()
    assert lines[0].startswith("File,Line,Error,Message,Email")
    assert lines[1].startswith("people.csv,4,INVALID_PROPERTY,")
    contacts, companies = _emails(db, ann), _emails(db, ann, "companies")
    assert set(contacts) == {"zoe@acme.com", "bob@globex.com"}
    zoe = _companies(db, ann, contacts["zoe@acme.com"])
    assert zoe == {companies["acme.com"]: {"", "Primary", "Decision maker"}}
    operation = history.operation(db, ann.caller, import_id)
    assert operation.kind == "import" and operation.source is Source.IMPORT
    assert (operation.actor_kind, operation.actor_id) == (ActorKind.USER, str(ann.id))
    assert operation.entries and {e.operation_id for e in operation.entries} == {import_id}
    listed = web.get("/app/imports").text
    assert f'href="/app/imports/{import_id}">people.csv</a>' in listed
    assert "Ann Admin" in listed


def test_changing_a_column_to_dont_import_is_honoured(
    web: TestClient, db: Database, ann: User
) -> None:
    fields = {**_mapped(web), "col1": "", "col4": ""}
    post_form(web, "/app/imports/run", **fields)
    Runner(db, JobSettings(chunk_size=50, pause=0)).run_pending()
    page = records.list_records(db, ann.caller, "contacts")
    assert {r.properties.get("firstname") for r in page.records} == {None}


def test_an_xlsx_file_is_mapped_like_a_csv(web: TestClient) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in PEOPLE.splitlines():
        sheet.append(line.split(","))
    content = io.BytesIO()
    book.save(content)
    mapping = upload(web, content.getvalue(), "people.xlsx")
    assert mapping.status_code == 200
    assert fields_of(mapping.text)["col3"] == "companies.domain"
    assert "zoe@acme.com" in mapping.text


def test_an_unknown_object_is_refused(web: TestClient) -> None:
    refused = upload(web, PEOPLE.encode(), **{"object": "nothing", "with": ""})
    assert "Choose what each row of the file is." in refused.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", b"", "The file is empty."),
        ("people.pdf", b"%PDF-1.4", "Upload a CSV or XLSX file"),
        ("people.xlsx", b"not a zip", "cannot be read"),
        ("people.csv", b"Nothing,Known\n1,2\n", "No column"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(
    web: TestClient, name: str, content: bytes, message: str
) -> None:
    refused = upload(web, content, name)
    if message == "No column":
        fields = {**fields_of(refused.text), "col0": "", "col1": ""}
        refused = post_form(web, "/app/imports/preview", **fields)
    assert refused.status_code == 400
    assert message in refused.text


def test_a_file_over_the_limit_is_refused_and_not_kept(
    web: TestClient, import_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_uploads, "MAX_BYTES", 100)
    refused = upload(web, PEOPLE.encode() * 5)
    assert refused.status_code == 400 and "The file is over 0 MB." in refused.text
    assert list(import_dir.iterdir()) == []


def test_the_upload_needs_the_csrf_token(web: TestClient, import_dir: Path) -> None:
    files = {"file": ("people.csv", PEOPLE.encode(), "text/csv")}
    headers = {"x-csrftoken": "forged"}
    data = {"object": "contacts"}
    refused = web.post("/app/imports/upload", data=data, files=files, headers=headers)
    assert refused.status_code == 403
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


def test_another_account_sees_nothing_of_an_import(web: TestClient, db: Database) -> None:
    fields = _mapped(web)
    started = post_form(web, "/app/imports/run", **fields)
    url = started.headers["location"]
    Runner(db, JobSettings(chunk_size=50, pause=0)).run_pending()
    other_account = create_account(db, name="Other")
    make_user(db, "eve@example.com", account_id=other_account, name="Eve")
    with TestClient(web.app) as eve:
        assert sign_in(eve, "eve@example.com", account=str(other_account)).status_code == 303
        page = eve.get(url)
        assert page.status_code == 400 and "There is no import" in page.text  # as for jobs
        assert "people.csv" not in page.text
        assert eve.get(url + "/errors.csv").status_code == 400
        assert "people.csv" not in eve.get("/app/imports").text
        stolen = post_form(eve, "/app/imports/preview", **fields)
        assert stolen.status_code == 400 and "upload the file again" in stolen.text

"""The web UI's import in headless Chromium against a live `liaison serve --demo` (issue 6):
upload a contacts + companies CSV with a label column, accept the guessed mapping, preview,
run, watch the progress bar finish and read the summary; then the API (v4 associations) shows
each contact with its company, the label and the primary. Skips loudly without Chromium."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liaison.domain import scopes
from liaison.services import labels, tokens
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, sign_in

PEOPLE = (
    "Email,First name,Last name,Company name,Company domain,Association label\n"
    "zoe@importco.test,Zoe,Import,Importco,importco.test,Primary;Decision maker\n"
    "yan@importco.test,Yan,Import,Importco,importco.test,\n"
    "xia@otherco.test,Xia,Import,Otherco,otherco.test,Decision maker\n"
    "bad@,Bad,Row,Badco,badco.test,\n"
)


@dataclass(frozen=True)
class Served:
    url: str
    token: str
    csv: Path


def _seed(database_url: str) -> str:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        labels.create_label(database, me, "contacts", "companies", label="Decision maker")
        wanted = [scopes.objects(t, write=False) for t in ("contacts", "companies")]
        return tokens.create_token(database, me.account_id, name="imports", scopes=wanted)[1]
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("imports")
    database_url = f"sqlite:///{tmp / 'imports.db'}"
    token = _seed(database_url)
    csv = tmp / "people.csv"
    csv.write_text(PEOPLE)
    env = {
        "LIAISON_JOB_CHUNK_SIZE": "1",
        "LIAISON_JOB_PAUSE_MS": "100",
        "LIAISON_IMPORT_DIR": str(tmp / "uploads"),
    }
    with serving(database_url, tmp / "serve.log", "--demo", env=env) as url:
        yield Served(url, token, csv)


def _get(served: Served, path: str) -> Any:
    request = urllib.request.Request(
        served.url + path, headers={"Authorization": f"Bearer {served.token}"}
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def _contact_id(served: Served, email: str) -> int:
    body = _get(served, f"/crm/v3/objects/contacts/{email}?idProperty=email")
    return int(body["id"])


def _company_labels(served: Served, contact_id: int) -> dict[str, set[str | None]]:
    body = _get(served, f"/crm/v4/objects/contacts/{contact_id}/associations/companies")
    found: dict[str, set[str | None]] = {}
    for result in body["results"]:
        company = _get(served, f"/crm/v3/objects/companies/{result['toObjectId']}")
        found[company["properties"]["domain"]] = {t["label"] for t in result["associationTypes"]}
    return found


def test_import_contacts_with_companies_and_labels_from_the_web_ui(
    page: Any, served: Served
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.get_by_role("link", name="Imports").click()
    page.wait_for_url("**/app/imports")  # loaded: htmx has bound the upload form
    form = page.get_by_role("form", name="New import")
    form.get_by_label("Each row is a").select_option("contacts")
    form.get_by_label("with its (optional)").select_option("companies")
    form.get_by_label("File").set_input_files(str(served.csv))
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the columns of people.csv")
    expect(page.get_by_label("Column Association label imported as")).to_have_value("labels")
    expect(page.get_by_label("Column Company domain imported as")).to_have_value("companies.domain")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of people.csv")
    expect(page.locator(".import-errors")).to_contain_text("Line 5: INVALID_PROPERTY")
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    page.get_by_role("button", name="Run the import").click()
    progress = page.locator(".import-progress")
    expect(progress.locator("progress")).to_be_visible()
    expect(progress).to_have_attribute("data-state", "done", timeout=60_000)
    expect(progress).to_contain_text("3 contacts created")
    expect(progress).to_contain_text("1 rows refused")
    expect(progress.get_by_role("link", name="Download the refused rows (CSV)")).to_be_visible()
    zoe = _company_labels(served, _contact_id(served, "zoe@importco.test"))
    assert zoe == {"importco.test": {None, "Primary", "Decision maker"}}
    yan = _company_labels(served, _contact_id(served, "yan@importco.test"))
    assert yan == {"importco.test": {None, "Primary"}}  # the first company is the primary (P3)
    xia = _company_labels(served, _contact_id(served, "xia@otherco.test"))
    assert xia == {"otherco.test": {None, "Primary", "Decision maker"}}

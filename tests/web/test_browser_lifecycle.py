"""Delete → restore and merge in headless Chromium against a live `liaison serve --demo`
(L1-L3): each flow as a user does it from the record page, then what the API's association
history says happened (sources OBJECT_DELETION, OBJECT_RESTORE, OBJECT_MERGE). Skips loudly
without Chromium (fails under LIAISON_REQUIRE_ALL=1)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.domain import scopes
from liaison.services import associations, records, tokens
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, card_item, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    company: int
    doomed: int
    keep: int
    duplicate: int
    token: str


def _seed(database_url: str) -> tuple[int, int, int, int, str]:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        company = records.create(database, me, "companies", {"name": "Lifecycle Ltd"})
        people = records.create_many(
            database,
            me,
            "contacts",
            [
                records.NewRecord({"firstname": first, "lastname": "Cycle"})
                for first in ("Dora", "Kim", "Kimberly")
            ],
        )
        doomed, keep, duplicate = (p.id for p in people)
        inputs = [AssociationInput(doomed, company.id), AssociationInput(duplicate, company.id)]
        associations.associate(database, me, inputs).check()
        _, token = tokens.create_token(
            database,
            me.account_id,
            name="lifecycle",
            scopes=[scopes.objects(t, write=False) for t in ("contacts", "companies")],
        )
        return company.id, doomed, keep, duplicate, token
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("lifecycle")
    database_url = f"sqlite:///{tmp / 'lifecycle.db'}"
    seeded = _seed(database_url)
    with serving(database_url, tmp / "serve.log", "--demo") as url:
        yield Seeded(url, *seeded)


def _history(served: Seeded, record_id: int) -> list[tuple[str, str]]:
    request = urllib.request.Request(
        f"{served.url}/liaison/v1/objects/contacts/{record_id}/association-history",
        headers={"Authorization": f"Bearer {served.token}"},
    )
    with urllib.request.urlopen(request) as response:
        body = json.load(response)
    return [(r["change"], r["source"]) for r in body["results"]]


def test_L1_L2_delete_a_contact_from_its_page_and_restore_it_from_the_recycle_bin(
    page: Any, served: Seeded
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.doomed}")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete Dora Cycle?")).to_be_visible()
    expect(page.get_by_text("associated with 1 record")).to_be_visible()
    page.get_by_role("button", name="Delete contact").click()
    page.wait_for_url(re.compile(r"/app/contacts/recycle-bin"))
    expect(page.get_by_role("status")).to_contain_text("Deleted Dora Cycle.")
    page.screenshot(path=str(SCREENSHOTS / "recycle-bin.png"), full_page=True)
    page.get_by_role("button", name="Restore Dora Cycle").click()
    expect(page.get_by_role("status")).to_contain_text("Restored 1 contact")
    expect(page.get_by_role("status")).to_contain_text("and 1 association")
    page.get_by_role("link", name="Dora Cycle").click()
    expect(card_item(page, "Lifecycle Ltd").locator(".badge.primary")).to_be_visible()

    changes = _history(served, served.doomed)
    assert ("CREATED", "OBJECT_RESTORE") in changes
    assert ("REMOVED", "OBJECT_DELETION") in changes


def test_L3_merge_a_duplicate_from_the_record_page(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.keep}")
    page.get_by_role("link", name="Merge").click()
    with swapping(page):
        page.get_by_label("Search contacts by name").fill("kimberly")
    page.get_by_role("link", name="Kimberly Cycle").click()
    expect(page.get_by_role("heading", name="Merge Kimberly Cycle into Kim Cycle")).to_be_visible()
    expect(page.locator("#merge-moving")).to_contain_text("1 company")
    page.screenshot(path=str(SCREENSHOTS / "merge-preview.png"), full_page=True)
    page.get_by_role("button", name="Merge").click()
    page.wait_for_url(re.compile(rf"/app/contacts/{served.keep}$"))
    expect(card_item(page, "Lifecycle Ltd").locator(".badge.primary")).to_be_visible()
    page.goto(f"{served.url}/app/contacts/{served.duplicate}")  # the merged ID leads here
    page.wait_for_url(re.compile(rf"/app/contacts/{served.keep}$"))

    changes = _history(served, served.keep)
    assert ("CREATED", "OBJECT_MERGE") in changes

"""The association sidebar's editing flows in headless Chromium against a live `liaison serve
--demo` (U2, U3, P4): sign in, open a contact, + Add two existing companies replacing its
primary, label one Advisor, remove the primary naming its successor; then read what the API
returns. Skips loudly without Chromium (fails under LIAISON_REQUIRE_ALL=1)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.domain import scopes
from liaison.services import associations, labels, records, tokens
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, card_item, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    database_url: str
    max: int
    umbrella: int
    initech: int
    hooli: int
    token: str


def _seed(database_url: str) -> tuple[int, int, int, int, str]:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        made = records.create_many(
            database,
            me,
            "companies",
            [records.NewRecord({"name": n}) for n in ("Umbrella", "Initech", "Hooli")],
        )
        umbrella, initech, hooli = (r.id for r in made)
        labels.create_label(database, me, "contacts", "companies", label="Advisor")
        person = records.create(database, me, "contacts", {"firstname": "Max", "lastname": "Panel"})
        associations.associate(database, me, [AssociationInput(person.id, umbrella)]).check()
        _, token = tokens.create_token(
            database,
            me.account_id,
            name="panels",
            scopes=[scopes.objects(t, write=False) for t in ("contacts", "companies")],
        )
        return person.id, umbrella, initech, hooli, token
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("panels")
    database_url = f"sqlite:///{tmp / 'panels.db'}"
    seeded = _seed(database_url)
    with serving(database_url, tmp / "serve.log", "--demo") as url:
        yield Seeded(url, database_url, *seeded)


def _api_companies(served: Seeded) -> dict[int, list[str | None]]:
    request = urllib.request.Request(
        f"{served.url}/crm/v4/objects/contacts/{served.max}/associations/companies",
        headers={"Authorization": f"Bearer {served.token}"},
    )
    with urllib.request.urlopen(request) as response:
        body = json.load(response)
    return {
        r["toObjectId"]: sorted(t["label"] or "" for t in r["associationTypes"])
        for r in body["results"]
    }


def test_U2_U3_add_two_companies_label_one_and_remove_the_primary_naming_a_successor(
    page: Any,
    served: Seeded,
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.max}")
    expect(card_item(page, "Umbrella").locator(".badge.primary")).to_be_visible()

    companies = page.locator('section[data-type="companies"]')
    with swapping(page):
        companies.get_by_role("button", name="Add companies").click()
    panel = page.get_by_role("region", name="Add companies")
    expect(panel.get_by_label("Search companies")).to_be_focused()  # type at once
    with swapping(page):
        panel.get_by_label("Search companies").fill("i")  # Initech and Hooli, as you type
    expect(panel.locator("#add-results li")).to_have_count(2)
    panel.get_by_label("Initech").check()
    with swapping(page):
        panel.get_by_label("Search companies").fill("hoo")  # a new search keeps Initech ticked
    expect(panel.locator("#add-results li")).to_have_count(2)
    expect(panel.get_by_label("Initech")).to_be_checked()
    panel.get_by_label("Hooli").check()
    with swapping(page):
        panel.get_by_role("button", name="Next").click()
    panel.get_by_label("Replace Umbrella as primary with Hooli").check()
    page.screenshot(path=str(SCREENSHOTS / "add-panel.png"), full_page=True)
    with swapping(page):
        panel.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("2 companies associated.")
    expect(card_item(page, "Hooli").locator(".badge.primary")).to_be_visible()
    expect(card_item(page, "Umbrella").locator(".badge.primary")).to_have_count(0)

    initech = card_item(page, "Initech")
    initech.get_by_label("Actions for Initech").click()
    with swapping(page):
        initech.get_by_role("button", name="Edit labels").click()
    form = page.get_by_role("form", name="Labels of Initech")
    form.get_by_label("Advisor").check()
    with swapping(page):
        form.get_by_role("button", name="Save labels").click()
    expect(page.get_by_role("status")).to_have_text("Labels saved.")
    expect(card_item(page, "Initech").locator(".badge.label")).to_have_text("Advisor")

    hooli = card_item(page, "Hooli")
    hooli.get_by_label("Actions for Hooli").click()
    remove = hooli.locator("form", has=page.get_by_role("button", name="Remove association"))
    remove.get_by_label("New primary").select_option(label="Initech")
    page.screenshot(path=str(SCREENSHOTS / "association-menu.png"), full_page=True)
    remove.get_by_role("button", name="Remove association").click()
    expect(page.get_by_role("status")).to_have_text("Association removed.")
    expect(card_item(page, "Hooli")).to_have_count(0)
    expect(card_item(page, "Initech").locator(".badge.primary")).to_be_visible()
    overview = page.locator("#overview")  # updated with the sidebar
    expect(overview).to_contain_text("associated with 2 records")
    expect(overview).to_contain_text("Primary: Initech")

    assert _api_companies(served) == {
        served.umbrella: [""],
        served.initech: ["", "Advisor", "Primary"],
    }

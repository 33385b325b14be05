"""The web UI in a real headless Chromium (Playwright with the system Chromium) against a live
`liaison serve --demo`: sign in, browse an index, search, open a contact and see its companies
with the Primary badge and labels, set another primary, sign out. Writes the screenshots in
docs/screenshots/. Without Chromium these tests skip loudly (fail under LIAISON_REQUIRE_ALL=1)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liaison.domain.history import Source
from liaison.services import associations, history, labels, records, users
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, card_item, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    database_url: str
    zoe: int
    acme: int
    globex: int
    log: Path


def _seed(database_url: str) -> tuple[int, int, int]:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        acme = records.create(database, me, "companies", {"name": "Acme", "domain": "acme.example"})
        globex = records.create(
            database, me, "companies", {"name": "Globex", "city": "Springfield"}
        )
        advisor, _ = labels.create_label(database, me, "contacts", "companies", label="Advisor")
        zoe = records.create(
            database,
            me,
            "contacts",
            {
                "firstname": "Zoe",
                "lastname": "Browser",
                "email": "zoe@acme.example",
                "jobtitle": "Head of Operations",
                "phone": "+1 555 0100",
            },
        )
        others = [("Ann", "Lee", "CTO"), ("Bob", "Ray", "Buyer"), ("Cleo", "Park", "CFO")]
        records.create_many(
            database,
            me,
            "contacts",
            [
                records.NewRecord(
                    {
                        "firstname": f,
                        "lastname": last,
                        "jobtitle": job,
                        "email": f"{f.lower()}@globex.example",
                    },
                    [records.NewAssociation(globex.id)],
                )
                for f, last, job in others
            ],
        )
        associations.associate(database, me, [AssociationInput(zoe.id, acme.id)]).check()
        associations.associate(
            database, me, [AssociationInput(zoe.id, globex.id, (advisor.id,))]
        ).check()
        records.create(database, me, "deals", {"dealname": "Acme renewal", "amount": 12000})
        return zoe.id, acme.id, globex.id
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{tmp / 'browser.db'}"
    zoe, acme, globex = _seed(database_url)
    log_path = tmp / "serve.log"
    with serving(database_url, log_path, "--demo") as url:
        yield Seeded(url, database_url, zoe, acme, globex, log_path)


def test_serve_demo_prints_the_demo_users_credentials(served: Seeded) -> None:
    log = served.log.read_text()
    assert users.DEMO_EMAIL in log and users.DEMO_PASSWORD in log


def test_S1_U1_sign_in_search_open_a_contact_and_sign_out(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(4)
    expect(page.get_by_role("link", name="Zoe Browser")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "contacts-index.png"), full_page=True)

    with swapping(page):
        page.get_by_label("Search contacts").fill("zoe")  # htmx searches as you type
    expect(rows).to_have_count(1)
    page.wait_for_url(re.compile(r"q=zoe"))
    expect(page.locator(".count")).to_contain_text("1 contact matching")

    page.get_by_role("link", name="Zoe Browser").click()
    page.wait_for_url(re.compile(rf"/app/contacts/{served.zoe}$"))
    expect(page.get_by_role("heading", name="Zoe Browser", level=1)).to_be_visible()
    acme = card_item(page, "Acme")
    globex = card_item(page, "Globex")
    expect(acme.locator(".badge.primary")).to_have_text("Primary")
    expect(globex.locator(".badge.label")).to_have_text("Advisor")
    expect(globex.locator(".badge.primary")).to_have_count(0)
    expect(page.locator(".overview")).to_contain_text("associated with 2 records")
    page.screenshot(path=str(SCREENSHOTS / "record-page.png"), full_page=True)

    page.get_by_role("link", name="Sign out").or_(
        page.get_by_role("button", name="Sign out")
    ).click()
    page.wait_for_url(re.compile(r"/app/signin"))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(served.url + "/app/contacts")
    assert "/app/signin" in page.url


def test_U3_set_as_primary_from_the_card_menu(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.zoe}")
    globex = card_item(page, "Globex")
    globex.get_by_label("Actions for Globex").click()
    with swapping(page):
        globex.get_by_role("button", name="Set as primary").click()
    expect(page.get_by_role("status")).to_have_text("Primary company changed.")
    expect(card_item(page, "Globex").locator(".badge.primary")).to_be_visible()
    expect(card_item(page, "Acme").locator(".badge.primary")).to_have_count(0)

    database = Database.open(served.database_url, migrate=False)
    try:
        entries = history.record_history(database, demo_caller(), "contacts", served.zoe).entries
    finally:
        database.close()
    assert entries[0].source is Source.USER and entries[0].actor_name == users.DEMO_NAME

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.reload()
    expect(page.get_by_role("heading", name="Zoe Browser", level=1)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "record-page-phone.png"), full_page=True)

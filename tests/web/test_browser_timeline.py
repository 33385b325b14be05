"""The timeline in headless Chromium against a live `liaison serve --demo` (T1, T2): log a note
on a contact, see it on the contact's timeline, then on its primary company's and its deal's
timelines (the activity rules associated it). Skips loudly without Chromium (fails under
LIAISON_REQUIRE_ALL=1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.services import associations, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, settled, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    contact: int
    company: int
    deal: int


def _seed(database_url: str) -> tuple[int, int, int]:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        company = records.create(database, me, "companies", {"name": "Timeco"})
        deal = records.create(database, me, "deals", {"dealname": "Timeline deal"})
        person = records.create(database, me, "contacts", {"firstname": "Tess", "lastname": "Log"})
        associations.associate(
            database,
            me,
            [AssociationInput(person.id, company.id), AssociationInput(person.id, deal.id)],
        ).check()
        return person.id, company.id, deal.id
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("timeline")
    database_url = f"sqlite:///{tmp / 'timeline.db'}"
    seeded = _seed(database_url)
    with serving(database_url, tmp / "serve.log", "--demo") as url:
        yield Seeded(url, *seeded)


def test_t1_t2_log_a_note_on_a_contact_and_see_it_on_its_company_and_deal(
    page: Any, served: Seeded
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.contact}")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("No activities yet.")
    settled(page)  # the timeline came by itself (hx-trigger="load"): its forms are bound

    timeline.get_by_text("Log note", exact=True).click()
    form = page.get_by_role("form", name="Log a note")
    form.get_by_label("Note").fill("Talked about the renewal")
    form.get_by_label("Date and time (UTC)").fill("2026-03-02T14:30")
    form.get_by_role("button", name="Save note").click()

    expect(timeline.get_by_role("status")).to_have_text("Note logged.")
    entry = timeline.locator("li.timeline-entry").first
    expect(entry).to_contain_text("Talked about the renewal")
    expect(entry).to_contain_text("02 Mar 2026 14:30 UTC")
    expect(entry.get_by_role("link", name="Timeco")).to_be_visible()
    expect(entry.get_by_role("link", name="Timeline deal")).to_be_visible()
    expect(page.locator('section[data-type="notes"] .count-badge')).to_have_text("1")
    page.screenshot(path=str(SCREENSHOTS / "timeline.png"), full_page=True)

    entry.get_by_role("link", name="Timeco").click()
    page.wait_for_url(f"**/app/companies/{served.company}")
    expect(page.locator("#timeline li.timeline-entry")).to_contain_text("Talked about the renewal")
    page.goto(f"{served.url}/app/deals/{served.deal}")
    expect(page.locator("#timeline li.timeline-entry")).to_contain_text("Talked about the renewal")
    settled(page)
    with swapping(page):
        page.locator("#timeline").get_by_role("link", name="Tasks").click()
    expect(page.locator("#timeline")).to_contain_text("No activities yet.")


def test_t2_the_activity_rules_page(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/settings/activity-rules")
    expect(page.get_by_role("heading", name="Activity rules")).to_be_visible()
    page.get_by_label("Notes logged on a contact → Companies").select_option("all")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_role("status")).to_have_text("Activity rules saved.")
    expect(page.get_by_label("Notes logged on a contact → Companies")).to_have_value("all")
    page.screenshot(path=str(SCREENSHOTS / "activity-rules.png"), full_page=True)

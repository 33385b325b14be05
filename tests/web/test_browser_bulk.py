"""Bulk association from an index page in headless Chromium against a live `liaison serve
--demo` (U5): tick 20 contacts, Associate them with a deal and a label, and read the deal's
contacts from the API; then "select all matching" 250 contacts, which runs as a job whose
progress bar fills until it is done. Skips loudly without Chromium."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.domain import scopes
from liaison.services import labels, records, tokens
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    few: list[int]
    many: list[int]
    deal: int
    token: str


def _seed(database_url: str) -> tuple[list[int], list[int], int, str]:
    database = Database.open(database_url)
    try:
        me = demo_caller()

        def people(prefix: str, count: int) -> list[int]:
            new = [records.NewRecord({"firstname": f"{prefix}{i:03}"}) for i in range(count)]
            return [r.id for r in records.create_many(database, me, "contacts", new)]

        few, many = people("Bulkperson", 20), people("Manyperson", 250)
        deal = records.create(database, me, "deals", {"dealname": "Bulk deal"})
        labels.create_label(database, me, "contacts", "deals", label="Decision maker")
        _, token = tokens.create_token(
            database,
            me.account_id,
            name="bulk",
            scopes=[scopes.objects(t, write=False) for t in ("contacts", "deals")],
        )
        return few, many, deal.id, token
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("bulk")
    database_url = f"sqlite:///{tmp / 'bulk.db'}"
    seeded = _seed(database_url)
    env = {"LIAISON_JOB_CHUNK_SIZE": "25", "LIAISON_JOB_PAUSE_MS": "50"}
    with serving(database_url, tmp / "serve.log", "--demo", env=env) as url:
        yield Seeded(url, *seeded)


def _deal_contacts(served: Seeded) -> set[int]:
    found: set[int] = set()
    after = ""
    while True:
        request = urllib.request.Request(
            f"{served.url}/crm/v4/objects/deals/{served.deal}/associations/contacts?limit=500"
            + (f"&after={after}" if after else ""),
            headers={"Authorization": f"Bearer {served.token}"},
        )
        with urllib.request.urlopen(request) as response:
            body = json.load(response)
        found |= {int(r["toObjectId"]) for r in body["results"]}
        after = body.get("paging", {}).get("next", {}).get("after", "")
        if not after:
            return found


def _choose_the_deal(page: Any, verb: str) -> Any:
    """Open the bulk panel of this verb, pick deals as the other type and search for the deal;
    return the panel. Each step waits for the swap it causes: the type's select replaces the
    whole panel (which keeps the keyboard's focus on it), the search its list of deals."""
    from playwright.sync_api import expect

    with swapping(page):
        page.get_by_role("button", name=f"{verb}…").click()
    panel = page.get_by_role("form", name=verb)
    kind = panel.get_by_label(re.compile("record of type"))
    kind.focus()
    with swapping(page):
        page.keyboard.type("d")  # Deals
    expect(kind).to_have_value("deals")
    expect(kind).to_be_focused()
    with swapping(page):
        panel.get_by_label("Search deals").fill("Bulk deal")
    panel.get_by_label("Bulk deal").check()
    return panel


def _associate_with_the_deal(page: Any, label: str | None = None) -> None:
    panel = _choose_the_deal(page, "Associate")
    if label:
        panel.get_by_label("Label (optional)").select_option(label=label)
    panel.get_by_role("button", name="Associate", exact=True).click()


def test_U5_bulk_associate_20_contacts_with_a_deal_from_the_index(
    page: Any, served: Seeded
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=Bulkperson")
    rows = page.locator("#results tbody input[name=id]")
    expect(rows).to_have_count(20)
    for i in range(20):
        rows.nth(i).check()
    _associate_with_the_deal(page, "Decision maker")
    result = page.locator("#bulk-panel .bulk-result")
    expect(result).to_contain_text("Associate 20 contacts with Bulk deal as Decision maker: done.")
    expect(result).to_contain_text("20 associated")
    page.screenshot(path=str(SCREENSHOTS / "bulk-associate.png"), full_page=True)
    assert _deal_contacts(served) == set(served.few)


def test_U5_all_matching_runs_as_a_job_with_a_progress_bar(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=Manyperson")
    page.get_by_label("Select all 250 matching").check()
    _associate_with_the_deal(page)
    progress = page.locator("#bulk-panel .job-progress")
    expect(progress.locator("progress")).to_be_visible()
    expect(page.locator("#bulk-panel")).to_contain_text("Running as a job")
    expect(progress).to_have_attribute("data-state", "done", timeout=60_000)
    expect(progress).to_contain_text("250 associated")
    progress.get_by_role("link", name=re.compile("Associate 250 contacts")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Job \d+"))
    page.goto(f"{served.url}/app/jobs")
    expect(page.locator("table.jobs tbody tr").first).to_contain_text("Done")
    page.screenshot(path=str(SCREENSHOTS / "jobs.png"), full_page=True)
    assert _deal_contacts(served) >= set(served.many)


def test_U5_bulk_remove_association_of_5_contacts_from_the_deal(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=Bulkperson")
    rows = page.locator("#results tbody input[name=id]")
    expect(rows).to_have_count(20)
    removed = set()
    for i in range(5):
        rows.nth(i).check()
        removed.add(int(rows.nth(i).get_attribute("value")))
    panel = _choose_the_deal(page, "Remove association")
    panel.get_by_role("button", name="Remove association", exact=True).click()
    result = page.locator("#bulk-panel .bulk-result")
    expect(result).to_contain_text("Remove the association of 5 contacts with Bulk deal: done.")
    expect(result).to_contain_text("5 removed")
    left = _deal_contacts(served)
    assert not removed & left and set(served.few) - removed <= left

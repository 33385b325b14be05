"""Index pages with association columns and filters in headless Chromium against a live
`liaison serve --demo` (U4, U6): add an association column and the Primary company column, open
a cell's popup, follow View associated, and use each filter by association; each step then
checks what the API and the services return. Writes docs/screenshots/index-association-columns.png
(with LIAISON_SCREENSHOTS=1). Skips loudly without Chromium (fails under LIAISON_REQUIRE_ALL=1)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.domain import scopes
from liaison.services import associations, browse, labels, records, tokens
from liaison.services.associations import AssociationInput
from liaison.services.browse import IndexFilter, IndexQuery
from liaison.services.database import Database
from liaison.services.demo import demo_caller
from tests.served import serving
from tests.web.browsing import SCREENSHOTS, sign_in, swapping


@dataclass(frozen=True)
class Seeded:
    url: str
    database_url: str
    ids: dict[str, int]
    token: str


_COMPANIES = {
    "Acme": "Software",
    "Globex": "Energy",
    "Initech": "Software consulting",
    "Umbrella": "Pharmaceuticals",
}
_LINKS = {
    "Ann Index": ("Acme", "Globex", "Big deal"),
    "Bob Index": ("Globex", "Initech", "Umbrella", "Big deal", "Broken printer"),
    "Cat Index": ("Broken printer",),
}

_DECISION_MAKERS = [("Globex", "Ann Index"), ("Initech", "Bob Index")]


def _seed(database_url: str) -> tuple[dict[str, int], str]:
    database = Database.open(database_url)
    try:
        me = demo_caller()
        ids: dict[str, int] = {}
        for name, industry in _COMPANIES.items():
            ids[name] = records.create(
                database, me, "companies", {"name": name, "industry": industry}
            ).id
        ids["Big deal"] = records.create(database, me, "deals", {"dealname": "Big deal"}).id
        ids["Broken printer"] = records.create(
            database, me, "tickets", {"subject": "Broken printer"}
        ).id
        for person, targets in _LINKS.items():
            first, last = person.split()
            ids[person] = records.create(
                database, me, "contacts", {"firstname": first, "lastname": last}
            ).id
            for target in targets:  # one by one: the first company becomes primary (P3)
                link = AssociationInput(ids[person], ids[target])
                associations.associate(database, me, [link]).check()
        decision_maker, _ = labels.create_label(
            database, me, "companies", "contacts", label="Decision maker"
        )
        ids["Decision maker"] = decision_maker.id
        labelled = [
            AssociationInput(ids[c], ids[p], (decision_maker.id,)) for c, p in _DECISION_MAKERS
        ]
        associations.associate(database, me, labelled).check()
        _, token = tokens.create_token(
            database,
            me.account_id,
            name="index",
            scopes=[scopes.objects(t, write=False) for t in ("contacts", "companies", "deals")],
        )
        return ids, token
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("index")
    database_url = f"sqlite:///{tmp / 'index.db'}"
    ids, token = _seed(database_url)
    with serving(database_url, tmp / "serve.log", "--demo") as url:
        yield Seeded(url, database_url, ids, token)


def _api_associated(served: Seeded, from_type: str, from_id: int, to_type: str) -> set[int]:
    request = urllib.request.Request(
        f"{served.url}/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}",
        headers={"Authorization": f"Bearer {served.token}"},
    )
    with urllib.request.urlopen(request) as response:
        return {r["toObjectId"] for r in json.load(response)["results"]}


def _matching(served: Seeded, object_type: str, *filters: IndexFilter) -> set[int]:
    database = Database.open(served.database_url)
    try:
        found = browse.matching_ids(
            database,
            demo_caller(),
            object_type,
            IndexQuery("index" if object_type == "contacts" else "", filters),
        )
        return {i for batch in found for i in batch}
    finally:
        database.close()


def _rows(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("table.records tbody th").all_inner_texts()]


def test_U4_association_columns_popup_and_view_associated(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    ids = served.ids
    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=index&sort=name&dir=asc")
    page.get_by_text("Edit columns").click()
    page.get_by_label("Companies").check()
    page.get_by_label("Deals").check()
    page.get_by_label("Primary company").check()
    page.get_by_role("button", name="Apply columns").click()
    table = page.locator("table.records")
    expect(table.get_by_role("columnheader", name="Primary company")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Companies")).to_be_visible()
    assert "cols=assoc%3Acompanies%2Cassoc%3Adeals%2Cprimary%3Acompanies" in page.url
    ann_row = table.locator("tr", has=page.get_by_role("link", name="Ann Index"))
    expect(ann_row.locator('td[data-type="companies"]')).to_contain_text("Acme Primary, Globex")
    bob_row = table.locator("tr", has=page.get_by_role("link", name="Bob Index"))
    expect(bob_row.locator("td.assoc-cell").first).to_have_text("Globex")  # the primary column
    bob_companies = bob_row.locator('td[data-type="companies"]')
    expect(bob_companies.locator("summary")).to_contain_text("3 companies")
    bob_companies.locator("summary").click()
    popup = bob_companies.get_by_role("dialog")
    for name in ("Globex", "Initech", "Umbrella"):
        expect(popup.get_by_role("link", name=name)).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "index-association-columns.png"), full_page=True)
    bob = ids["Bob Index"]
    shown = {ids[n] for n in ("Globex", "Initech", "Umbrella")}
    assert _api_associated(served, "contacts", bob, "companies") == shown

    popup.get_by_role("link", name="View associated companies").click()
    page.wait_for_url(re.compile(rf"/app/companies\?with={bob}$"))
    expect(page.locator(".chip")).to_have_text(
        re.compile("Associated with Bob Index \\(contact\\)")
    )
    assert sorted(_rows(page)) == ["Globex", "Initech", "Umbrella"]
    assert _matching(served, "companies", browse.AssociatedWith(bob)) == shown

    # the columns are remembered for this type when the address does not say
    page.goto(f"{served.url}/app/contacts")
    expect(page.locator("table.records").get_by_role("columnheader", name="Deals")).to_be_visible()


def test_U6_filters_by_association(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    ids = served.ids
    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=index&sort=name&dir=asc")

    # Associated with a record picked by search
    page.get_by_text("Add filter").click()
    with swapping(page):
        page.get_by_label("Type", exact=True).first.select_option(label="Deals")
    with swapping(page):
        page.get_by_label("Record").fill("big")
    page.locator("#filter-records").get_by_role("link", name="Big deal").click()
    expect(page.locator(".chip")).to_have_text(re.compile("Associated with Big deal \\(deal\\)"))
    assert _rows(page) == ["Ann Index", "Bob Index"]
    with_deal = {ids["Ann Index"], ids["Bob Index"]}
    assert _api_associated(served, "deals", ids["Big deal"], "contacts") == with_deal
    assert _matching(served, "contacts", browse.AssociatedWith(ids["Big deal"])) == with_deal
    page.get_by_role("link", name="Remove filter: Associated with Big deal (deal)").click()
    expect(page.locator(".chip")).to_have_count(0)
    assert len(_rows(page)) == 3

    # Has no company
    page.get_by_text("Add filter").click()
    page.get_by_label("Type", exact=True).nth(1).select_option(label="Companies")
    page.locator("form", has=page.locator("#filter-none")).get_by_role(
        "button", name="Apply filter"
    ).click()
    expect(page.locator(".chip")).to_have_text(re.compile("No companies"))
    assert _rows(page) == ["Cat Index"]
    assert _api_associated(served, "contacts", ids["Cat Index"], "companies") == set()
    assert _matching(served, "contacts", browse.HasNo("companies")) == {ids["Cat Index"]}
    page.get_by_role("link", name="Remove filter: No companies").click()

    # A property of the primary company
    page.get_by_text("Add filter").click()
    page.get_by_label("Property").select_option(label="Industry")
    page.get_by_label("Condition").select_option(label="contains")
    page.get_by_label("Value").fill("soft")
    page.locator("form", has=page.locator("#filter-pc-value")).get_by_role(
        "button", name="Apply filter"
    ).click()
    expect(page.locator(".chip")).to_have_text(
        re.compile("Primary company's Industry contains “soft”")
    )
    assert _rows(page) == ["Ann Index"]  # Bob's Initech is not his primary company
    assert "pc=industry%3Acontains%3Asoft" in page.url and "q=index" in page.url
    primary = browse.PrimaryCompanyHas("industry", "soft", contains=True)
    assert _matching(served, "contacts", primary) == {ids["Ann Index"]}


def test_U6_at_least_n_associated_records_with_a_label(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    ids = served.ids
    sign_in(page, served.url)
    page.goto(f"{served.url}/app/companies?sort=name&dir=asc")
    assert _rows(page) == ["Acme", "Globex", "Initech", "Umbrella"]

    page.get_by_text("Add filter").click()
    form = page.locator("form", has=page.locator("#filter-count-min"))
    form.get_by_label("Number").fill("1")
    kind = form.get_by_label("Type", exact=True)
    with swapping(page):
        kind.select_option(label="Deals")  # the label select follows the type (htmx)
    expect(form.get_by_label("Label (optional)")).not_to_contain_text("Decision maker")
    with swapping(page):
        kind.select_option(label="Contacts")
    expect(form.get_by_label("Label (optional)")).to_contain_text("Decision maker")
    form.get_by_label("Label (optional)").select_option(label="Decision maker")
    form.get_by_role("button", name="Apply filter").click()
    chip = "At least 1 contact labelled Decision maker"
    expect(page.locator(".chip")).to_have_text(re.compile(chip))
    assert _rows(page) == ["Globex", "Initech"]
    assert f"count=contacts%3A1%3A{ids['Decision maker']}" in page.url
    filtered = browse.HasAtLeast("contacts", 1, ids["Decision maker"])
    assert _matching(served, "companies", filtered) == {ids["Globex"], ids["Initech"]}
    assert ids["Ann Index"] in _api_associated(served, "companies", ids["Globex"], "contacts")

    # with another filter: at least 2 contacts (any label) among them
    page.goto(page.url + "&count=contacts%3A2")
    expect(page.locator(".chip")).to_have_count(2)
    assert _rows(page) == ["Globex"]
    assert _api_associated(served, "companies", ids["Globex"], "contacts") == {
        ids["Ann Index"],
        ids["Bob Index"],
    }
    page.get_by_role("link", name=f"Remove filter: {chip}").click()
    expect(page.locator(".chip")).to_have_text(re.compile("At least 2 contacts"))
    assert _rows(page) == ["Globex"]
    assert _matching(served, "companies", browse.HasAtLeast("contacts", 2)) == {ids["Globex"]}


def test_U5_popups_close_with_escape_and_a_click_elsewhere(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts?q=index&cols=assoc:companies")
    bob_row = page.locator("table.records tr", has=page.get_by_role("link", name="Bob Index"))
    summary = bob_row.locator('td[data-type="companies"] summary')
    summary.click()
    popup = bob_row.get_by_role("dialog")
    expect(popup.get_by_role("link", name="Initech")).to_be_visible()
    popup.get_by_role("link", name="Initech").focus()
    page.keyboard.press("Escape")
    expect(popup).to_be_hidden()
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")  # the keyboard opens it again
    expect(popup.get_by_role("link", name="Initech")).to_be_visible()
    page.locator("h1").click()
    expect(popup).to_be_hidden()

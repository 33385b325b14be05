"""Settings and association history in headless Chromium against a live `liaison serve --demo`
(the demo user is an admin): create a label in Settings and use it from Edit labels; set a
limit and see the refusal in the + Add panel; create a custom type with a property and an
association to contacts, then a record of it from a contact's card; read a contact's
association history and one association's history, and copy a link. Each page is checked
against what the services return. Skips loudly without Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from liaison.services import associations, history, labels, object_types, records, users
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
    limited: int
    umbrella: int
    initech: int


def _seed(database_url: str) -> tuple[int, int, int, int]:
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
        person = records.create(database, me, "contacts", {"firstname": "Max", "lastname": "Set"})
        limited = records.create(database, me, "contacts", {"firstname": "Lim", "lastname": "It"})
        associations.associate(
            database,
            me,
            [
                AssociationInput(person.id, umbrella),
                AssociationInput(person.id, hooli),
                AssociationInput(limited.id, hooli),
            ],
        ).check()
        associations.remove(database, me, [AssociationInput(person.id, hooli)]).check()
        return person.id, limited.id, umbrella, initech
    finally:
        database.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp = tmp_path_factory.mktemp("settings")
    database_url = f"sqlite:///{tmp / 'settings.db'}"
    seeded = _seed(database_url)
    with serving(database_url, tmp / "serve.log", "--demo") as url:
        yield Seeded(url, database_url, *seeded)


def _labels(served: Seeded, from_id: int, to_id: int) -> list[str]:
    database = Database.open(served.database_url)
    try:
        view = associations.between(database, demo_caller(), from_id, to_id)
        return [] if view is None else sorted(view.labels)
    finally:
        database.close()


def test_a5_a_label_created_in_settings_is_used_from_edit_labels(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Association labels")).to_be_visible()
    form = page.get_by_role("form", name="New label")
    form.get_by_label("Label", exact=True).fill("Champion")
    form.get_by_role("button", name="Create label").click()
    expect(page.get_by_role("status")).to_have_text("Label 'Champion' created.")
    expect(page.get_by_role("row", name=re.compile("^Champion"))).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "settings-labels.png"), full_page=True)

    page.goto(f"{served.url}/app/contacts/{served.max}")
    umbrella = card_item(page, "Umbrella")
    umbrella.get_by_label("Actions for Umbrella").click()
    with swapping(page):
        umbrella.get_by_role("button", name="Edit labels").click()
    labels_form = page.get_by_role("form", name="Labels of Umbrella")
    labels_form.get_by_label("Champion").check()
    labels_form.get_by_role("button", name="Save labels").click()
    expect(page.get_by_role("status")).to_have_text("Labels saved.")
    expect(card_item(page, "Umbrella").locator(".badge.label")).to_have_text("Champion")
    assert _labels(served, served.max, served.umbrella) == ["Champion", "Primary"]


def test_a6_a_limit_set_in_settings_refuses_in_the_add_panel(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/settings/limits?from=contacts&to=companies")
    limit = page.get_by_role("form", name="Limit of All companies (the pair)")
    limit.get_by_label("Maximum for All companies (the pair)").fill("1")
    limit.get_by_role("button", name="Set limit").click()
    expect(page.get_by_role("status")).to_have_text("Limit of the pair set to 1.")
    page.screenshot(path=str(SCREENSHOTS / "settings-limits.png"), full_page=True)
    try:
        page.goto(f"{served.url}/app/contacts/{served.limited}")
        companies = page.locator('section[data-type="companies"]')
        with swapping(page):
            companies.get_by_role("button", name="Add companies").click()
        panel = page.get_by_role("region", name="Add companies")
        with swapping(page):
            panel.get_by_label("Search companies").fill("Initech")
        expect(panel.locator("#add-results li")).to_have_count(1)
        panel.get_by_label("Initech").check()
        with swapping(page):
            panel.get_by_role("button", name="Next").click()
        panel.get_by_role("button", name="Save").click()
        expect(panel.get_by_role("alert")).to_have_text(
            f"Contact {served.limited} (Lim It) may be associated with at most 1 company; it has 1."
        )
        assert _labels(served, served.limited, served.initech) == []  # nothing changed
    finally:
        page.goto(f"{served.url}/app/settings/limits?from=contacts&to=companies")
        page.get_by_role("button", name="Remove the limit of All companies (the pair)").click()
        expect(page.get_by_role("status")).to_have_text("Limit removed: back to many.")


def test_o3_a_custom_type_made_in_settings_gets_records_from_a_contact(
    page: Any, served: Seeded
) -> None:
    from playwright.sync_api import expect

    sign_in(page, served.url)
    page.goto(f"{served.url}/app/settings/types")
    form = page.get_by_role("form", name="New custom object type")
    form.get_by_label("Name", exact=False).first.fill("vehicle")
    form.get_by_label("Singular label").fill("Vehicle")
    form.get_by_label("Plural label").fill("Vehicles")
    form.get_by_label("Primary display property").fill("plate")
    form.get_by_label("Property 1 name").fill("plate")
    form.get_by_label("Property 1 label").fill("Licence plate")
    form.get_by_label("Property 1 required").check()
    form.get_by_label("Contacts").check()
    form.get_by_role("button", name="Create object type").click()
    expect(page.get_by_role("status")).to_have_text("Custom object type Vehicles created.")
    expect(page.get_by_role("link", name="Vehicles", exact=True)).to_be_visible()  # navigation
    page.screenshot(path=str(SCREENSHOTS / "settings-custom-type.png"), full_page=True)

    page.goto(f"{served.url}/app/contacts/{served.max}")
    vehicles = page.locator('section[data-type="vehicle"]')
    with swapping(page):
        vehicles.get_by_role("button", name="Add vehicles").click()
    panel = page.get_by_role("region", name="Add vehicles")
    with swapping(page):
        panel.get_by_role("tab", name="Create new").click()
    panel.get_by_label("Licence plate").fill("EL 4242")
    panel.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Vehicle EL 4242 created and associated.")
    expect(card_item(page, "EL 4242", "vehicle")).to_be_visible()

    database = Database.open(served.database_url)
    try:
        kind = object_types.get_object_type(database, demo_caller(), "vehicle")
        assert kind.required == ("plate",)
        made = history.record_history(
            database, demo_caller(), "contacts", served.max, other_type="vehicle"
        ).entries
        assert [(e.other_name, e.change.value) for e in made] == [("EL 4242", "CREATED")]
    finally:
        database.close()


def test_H3_H4_association_history_and_one_associations_history(page: Any, served: Seeded) -> None:
    from playwright.sync_api import expect

    database = Database.open(served.database_url)
    try:  # a label of its own, newest: the test holds whether or not the others ran before it
        user = users.ensure_demo_user(database).caller
        mentor, _ = labels.create_label(database, user, "contacts", "companies", label="Mentor")
        newest = AssociationInput(served.max, served.umbrella, (mentor.id,))
        associations.associate(database, user, [newest]).check()
        expected = history.record_history(
            database, demo_caller(), "contacts", served.max, other_type="companies"
        ).entries
        pair = history.association_history(
            database, demo_caller(), "contacts", served.max, "companies", served.umbrella
        ).entries
    finally:
        database.close()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, served.url)
    page.goto(f"{served.url}/app/contacts/{served.max}")
    page.get_by_role("link", name="Association history").click()
    expect(page.get_by_role("heading", name="Association history of Max Set")).to_be_visible()
    rows = page.locator("table.history-table tbody tr")
    expect(rows).to_have_count(len(expected))
    shown = rows.locator("td.change").all_inner_texts()
    assert shown[0] == "Label 'Mentor' added" and "Association removed" in shown
    names = rows.locator("th a").all_inner_texts()
    assert names == [e.other_name for e in expected]
    ids = rows.locator("td:nth-child(2)").all_inner_texts()
    assert ids == [str(e.other_id) for e in expected]
    expect(rows.first.locator("td.source")).to_have_text("User · Demo User")
    page.screenshot(path=str(SCREENSHOTS / "association-history.png"), full_page=True)

    copy = rows.first.get_by_role("button", name="Copy link to Umbrella")
    copy.focus()
    page.keyboard.press("Enter")  # keyboard access
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{served.url}/app/companies/{served.umbrella}"

    page.get_by_label("Associated type").select_option("deals")
    expect(page).to_have_url(re.compile(r"history\?type=deals$"))
    expect(page.get_by_text("No changes of associations with deals yet.")).to_be_visible()

    page.goto(f"{served.url}/app/contacts/{served.max}")
    umbrella = card_item(page, "Umbrella")
    umbrella.get_by_label("Actions for Umbrella").click()
    umbrella.get_by_role("link", name="View history").click()
    expect(page.get_by_role("heading", name="History of Max Set ↔ Umbrella")).to_be_visible()
    changes = page.locator("table.history-table tbody td.change").all_inner_texts()
    assert changes[0] == "Label 'Mentor' added"
    assert changes[-2:] == ["Set as primary", "Associated"]
    assert len(changes) == len(pair)

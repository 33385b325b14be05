"""The association sidebar's editing flows (U2, U3), in-process on both stores: the + Add panel
(Add existing with primary and labels, Create new), Edit labels, Remove as primary and Remove
association naming the successor (P4); every refusal shows in the panel and changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response

from liaison.domain.history import Source
from liaison.services import associations, history, labels, limits, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.users import User
from tests.helpers import company, contact, dump
from tests.web.conftest import Counter, htmx_post


def htmx_get(client: TestClient, path: str) -> Response:
    return client.get(path, headers={"HX-Request": "true"})


def _labels_of(db: Database, user: User, person: int, company_id: int) -> list[str]:
    view = associations.between(db, user.caller, person, company_id)
    assert view is not None
    return view.labels


def _error(html: str) -> str:
    found = re.search(r'<p class="notice error" role="alert">([^<]+)</p>', html)
    assert found, html[:500]
    return found.group(1)


def test_U2_add_panel_searches_and_lists_records_to_tick(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    company(db, ann.caller, "Acme")
    company(db, ann.caller, "Globex")
    panel = htmx_get(web, f"/app/contacts/{person.id}/add/companies")
    assert panel.status_code == 200
    assert "Add existing" in panel.text and "Create new" in panel.text
    assert "Acme" in panel.text and "Globex" in panel.text
    found = htmx_get(web, f"/app/contacts/{person.id}/add/companies/search?q=glo")
    assert found.text.lstrip().startswith('<ul id="add-results"')
    assert "Globex" in found.text and "Acme" not in found.text


def test_U2_records_ticked_stay_ticked_when_the_search_changes(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme = company(db, ann.caller, "Acme")
    company(db, ann.caller, "Globex")
    base = f"/app/contacts/{person.id}/add/companies/search"
    found = htmx_get(web, f"{base}?q=glo&to_id={acme.id}&to_id=nope")
    assert f'value="{acme.id}" checked' in found.text
    assert found.text.index("Acme") < found.text.index("Globex")
    again = htmx_get(web, f"{base}?q=acme&to_id={acme.id}")
    assert again.text.count("Acme") == 1  # listed once, ticked
    assert "No companies match." in again.text and "checked" in again.text


def test_U2_add_existing_companies_choosing_the_primary_and_a_label_is_one_operation(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    advisor, _ = labels.create_label(db, ann.caller, "contacts", "companies", label="Advisor")
    base = f"/app/contacts/{person.id}/add/companies"
    step2 = htmx_post(web, f"{base}/next", {"to_id": [str(acme.id), str(globex.id)]})
    assert "Primary company" in step2.text and "Advisor" in step2.text
    saved = htmx_post(
        web,
        base,
        {
            "to_id": [str(acme.id), str(globex.id)],
            "primary": str(globex.id),
            "label": str(advisor.id),
        },
    )
    assert "2 companies associated." in saved.text, saved.text[:600]
    assert sorted(_labels_of(db, ann, person.id, globex.id)) == ["Advisor", "Primary"]
    assert _labels_of(db, ann, person.id, acme.id) == ["Advisor"]
    entries = history.record_history(db, ann.caller, "contacts", person.id).entries
    assert {e.source for e in entries} == {Source.USER}
    assert len({e.operation_id for e in entries}) == 1


def test_U2_replace_the_primary_from_the_add_panel(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    associations.associate(db, ann.caller, [AssociationInput(person.id, acme.id)]).check()
    base = f"/app/contacts/{person.id}/add/companies"
    step2 = htmx_post(web, f"{base}/next", {"to_id": str(globex.id)})
    assert "Keep Acme as primary" in step2.text and "Replace Acme as primary" in step2.text
    htmx_post(web, base, {"to_id": str(globex.id), "primary": str(globex.id)})
    assert _labels_of(db, ann, person.id, globex.id) == ["Primary"]
    assert _labels_of(db, ann, person.id, acme.id) == []


def test_U2_add_existing_refused_by_the_engine_shows_in_the_panel_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    base = f"/app/contacts/{person.id}/add/companies"
    # a label of another pair (contact→deal labels are not contact→company ones)
    deal_label, _ = labels.create_label(db, ann.caller, "contacts", "deals", label="Buyer")
    before = dump(db)
    refused = htmx_post(web, base, {"to_id": str(person.id)})  # a contact is no company
    assert _error(refused.text)
    assert dump(db) == before
    nothing = htmx_post(web, f"{base}/next", {})
    assert "Choose at least one record." in nothing.text
    other = company(db, ann.caller, "Acme")
    before = dump(db)
    bad = htmx_post(web, base, {"to_id": str(other.id), "label": str(deal_label.id)})
    assert _error(bad.text)
    assert dump(db) == before


def test_U2_create_new_associates_the_record_at_once(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    form = htmx_get(web, f"/app/contacts/{person.id}/add/companies?tab=create")
    assert 'name="name"' in form.text and "Create and add another" in form.text
    made = htmx_post(web, f"/app/contacts/{person.id}/add/companies/create", {"name": "Initech"})
    assert "Initech created and associated." in made.text
    page = associations.list_associations(db, ann.caller, "contacts", person.id, "companies")
    assert len(page.results) == 1
    again = htmx_post(
        web,
        f"/app/contacts/{person.id}/add/companies/create",
        {"name": "Hooli", "another": "1"},
    )
    assert 'name="name" value=""' in again.text  # the form is open again, empty
    page = associations.list_associations(db, ann.caller, "contacts", person.id, "companies")
    assert len(page.results) == 2


def test_U2_create_new_refused_keeps_the_form_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    before = dump(db)
    refused = htmx_post(
        web,
        f"/app/contacts/{person.id}/add/deals/create",
        {"dealname": "<b>Big</b>", "amount": "lots"},
    )
    assert _error(refused.text)
    assert "&lt;b&gt;Big&lt;/b&gt;" in refused.text
    assert dump(db) == before


def test_U3_edit_labels_saves_the_whole_set_and_keeps_the_primary(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme = company(db, ann.caller, "Acme")
    advisor, _ = labels.create_label(db, ann.caller, "contacts", "companies", label="Advisor")
    board, _ = labels.create_label(db, ann.caller, "contacts", "companies", label="Board")
    associations.associate(
        db, ann.caller, [AssociationInput(person.id, acme.id, (advisor.id,))]
    ).check()
    url = f"/app/contacts/{person.id}/associations/{acme.id}/labels"
    form = htmx_get(web, url)
    assert re.search(rf'value="{advisor.id}" checked', form.text)
    assert re.search(rf'value="{board.id}">', form.text)
    saved = htmx_post(web, url, {"label": str(board.id)})
    assert "Labels saved." in saved.text
    assert sorted(_labels_of(db, ann, person.id, acme.id)) == ["Board", "Primary"]
    htmx_post(web, url, {})
    assert _labels_of(db, ann, person.id, acme.id) == ["Primary"]


def _three_companies(db: Database, user: User) -> tuple[int, int, int, int]:
    person = contact(db, user.caller, "Zoe")
    acme, globex, initech = (company(db, user.caller, n) for n in ("Acme", "Globex", "Initech"))
    associations.associate(
        db, user.caller, [AssociationInput(person.id, c.id) for c in (acme, globex, initech)]
    ).check()
    associations.set_primary(db, user.caller, person.id, acme.id)
    return person.id, acme.id, globex.id, initech.id


def test_P4_remove_association_of_the_primary_names_the_successor(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex, initech = _three_companies(db, ann)
    page = web.get(f"/app/contacts/{person}")
    assert 'name="successor"' in page.text
    done = htmx_post(
        web, f"/app/contacts/{person}/associations/{acme}/remove-with", {"successor": str(initech)}
    )
    assert "Association removed." in done.text
    assert associations.between(db, ann.caller, person, acme) is None
    assert _labels_of(db, ann, person, initech) == ["Primary"]
    assert _labels_of(db, ann, person, globex) == []


def test_P4_remove_as_primary_without_a_successor_is_refused_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    person, acme, globex, _ = _three_companies(db, ann)
    before = dump(db)
    refused = htmx_post(web, f"/app/contacts/{person}/associations/{acme}/remove-primary", {})
    assert "primary" in _error(refused.text).lower()
    assert dump(db) == before
    done = htmx_post(
        web,
        f"/app/contacts/{person}/associations/{acme}/remove-primary",
        {"successor": str(globex)},
    )
    assert "Primary company changed." in done.text
    assert _labels_of(db, ann, person, globex) == ["Primary"]
    assert _labels_of(db, ann, person, acme) == []


def test_panels_need_the_csrf_token(web: TestClient, db: Database, ann: User) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme = company(db, ann.caller, "Acme")
    before = dump(db)
    response = web.post(
        f"/app/contacts/{person.id}/add/companies",
        data={"to_id": str(acme.id)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert dump(db) == before


def test_U2_a_limit_refusal_shows_in_the_panel_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    base_type = labels.list_types(db, ann.caller, "contacts", "companies")[0]
    limits.set_limits(db, ann.caller, "contacts", "companies", {base_type.id: 1})
    before = dump(db)
    refused = htmx_post(
        web, f"/app/contacts/{person.id}/add/companies", {"to_id": [str(acme.id), str(globex.id)]}
    )
    assert "at most 1 company" in _error(refused.text)
    assert "Adding: Acme, Globex" in refused.text  # the panel keeps the choice
    assert dump(db) == before


def test_panels_escape_what_users_typed(web: TestClient, db: Database, ann: User) -> None:
    person = contact(db, ann.caller, "Zoe")
    company(db, ann.caller, "<script>alert(1)</script>")
    found = htmx_get(web, f"/app/contacts/{person.id}/add/companies/search?q=script")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found.text
    assert "<script>alert" not in found.text


def test_panels_of_another_accounts_record_or_an_unknown_type_are_404(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    assert htmx_get(web, f"/app/contacts/{person.id}/add/widgets").status_code == 404
    assert htmx_get(web, "/app/contacts/999999/add/companies").status_code == 404
    before = dump(db)
    response = htmx_post(web, "/app/contacts/999999/add/companies", {"to_id": str(person.id)})
    assert response.status_code == 404
    assert dump(db) == before


def test_U1_opening_a_panel_costs_the_same_with_many_associations(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    few, many = contact(db, ann.caller, "Few"), contact(db, ann.caller, "Many")
    made = records.create_many(
        db, ann.caller, "companies", [records.NewRecord({"name": f"C{i}"}) for i in range(15)]
    )
    associations.associate(db, ann.caller, [AssociationInput(few.id, made[0].id)]).check()
    associations.associate(db, ann.caller, [AssociationInput(many.id, c.id) for c in made]).check()
    small = counted.during(lambda: htmx_get(web, f"/app/contacts/{few.id}/add/companies"))
    large = counted.during(lambda: htmx_get(web, f"/app/contacts/{many.id}/add/companies"))
    assert small == large


def test_P4_remove_as_primary_with_one_other_company_asks_for_it(
    web: TestClient, db: Database, ann: User
) -> None:
    person = contact(db, ann.caller, "Zoe")
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    associations.associate(
        db, ann.caller, [AssociationInput(person.id, c.id) for c in (acme, globex)]
    ).check()
    menu = web.get(f"/app/contacts/{person.id}").text.split("remove-primary")[1].split("</form>")[0]
    assert f'<option value="{globex.id}">Globex</option>' in menu
    done = htmx_post(
        web,
        f"/app/contacts/{person.id}/associations/{acme.id}/remove-primary",
        {"successor": str(globex.id)},
    )
    assert "Primary company changed." in done.text
    assert _labels_of(db, ann, person.id, globex.id) == ["Primary"]

"""The settings pages (admins only), in-process on both stores: association labels (A4, A5),
limits (A6) and custom object types (O3, A2). Each form changes what the services then return;
each refusal of the engine shows on the page (400) and changes nothing; a non-admin gets 403."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from liaison.api.app import create_app
from liaison.domain.history import Change
from liaison.services import associations, history, labels, limits, object_types, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.users import User
from tests.helpers import company, contact, dump
from tests.web.conftest import csrf, post_form

XSS = "<script>alert(1)</script>"
PAIR = "from=contacts&to=companies"


def _notice(response: Response) -> str:
    found = re.search(r'<p class="notice[^"]*" role="(?:alert|status)">([^<]+)</p>', response.text)
    assert found, response.text[:2000]
    return found.group(1).replace("&#39;", "'")


def _post(client: TestClient, path: str, data: dict[str, str | list[str]]) -> Response:
    return client.post(path, data={"csrftoken": csrf(client), **data}, follow_redirects=False)


# -- who may open them --------------------------------------------------------------------------
def test_settings_are_for_admins_only(web: TestClient, admin: TestClient, db: Database) -> None:
    assert "/app/settings" not in web.get("/app/contacts").text  # no link for a non-admin
    for path in ("/app/settings", f"/app/settings/labels?{PAIR}", "/app/settings/types"):
        refused = web.get(path, follow_redirects=False)
        assert refused.status_code == 403
        assert "Only admins can open the settings." in refused.text
    before = dump(db)
    assert post_form(web, f"/app/settings/labels?{PAIR}", label="Advisor").status_code == 403
    assert dump(db) == before
    assert 'href="/app/settings"' in admin.get("/app/contacts").text
    home = admin.get("/app/settings", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/app/settings/labels")


def test_settings_forms_need_the_csrf_token(admin: TestClient, db: Database) -> None:
    before = dump(db)
    refused = admin.post(f"/app/settings/labels?{PAIR}", data={"label": "Advisor"})
    assert refused.status_code == 403 and "CSRF check failed" in refused.text
    assert dump(db) == before


def test_settings_sign_in_first(db: Database) -> None:
    with TestClient(create_app(db)) as client:
        response = client.get("/app/settings/limits", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/app/signin?next=")


# -- labels -------------------------------------------------------------------------------------
def test_a5_labels_page_lists_builtin_types_read_only(admin: TestClient) -> None:
    page = admin.get(f"/app/settings/labels?{PAIR}")
    assert page.status_code == 200
    assert "Unlabeled (the association itself)" in page.text and "Primary" in page.text
    assert page.text.count("Built in") == 2
    assert "Rename" not in page.text


def test_a4_create_single_and_paired_labels(admin: TestClient, db: Database, ada: User) -> None:
    done = _post(admin, f"/app/settings/labels?{PAIR}", {"label": "Advisor"})
    assert (done.status_code, _notice(done)) == (200, "Label 'Advisor' created.")
    paired = _post(
        admin,
        "/app/settings/labels?from=contacts&to=contacts",
        {"label": "Manager", "inverse_label": "Employee"},
    )
    assert _notice(paired) == "Label 'Manager' created."
    assert [t.label for t in labels.list_types(db, ada.caller, "contacts", "contacts")][1:] == [
        "Manager",
        "Employee",
    ]
    assert "Advisor" in [
        t.label for t in labels.list_types(db, ada.caller, "companies", "contacts")
    ]
    row = re.search(r"<th scope=\"row\">Manager</th>\s*<td>Employee</td>", paired.text)
    assert row, "a paired label shows its other name"


def test_a5_a_taken_label_is_refused_on_the_page_keeping_what_was_typed(
    admin: TestClient, db: Database, ada: User
) -> None:
    labels.create_label(db, ada.caller, "contacts", "companies", label="Advisor")
    before = dump(db)
    refused = _post(admin, f"/app/settings/labels?{PAIR}", {"label": "advisor"})
    assert refused.status_code == 400
    assert _notice(refused) == "A label named 'advisor' already exists for this pair."
    assert 'value="advisor"' in refused.text
    assert _notice(_post(admin, f"/app/settings/labels?{PAIR}", {"label": " "})).startswith(
        "A label must have"
    )
    assert dump(db) == before


def test_a5_rename_a_label(admin: TestClient, db: Database, ada: User) -> None:
    boss, _ = labels.create_label(
        db, ada.caller, "contacts", "companies", label="Owner", inverse_label="Owned by"
    )
    done = _post(
        admin,
        f"/app/settings/labels/{boss.id}/rename?{PAIR}",
        {"label": "Founder", "inverse_label": "Founded by"},
    )
    assert _notice(done) == "Label renamed to 'Founder'."
    names = {t.label for t in labels.list_types(db, ada.caller, "companies", "contacts")}
    assert "Founded by" in names
    builtin = _post(admin, f"/app/settings/labels/1/rename?{PAIR}", {"label": "Main"})
    assert builtin.status_code == 400 and "is built in" in _notice(builtin)


def test_a5_delete_confirms_the_uses_then_removes_the_label_from_them(
    admin: TestClient, db: Database, ada: User
) -> None:
    advisor, _ = labels.create_label(db, ada.caller, "contacts", "companies", label="Advisor")
    acme = company(db, ada.caller)
    people = [contact(db, ada.caller, n) for n in ("Ann", "Bob")]
    associations.associate(
        db, ada.caller, [AssociationInput(p.id, acme.id, (advisor.id,)) for p in people]
    ).check()
    assert "2 associations" in admin.get(f"/app/settings/labels?{PAIR}").text
    confirm = admin.get(f"/app/settings/labels/{advisor.id}/delete?{PAIR}")
    assert confirm.status_code == 200
    assert "2 associations carry this label" in confirm.text
    assert "Delete label" in confirm.text
    done = _post(admin, f"/app/settings/labels/{advisor.id}/delete?{PAIR}", {})
    assert _notice(done) == "Label 'Advisor' deleted; removed from 2 associations."
    view = associations.between(db, ada.caller, people[0].id, acme.id)
    assert view is not None and "Advisor" not in view.labels
    newest = history.record_history(db, ada.caller, "contacts", people[0].id).entries[0]
    assert (newest.change, newest.label) == (Change.LABEL_REMOVED, "Advisor")
    gone = admin.get(f"/app/settings/labels/{advisor.id}/delete?{PAIR}")
    assert gone.status_code == 400  # no such label any more: a clear page, not a 500
    assert admin.get("/app/settings/labels/1/delete?from=contacts&to=companies").status_code == 400


def test_labels_of_an_undefined_pair_or_an_unknown_type(
    admin: TestClient, db: Database, ada: User
) -> None:
    object_types.create_object_type(
        db,
        ada.caller,
        name="car",
        singular="Car",
        plural="Cars",
        properties=[],
    )
    undefined = admin.get("/app/settings/labels?from=car&to=companies")
    assert undefined.status_code == 200
    assert "Cars and Companies cannot be associated" in undefined.text
    assert admin.get("/app/settings/labels?from=nope&to=companies").status_code == 404


def test_label_names_are_escaped(admin: TestClient) -> None:
    done = _post(admin, f"/app/settings/labels?{PAIR}", {"label": XSS})
    assert done.status_code == 200
    assert XSS not in done.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in done.text


# -- limits -------------------------------------------------------------------------------------
def test_a6_set_and_remove_limits_per_pair_and_label(
    admin: TestClient, db: Database, ada: User
) -> None:
    advisor, _ = labels.create_label(db, ada.caller, "deals", "companies", label="Advisor")
    page = admin.get("/app/settings/limits?from=deals&to=companies")
    assert "All companies (the pair)" in page.text and "Label Advisor" in page.text
    assert "Many" in page.text
    base = labels.list_types(db, ada.caller, "deals", "companies")[0].id
    done = _post(admin, f"/app/settings/limits/{base}?from=deals&to=companies", {"max": "3"})
    assert _notice(done) == "Limit of the pair set to 3."
    too_high = _post(
        admin, f"/app/settings/limits/{advisor.id}?from=deals&to=companies", {"max": "5"}
    )
    assert too_high.status_code == 400
    assert _notice(too_high) == (
        "The limit of 'Advisor' must be between 1 and 3, the limit of the pair."
    )
    label_done = _post(
        admin, f"/app/settings/limits/{advisor.id}?from=deals&to=companies", {"max": "1"}
    )
    assert _notice(label_done) == "Limit of 'Advisor' set to 1."
    set_now = {lim.type.id: lim.max_to for lim in limits.get_limits(db, ada.caller)}
    assert set_now == {base: 3, advisor.id: 1}
    removed = _post(admin, f"/app/settings/limits/{advisor.id}/remove?from=deals&to=companies", {})
    assert _notice(removed) == "Limit removed: back to many."
    assert [lim.type.id for lim in limits.get_limits(db, ada.caller)] == [base]


@pytest.mark.parametrize("bad", ["0", "10001", "ten", "", "-1"])
def test_a6_a_bad_limit_is_a_readable_refusal(
    admin: TestClient, db: Database, ada: User, bad: str
) -> None:
    base = labels.list_types(db, ada.caller, "contacts", "companies")[0].id
    before = dump(db)
    refused = _post(admin, f"/app/settings/limits/{base}?{PAIR}", {"max": bad})
    assert refused.status_code == 400
    assert "between 1 and 10000" in _notice(refused)
    assert dump(db) == before


def test_a6_a_limit_of_another_pairs_type_is_refused(admin: TestClient, db: Database) -> None:
    before = dump(db)
    refused = _post(admin, "/app/settings/limits/1?from=deals&to=companies", {"max": "2"})
    assert refused.status_code == 400 and "goes from Contacts to Companies" in _notice(refused)
    assert dump(db) == before


# -- custom object types ------------------------------------------------------------------------
CAR = {
    "name": "car",
    "singular": "Car",
    "plural": "Cars",
    "display": "plate",
    "prop_name": ["plate", "fuel", "", ""],
    "prop_label": ["Licence plate", "Fuel", "", ""],
    "prop_type": ["string", "enumeration", "string", "string"],
    "prop_options": ["", "petrol, electric", "", ""],
    "prop_required": ["0"],
    "associated": ["contacts"],
}


def test_o3_create_a_custom_type_with_properties_and_an_association(
    admin: TestClient, db: Database, ada: User
) -> None:
    made = _post(admin, "/app/settings/types", CAR)
    assert (made.status_code, _notice(made)) == (200, "Custom object type Cars created.")
    car = object_types.get_custom_type(db, ada.caller, "car")
    kind = car.object_type
    assert (kind.singular, kind.plural, kind.required) == ("Car", "Cars", ("plate",))
    assert kind.properties["fuel"].options == ("petrol", "electric")
    assert kind.display_properties[0] == "plate"
    assert "contacts" in [t.name for t in object_types.associable_types(db, ada.caller, "car")]
    record = records.create(db, ada.caller, "car", {"plate": "EL 1"})
    assert record.name == "EL 1"
    listed = admin.get("/app/settings/types")
    assert 'href="/app/settings/types/car">Cars</a>' in listed.text
    assert '<a href="/app/car"' in admin.get("/app/contacts").text  # in the navigation


def test_o3_a_refused_type_keeps_the_form(admin: TestClient, db: Database) -> None:
    _post(admin, "/app/settings/types", CAR)
    before = dump(db)
    again = _post(admin, "/app/settings/types", {**CAR, "plural": "Autos"})
    assert again.status_code == 400
    assert _notice(again) == "An object type named 'car' already exists."
    assert 'value="Autos"' in again.text and 'value="petrol, electric"' in again.text
    bad_type = _post(admin, "/app/settings/types", {**CAR, "name": "van", "prop_type": ["x"]})
    assert bad_type.status_code == 400 and "Unknown property type" in _notice(bad_type)
    no_options = _post(
        admin, "/app/settings/types", {**CAR, "name": "van", "prop_options": ["", "", "", ""]}
    )
    assert "give it at least one option" in _notice(no_options)
    assert dump(db) == before


def test_o3_edit_labels_required_and_add_a_property(
    admin: TestClient, db: Database, ada: User
) -> None:
    _post(admin, "/app/settings/types", CAR)
    saved = _post(
        admin,
        "/app/settings/types/car",
        {"singular": "Vehicle", "plural": "Vehicles", "display": "plate", "required": []},
    )
    assert _notice(saved) == "Saved."
    added = _post(
        admin,
        "/app/settings/types/car/properties",
        {"prop_name": "year", "prop_label": "Year", "prop_type": "number", "prop_options": ""},
    )
    assert _notice(added) == "Property Year added."
    kind = object_types.get_object_type(db, ada.caller, "car")
    assert (kind.plural, kind.required, "year" in kind.properties) == ("Vehicles", (), True)
    bad = _post(
        admin,
        "/app/settings/types/car/properties",
        {"prop_name": "2x", "prop_label": "Bad", "prop_type": "string", "prop_options": ""},
    )
    assert bad.status_code == 400


def test_a2_define_and_remove_definitions_refused_while_used(
    admin: TestClient, db: Database, ada: User
) -> None:
    _post(admin, "/app/settings/types", CAR)
    defined = _post(admin, "/app/settings/types/car/associations", {"to": "companies"})
    assert _notice(defined).startswith("Association definition ")
    custom = object_types.get_custom_type(db, ada.caller, "car")
    to_companies = next(d for d in custom.associations if d.type.to_type == "0-2")
    beetle = records.create(db, ada.caller, "car", {"plate": "B1"})
    acme = company(db, ada.caller)
    associations.associate(db, ada.caller, [AssociationInput(beetle.id, acme.id)]).check()
    path = f"/app/settings/types/car/associations/{to_companies.type.id}/remove"
    before = dump(db)
    refused = _post(admin, path, {})
    assert refused.status_code == 400
    assert _notice(refused) == "1 associations use this definition: remove them first."
    assert dump(db) == before
    twice = _post(admin, "/app/settings/types/car/associations", {"to": "companies"})
    assert "can already be associated" in _notice(twice)
    associations.remove(db, ada.caller, [AssociationInput(beetle.id, acme.id)]).check()
    assert _notice(_post(admin, path, {})) == "Association definition removed."


def test_o3_archive_is_confirmed_and_refused_while_the_type_has_records(
    admin: TestClient, db: Database, ada: User
) -> None:
    _post(admin, "/app/settings/types", CAR)
    records.create(db, ada.caller, "car", {"plate": "B1"})
    assert "Archive Cars?" in admin.get("/app/settings/types/car/archive").text
    before = dump(db)
    refused = _post(admin, "/app/settings/types/car/archive", {})
    assert refused.status_code == 400
    assert _notice(refused) == "Cars still has 1 records: delete them permanently first."
    assert dump(db) == before
    _post(admin, "/app/settings/types", {**CAR, "name": "van", "plural": "Vans"})
    archived = _post(admin, "/app/settings/types/van/archive", {})
    assert _notice(archived) == "Custom object type Vans archived."
    assert admin.get("/app/settings/types/van").status_code == 404


def test_o3_builtin_types_are_not_custom_types(admin: TestClient) -> None:
    assert admin.get("/app/settings/types/contacts").status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (f"/app/settings/labels?{PAIR}", {"label": "a\x00b"}),
        (f"/app/settings/labels?{PAIR}", {"label": "Owner", "inverse_label": "x\x00"}),
        ("/app/settings/types", {**CAR, "singular": "C\x00r"}),
    ],
)
def test_a_nul_character_is_a_readable_refusal(
    admin: TestClient, db: Database, path: str, data: dict[str, str | list[str]]
) -> None:
    before = dump(db)
    refused = _post(admin, path, data)
    assert refused.status_code == 400, refused.text[:300]
    assert dump(db) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"display": "nope"},
        {"name": "has space"},
        {"name": ""},
        {"prop_name": ["plate", "plate", "", ""]},
        {"prop_required": ["9"], "prop_name": ["x" * 300, "", "", ""]},
        {"associated": ["nope"]},
    ],
)
def test_o3_bad_custom_types_are_readable_refusals(
    admin: TestClient, db: Database, changes: dict[str, str | list[str]]
) -> None:
    before = dump(db)
    refused = _post(admin, "/app/settings/types", {**CAR, **changes})
    assert refused.status_code == 400, refused.text[:300]
    assert dump(db) == before


def test_o3_bad_edits_are_readable_refusals(admin: TestClient, db: Database) -> None:
    _post(admin, "/app/settings/types", CAR)
    before = dump(db)
    for path, data in (
        ("/app/settings/types/car", {"singular": "Car", "required": ["nope"]}),
        ("/app/settings/types/car", {"singular": "x" * 200}),
        ("/app/settings/types/car/associations", {"to": "nope"}),
        ("/app/settings/types/car/associations/1/remove", {}),
        ("/app/settings/types/car/properties", {"prop_name": "", "prop_label": ""}),
    ):
        refused = _post(admin, path, data)
        assert refused.status_code == 400, (path, refused.text[:300])
    assert dump(db) == before

"""v4 association labels (#10-#13) and limits (#14-#18) over HTTP, on both stores."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.services import limits
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.api.test_associations import assert_error, pair, spec
from tests.helpers import company, contact, dump, types_between

V4 = "/crm/v4/objects"
A4 = "/crm/v4/associations"
CONFIG = f"{A4}/definitions/configurations"
H, U = "HUBSPOT_DEFINED", "USER_DEFINED"


def create_label(api: TestClient, path: str, **body: Any) -> list[dict[str, Any]]:
    response = api.post(f"{A4}/{path}/labels", json=body)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


# -- labels -----------------------------------------------------------------------------------
def test_a3_labels_list_the_unlabeled_type_primary_and_labels(api: TestClient) -> None:
    response = api.get(f"{A4}/contacts/companies/labels")
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"category": H, "typeId": 279, "label": None},
            {"category": H, "typeId": 1, "label": "Primary"},
        ]
    }
    back = api.get(f"{A4}/0-2/0-1/labels").json()["results"]
    assert back == [
        {"category": H, "typeId": 280, "label": None},
        {"category": H, "typeId": 2, "label": "Primary"},
    ]
    deals = api.get(f"{A4}/deal/company/labels").json()["results"]
    assert [t["typeId"] for t in deals] == [341, 5]


def test_a4_single_and_paired_labels(api: TestClient) -> None:
    (partner,) = create_label(api, "contacts/companies", label="Partner", name="partner")
    assert partner["category"] == U and partner["label"] == "Partner"
    paired = create_label(
        api, "contacts/contacts", label="Manager", inverseLabel="Employee", name="manager_employee"
    )
    assert [r["label"] for r in paired] == ["Manager", "Employee"]
    assert paired[1]["typeId"] == paired[0]["typeId"] + 1
    listed = api.get(f"{A4}/contacts/contacts/labels").json()["results"]
    assert listed == [{"category": H, "typeId": 449, "label": None}, *paired]
    back = api.get(f"{A4}/companies/contacts/labels").json()["results"]
    assert back[-1] == {"category": U, "typeId": partner["typeId"] + 1, "label": "Partner"}
    # A single label on a same-type pair is one type, the same both ways.
    (colleague,) = create_label(api, "contacts/contacts", label="Colleague")
    assert colleague["label"] == "Colleague"


def test_a4_paired_label_on_the_same_type_is_directional(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, bob = contact(db, me), contact(db, me, "Bob")
    manager, employee = create_label(
        api, "contacts/contacts", label="Manager", inverseLabel="Employee"
    )
    put = api.put(
        f"{V4}/contacts/{bob.id}/associations/contacts/{ann.id}",
        json=[spec(manager["typeId"], U)],
    )
    assert put.status_code == 201 and put.json()["labels"] == ["Manager"]
    seen_by_ann = api.get(f"{V4}/contacts/{ann.id}/associations/contacts").json()
    assert seen_by_ann["results"][0]["associationTypes"][1] == employee


def test_a5_label_names_are_unique_and_valid(api: TestClient, db: Database) -> None:
    create_label(api, "contacts/companies", label="Partner", name="partner")
    before = dump(db)
    url = f"{A4}/contacts/companies/labels"
    assert_error(api.post(url, json={"label": "partner", "name": "p2"}), 409, "LABEL_EXISTS")
    assert_error(api.post(url, json={"label": "Other", "name": "partner"}), 409, "LABEL_EXISTS")
    assert_error(api.post(url, json={"label": "Primary", "name": "x"}), 409, "LABEL_EXISTS")
    assert_error(api.post(url, json={"label": "Bad", "name": "1-bad"}), 400, "INVALID_INPUT")
    assert_error(api.post(url, json={"label": " ", "name": "blank"}), 400, "INVALID_INPUT")
    assert_error(api.post(url, json={"name": "nolabel"}), 400)
    assert_error(api.post(url, json=["Partner"]), 400)
    assert_error(api.post(f"{A4}/contacts/planets/labels", json={"label": "X"}), 404)
    assert dump(db) == before


def test_a5_rename_keeps_the_id(api: TestClient, db: Database) -> None:
    manager, employee = create_label(
        api, "contacts/contacts", label="Manager", inverseLabel="Employee"
    )
    url = f"{A4}/contacts/contacts/labels"
    body = {"associationTypeId": manager["typeId"], "label": "Boss", "inverseLabel": "Report"}
    response = api.put(url, json=body)
    assert response.status_code == 204 and response.content == b""
    listed = api.get(url).json()["results"]
    assert listed[1:] == [
        {**manager, "label": "Boss"},
        {**employee, "label": "Report"},
    ]
    before = dump(db)
    builtin = api.put(
        f"{A4}/contacts/companies/labels", json={"associationTypeId": 1, "label": "X"}
    )
    assert_error(builtin, 400, "BUILTIN_TYPE_READ_ONLY")
    other_pair = api.put(
        f"{A4}/contacts/companies/labels",
        json={"associationTypeId": manager["typeId"], "label": "X"},
    )
    assert_error(other_pair, 400, "LABEL_NOT_FOR_PAIR")
    assert_error(api.put(url, json={"associationTypeId": 424242, "label": "X"}), 404)
    assert_error(api.put(url, json={"label": "X"}), 400)
    assert dump(db) == before


def test_a5_delete_is_refused_while_used_unless_forced(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    (advisor,) = create_label(api, "contacts/companies", label="Advisor")
    api.put(
        f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}",
        json=[spec(advisor["typeId"], U)],
    )
    url = f"{A4}/contacts/companies/labels/{advisor['typeId']}"
    before = dump(db)
    refused = assert_error(api.delete(url), 409, "LABEL_IN_USE")
    assert "1 association" in refused["message"] and refused["context"]["uses"] == ["1"]
    assert dump(db) == before
    assert api.delete(url, params={"force": "true"}).status_code == 204
    assert types_between(db, me, ann.id, acme.id) == {279, 1}
    assert [t["typeId"] for t in api.get(f"{A4}/contacts/companies/labels").json()["results"]] == [
        279,
        1,
    ]
    assert api.delete(url).status_code == 204  # already gone: a no-op
    assert_error(api.delete(f"{A4}/contacts/companies/labels/1"), 400, "BUILTIN_TYPE_READ_ONLY")
    assert_error(api.delete(f"{A4}/contacts/companies/labels/279"), 400, "BUILTIN_TYPE_READ_ONLY")
    assert_error(api.delete(f"{A4}/contacts/companies/labels/abc"), 400)


def test_a4_deleting_one_side_of_a_paired_label_deletes_both(api: TestClient) -> None:
    manager, employee = create_label(
        api, "contacts/contacts", label="Manager", inverseLabel="Employee"
    )
    for removed in (manager, employee):
        assert api.delete(f"{A4}/contacts/contacts/labels/{removed['typeId']}").status_code == 204
    listed = api.get(f"{A4}/contacts/contacts/labels").json()["results"]
    assert listed == [{"category": H, "typeId": 449, "label": None}]


def test_p6_custom_primary_label_replaces_the_previous_one(
    api: TestClient, db: Database, me: Caller
) -> None:
    from tests.helpers import deal, ticket

    help_me = ticket(db, me)
    first, second = deal(db, me), deal(db, me, "Second")
    (main,) = create_label(api, "tickets/deals", label="Main deal", primary=True)
    for d in (first, second):
        put = api.put(
            f"{V4}/tickets/{help_me.id}/associations/deals/{d.id}", json=[spec(main["typeId"], U)]
        )
        assert put.status_code == 201 and put.json()["labels"] == ["Main deal"]
    assert types_between(db, me, help_me.id, first.id) == {28}
    assert types_between(db, me, help_me.id, second.id) == {28, main["typeId"]}


# -- limits -----------------------------------------------------------------------------------
def test_a6_limits_create_read_update_purge(api: TestClient, db: Database, me: Caller) -> None:
    (billing,) = create_label(api, "companies/contacts", label="Billing contact")
    url = f"{CONFIG}/companies/contacts"
    created = api.post(
        f"{url}/batch/create",
        json={
            "inputs": [
                {"category": H, "typeId": 280, "maxToObjectIds": 10},
                {"category": U, "typeId": billing["typeId"], "maxToObjectIds": 1},
            ]
        },
    )
    assert created.status_code == 201
    assert created.json()["results"] == [
        {"category": H, "typeId": 280, "label": None, "userEnforcedMaxToObjectIds": 10},
        {
            "category": U,
            "typeId": billing["typeId"],
            "label": "Billing contact",
            "userEnforcedMaxToObjectIds": 1,
        },
    ]
    pair_read = api.get(url)
    assert pair_read.status_code == 200
    assert pair_read.json()["results"] == created.json()["results"]
    assert api.get(f"{CONFIG}/all").json()["results"] == created.json()["results"]
    assert api.get(f"{CONFIG}/contacts/companies").json() == {"results": []}
    updated = api.post(
        f"{url}/batch/update",
        json={"inputs": [{"category": H, "typeId": 280, "maxToObjectIds": 5}]},
    )
    assert updated.status_code == 200
    assert updated.json()["results"] == [
        {"category": H, "typeId": 280, "userEnforcedMaxToObjectIds": 5}
    ]
    purged = api.post(f"{url}/batch/purge", json={"inputs": [{"category": H, "typeId": 280}]})
    assert purged.status_code == 204
    assert [r["typeId"] for r in api.get(url).json()["results"]] == [billing["typeId"]]
    # One Billing contact per company: the second is refused, the first stays (A6).
    acme, ann, bob = company(db, me), contact(db, me), contact(db, me, "Bob")
    body = {
        "inputs": [
            pair(acme.id, ann.id, spec(billing["typeId"], U)),
            pair(acme.id, bob.id, spec(billing["typeId"], U)),
        ]
    }
    batch = api.post(f"{A4}/companies/contacts/batch/create", json=body)
    assert batch.status_code == 207
    (error,) = batch.json()["errors"]
    assert error["subCategory"] == "LIMIT_EXCEEDED" and "at most 1 contact" in error["message"]
    assert types_between(db, me, acme.id, bob.id) is None


def test_a6_limits_207_for_refused_inputs(api: TestClient, db: Database) -> None:
    (billing,) = create_label(api, "companies/contacts", label="Billing contact")
    url = f"{CONFIG}/companies/contacts/batch/create"
    response = api.post(
        url,
        json={
            "inputs": [
                {"category": H, "typeId": 280, "maxToObjectIds": 3},
                {"category": U, "typeId": billing["typeId"], "maxToObjectIds": 4},
                {"category": H, "typeId": 280, "maxToObjectIds": 0},
                {"category": H, "typeId": 279, "maxToObjectIds": 2},
            ]
        },
    )
    assert response.status_code == 207
    shaped = response.json()
    assert [r["typeId"] for r in shaped["results"]] == [280]
    assert [e["subCategory"] for e in shaped["errors"]] == [
        "INVALID_LIMIT",
        "INVALID_LIMIT",
        "LABEL_NOT_FOR_PAIR",
    ]
    assert shaped["errors"][0]["context"]["ids"] == [str(billing["typeId"])]
    assert "between 1 and 3" in shaped["errors"][0]["message"]
    before = dump(db)
    update = api.post(
        f"{CONFIG}/companies/contacts/batch/update",
        json={"inputs": [{"category": H, "typeId": 280, "maxToObjectIds": 10_001}]},
    )
    assert update.status_code == 207 and update.json()["numErrors"] == 1
    assert dump(db) == before


def test_a6_limits_bad_input_changes_nothing(api: TestClient, db: Database) -> None:
    before = dump(db)
    url = f"{CONFIG}/companies/contacts"
    assert_error(api.post(f"{url}/batch/create", json={"inputs": [{"typeId": 280}]}), 400)
    assert_error(api.post(f"{url}/batch/create", json={}), 400)
    assert_error(
        api.post(f"{url}/batch/purge", json={"inputs": [{"category": H, "typeId": 424242}]}),
        404,
        "ASSOCIATION_TYPE_NOT_FOUND",
    )
    assert_error(api.get(f"{CONFIG}/companies/planets"), 404)
    assert dump(db) == before


def test_a6_lowering_a_limit_is_not_retroactive(api: TestClient, db: Database, me: Caller) -> None:
    ann = contact(db, me)
    for name in ("A", "B"):
        co = company(db, me, name)
        api.put(f"{V4}/contacts/{ann.id}/associations/default/companies/{co.id}")
    limits.set_limits(db, me, "contacts", "companies", {279: 1})
    assert len(api.get(f"{V4}/contacts/{ann.id}/associations/companies").json()["results"]) == 2


# -- scopes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body", "needed"),
    [
        ("GET", f"{A4}/contacts/companies/labels", None, "crm.schemas.companies.read"),
        ("POST", f"{A4}/contacts/companies/labels", {"label": "X"}, "crm.schemas.contacts.write"),
        (
            "PUT",
            f"{A4}/contacts/companies/labels",
            {"associationTypeId": 1, "label": "X"},
            "crm.schemas.contacts.write",
        ),
        ("DELETE", f"{A4}/contacts/companies/labels/1", None, "crm.schemas.contacts.write"),
        ("GET", f"{CONFIG}/contacts/companies", None, "crm.schemas.companies.read"),
        (
            "POST",
            f"{CONFIG}/contacts/companies/batch/create",
            {"inputs": []},
            "crm.schemas.contacts.write",
        ),
        (
            "POST",
            f"{CONFIG}/contacts/companies/batch/update",
            {"inputs": []},
            "crm.schemas.contacts.write",
        ),
        (
            "POST",
            f"{CONFIG}/contacts/companies/batch/purge",
            {"inputs": []},
            "crm.schemas.contacts.write",
        ),
        ("GET", f"{A4}/2-1/contacts/labels", None, "crm.schemas.custom.read"),
    ],
)
def test_s2_labels_and_limits_need_schema_scopes_of_both_types(
    db: Database, method: str, path: str, body: Any, needed: str
) -> None:
    value = token_for(db, "crm.schemas.contacts.read", "crm.objects.contacts.write")
    client = TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})
    before = dump(db)
    shaped = assert_error(client.request(method, path, json=body), 403)
    assert shaped["context"]["requiredGranularScopes"] == [needed]
    assert dump(db) == before


def test_s2_all_limits_shows_only_readable_pairs(db: Database, me: Caller) -> None:
    limits.set_limits(db, me, "contacts", "companies", {279: 5})
    limits.set_limits(db, me, "deals", "tickets", {27: 2})
    value = token_for(db, "crm.schemas.contacts.read", "crm.schemas.companies.read")
    client = TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})
    response = client.get(f"{CONFIG}/all")
    assert response.status_code == 200
    assert [r["typeId"] for r in response.json()["results"]] == [279]

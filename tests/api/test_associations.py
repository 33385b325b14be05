"""v4 associations over HTTP (in-process, both stores): every route, exact status codes and
bodies, 207 partial failures, bad input refused with nothing changed, scopes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.domain.history import Source
from liaison.domain.scopes import ALL_SCOPES
from liaison.services import history, labels, limits, records
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.helpers import car_type, company, contact, deal, dump, ticket, types_between

V4 = "/crm/v4/objects"
BATCH = "/crm/v4/associations"
H, U = "HUBSPOT_DEFINED", "USER_DEFINED"
UNLABELED_CC = {"category": H, "typeId": 279, "label": None}
PRIMARY_CC = {"category": H, "typeId": 1, "label": "Primary"}


def spec(type_id: int, category: str = H) -> dict[str, Any]:
    return {"associationCategory": category, "associationTypeId": type_id}


def pair(from_id: int, to_id: int, *types: dict[str, Any]) -> dict[str, Any]:
    return {"from": {"id": str(from_id)}, "to": {"id": str(to_id)}, "types": list(types)}


def assert_error(response: Any, status: int, sub_category: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "error" and body["message"] and body["correlationId"]
    if sub_category:
        assert body.get("subCategory") == sub_category, body
    return body


def advisor(db: Database, me: Caller) -> int:
    """A single label "Advisor" from contacts to companies; its contact→company type ID."""
    return labels.create_label(db, me, "contacts", "companies", label="Advisor")[0].id


# -- #1 labelled PUT --------------------------------------------------------------------------
def test_p2_labelled_put_with_type_1_sets_the_primary_and_replaces_the_old_one(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme, globex = contact(db, me), company(db, me), company(db, me, "Globex")
    first = api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[spec(1)])
    assert first.status_code == 201
    assert first.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": ann.id,
        "toObjectTypeId": "0-2",
        "toObjectId": acme.id,
        "labels": ["Primary"],
    }
    second = api.put(f"{V4}/contact/{ann.id}/associations/company/{globex.id}", json=[spec(1)])
    assert second.status_code == 201 and second.json()["labels"] == ["Primary"]
    assert types_between(db, me, ann.id, acme.id) == {279}
    assert types_between(db, me, ann.id, globex.id) == {279, 1}
    assert types_between(db, me, globex.id, ann.id) == {280, 2}


def test_a3_labelled_put_body_is_the_whole_set_of_labels(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme, globex = contact(db, me), company(db, me), company(db, me, "Globex")
    label = advisor(db, me)
    url = f"{V4}/0-1/{ann.id}/associations/0-2"
    assert api.put(f"{url}/{acme.id}", json=[spec(279)]).json()["labels"] == ["Primary"]
    added = api.put(f"{url}/{globex.id}", json=[spec(label, U)])
    assert added.status_code == 201 and added.json()["labels"] == ["Advisor"]
    both = api.put(f"{url}/{globex.id}", json=[spec(label, U), spec(1)])
    assert both.json()["labels"] == ["Primary", "Advisor"]
    assert types_between(db, me, ann.id, acme.id) == {279}
    # Sending only the base type keeps the association and drops Advisor, but Globex is the
    # contact's primary and another company remains: the new primary must be named (P4).
    refused = api.put(f"{url}/{globex.id}", json=[spec(279)])
    assert_error(refused, 400, "PRIMARY_REQUIRED")
    assert types_between(db, me, ann.id, globex.id) == {279, 1, label}
    again = api.put(f"{url}/{acme.id}", json=[spec(1)])
    assert again.json()["labels"] == ["Primary"]
    assert api.put(f"{url}/{globex.id}", json=[]).json()["labels"] == []
    assert types_between(db, me, ann.id, globex.id) == {279}


def test_p3_only_company_keeps_primary_through_a_labelled_put(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    created = api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[])
    assert created.status_code == 201 and created.json()["labels"] == ["Primary"]
    # The only company's Primary cannot go: asking for no labels keeps it (P3), idempotently.
    before = dump(db)
    again = api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[spec(279)])
    assert again.status_code == 201 and again.json()["labels"] == ["Primary"]
    assert dump(db) == before
    # From the company's side too (the Primary is type 2 there).
    back = api.put(f"{V4}/companies/{acme.id}/associations/contacts/{ann.id}", json=[spec(280)])
    assert back.status_code == 201 and back.json()["labels"] == ["Primary"]
    assert types_between(db, me, ann.id, acme.id) == {279, 1}


def test_a8_labelled_put_refusals_change_nothing(api: TestClient, db: Database, me: Caller) -> None:
    ann, acme, big = contact(db, me), company(db, me), deal(db, me)
    gone = contact(db, me, "Gone")
    records.delete(db, me, "contacts", gone.id)
    before = dump(db)
    url = f"{V4}/contacts/{ann.id}/associations"
    assert_error(api.put(f"{url}/contacts/{ann.id}", json=[]), 400, "SELF_ASSOCIATION")
    assert_error(api.put(f"{url}/contacts/{gone.id}", json=[]), 400, "RECORD_ARCHIVED")
    assert_error(api.put(f"{url}/companies/999999", json=[]), 404, "RECORD_NOT_FOUND")
    assert_error(api.put(f"{url}/companies/{big.id}", json=[]), 404, "RECORD_NOT_FOUND")
    assert_error(api.put(f"{url}/planets/{acme.id}", json=[]), 404, "OBJECT_TYPE_NOT_FOUND")
    assert_error(api.put(f"{url}/companies/{acme.id}", json=[spec(4)]), 400, "LABEL_NOT_FOR_PAIR")
    assert_error(
        api.put(f"{url}/companies/{acme.id}", json=[spec(123456)]),
        404,
        "ASSOCIATION_TYPE_NOT_FOUND",
    )
    for bad in (
        {"associationTypeId": 1},
        [{"associationCategory": "NOPE", "associationTypeId": 1}],
        [{"associationCategory": H, "associationTypeId": "one"}],
        [{"associationCategory": H, "associationTypeId": 0}],
    ):
        body = assert_error(api.put(f"{url}/companies/{acme.id}", json=bad), 400)
        assert body["category"] == "VALIDATION_ERROR"
    no_body = api.put(f"{url}/companies/{acme.id}")
    assert_error(no_body, 400)
    not_json = api.put(
        f"{url}/companies/{acme.id}", content=b"[{", headers={"content-type": "application/json"}
    )
    assert_error(not_json, 400)
    assert_error(api.put(f"{V4}/contacts/abc/associations/companies/{acme.id}", json=[]), 400)
    assert_error(api.put(f"{V4}/contacts/{2**70}/associations/companies/1", json=[]), 400)
    assert dump(db) == before


def test_h2_changes_through_the_api_are_recorded_with_source_api_and_token_name(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[spec(1)])
    entries = history.record_history(db, me, "contacts", ann.id).entries
    assert entries and {e.source for e in entries} == {Source.API}
    assert {e.actor_name for e in entries} == {"test suite"}


# -- #2 default PUT ---------------------------------------------------------------------------
def test_a1_default_put_answers_both_directions(api: TestClient, db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    response = api.put(f"{V4}/contacts/{ann.id}/associations/default/deals/{big.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "COMPLETE" and body["startedAt"].endswith("Z")
    assert body["completedAt"].endswith("Z")
    assert body["results"] == [
        {
            "from": {"id": str(ann.id)},
            "to": {"id": str(big.id)},
            "associationSpec": {"associationCategory": H, "associationTypeId": 4},
        },
        {
            "from": {"id": str(big.id)},
            "to": {"id": str(ann.id)},
            "associationSpec": {"associationCategory": H, "associationTypeId": 3},
        },
    ]
    assert types_between(db, me, big.id, ann.id) == {3}


def test_a7_default_put_keeps_labels_and_is_idempotent(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    url = f"{V4}/contacts/{ann.id}/associations/default/companies/{acme.id}"
    assert api.put(url).status_code == 200
    before = dump(db)
    assert api.put(url).status_code == 200
    assert dump(db) == before
    assert types_between(db, me, ann.id, acme.id) == {279, 1}


def test_o3_custom_objects_by_name_and_id(api: TestClient, db: Database, me: Caller) -> None:
    car = car_type(db, me, "contacts")
    beetle = records.create(db, me, "car", {"model": "Beetle"})
    ann = contact(db, me)
    by_name = api.put(f"{V4}/car/{beetle.id}/associations/default/contacts/{ann.id}")
    assert by_name.status_code == 200
    page = api.get(f"{V4}/{car.id}/{beetle.id}/associations/contact").json()
    assert [r["toObjectId"] for r in page["results"]] == [ann.id]
    assert page["results"][0]["associationTypes"][0]["category"] == U
    back = api.get(f"{V4}/contacts/{ann.id}/associations/car").json()
    assert [r["toObjectId"] for r in back["results"]] == [beetle.id]
    big = deal(db, me)
    assert_error(
        api.put(f"{V4}/car/{beetle.id}/associations/default/deals/{big.id}"),
        400,
        "NO_ASSOCIATION_DEFINITION",
    )


# -- #3 list ----------------------------------------------------------------------------------
def test_a9_list_pages_by_cursor_with_the_unlabeled_type_always_present(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    companies = [company(db, me, f"Co {i}") for i in range(3)]
    for co in companies:
        api.put(f"{V4}/contacts/{ann.id}/associations/default/companies/{co.id}")
    url = f"{V4}/contacts/{ann.id}/associations/companies"
    first = api.get(url, params={"limit": 2})
    assert first.status_code == 200
    assert first.json() == {
        "results": [
            {"toObjectId": companies[0].id, "associationTypes": [UNLABELED_CC, PRIMARY_CC]},
            {"toObjectId": companies[1].id, "associationTypes": [UNLABELED_CC]},
        ],
        "paging": {"next": {"after": str(companies[1].id)}},
    }
    last = api.get(url, params={"limit": 2, "after": first.json()["paging"]["next"]["after"]})
    assert last.json() == {
        "results": [{"toObjectId": companies[2].id, "associationTypes": [UNLABELED_CC]}]
    }
    whole = api.get(url).json()
    assert len(whole["results"]) == 3 and "paging" not in whole
    back = api.get(f"{V4}/companies/{companies[0].id}/associations/contacts").json()
    assert back["results"] == [
        {
            "toObjectId": ann.id,
            "associationTypes": [
                {"category": H, "typeId": 280, "label": None},
                {"category": H, "typeId": 2, "label": "Primary"},
            ],
        }
    ]
    assert api.get(f"{V4}/contacts/{ann.id}/associations/deals").json() == {"results": []}


def test_a9_list_refuses_bad_paging_and_unknown_records(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, big = contact(db, me), deal(db, me)
    url = f"{V4}/contacts/{ann.id}/associations/companies"
    assert_error(api.get(url, params={"limit": 501}), 400)
    assert_error(api.get(url, params={"limit": 0}), 400)
    assert_error(api.get(url, params={"after": "abc"}), 400)
    assert_error(api.get(url, params={"after": "99999999999999999999"}), 400)
    assert_error(api.get(f"{V4}/contacts/999999/associations/companies"), 404, "RECORD_NOT_FOUND")
    assert_error(api.get(f"{V4}/contacts/{big.id}/associations/companies"), 404)
    assert_error(api.get(f"{V4}/contacts/{ann.id}/associations/planets"), 404)


# -- #4 DELETE --------------------------------------------------------------------------------
def test_a3_delete_removes_the_association_with_all_its_labels(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme, globex = contact(db, me), company(db, me), company(db, me, "Globex")
    label = advisor(db, me)
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[spec(1)])
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=[spec(label, U)])
    response = api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}")
    assert response.status_code == 204 and response.content == b""
    assert types_between(db, me, ann.id, globex.id) is None
    assert types_between(db, me, globex.id, ann.id) is None
    again = api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}")
    assert again.status_code == 204


def test_p4_delete_of_the_primary_company(api: TestClient, db: Database, me: Caller) -> None:
    ann = contact(db, me)
    acme, globex, initech = (company(db, me, n) for n in ("Acme", "Globex", "Initech"))
    for co in (acme, globex, initech):
        api.put(f"{V4}/contacts/{ann.id}/associations/default/companies/{co.id}")
    before = dump(db)
    refused = api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}")
    body = assert_error(refused, 400, "PRIMARY_REQUIRED")
    assert "primary" in body["message"].lower()
    assert dump(db) == before
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=[spec(1)])
    assert_error(
        api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}"),
        400,
        "PRIMARY_REQUIRED",
    )
    assert (
        api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{initech.id}").status_code == 204
    )
    # With one other company left, it becomes the primary by itself (P4).
    assert (
        api.delete(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}").status_code == 204
    )
    assert types_between(db, me, ann.id, acme.id) == {279, 1}


def test_delete_refuses_unknown_records(api: TestClient, db: Database, me: Caller) -> None:
    ann = contact(db, me)
    before = dump(db)
    response = api.delete(f"{V4}/contacts/{ann.id}/associations/companies/999999")
    assert_error(response, 404, "RECORD_NOT_FOUND")
    assert dump(db) == before


# -- #5 batch create --------------------------------------------------------------------------
def test_batch_create_is_201_with_the_labels_of_each_pair(
    api: TestClient, db: Database, me: Caller
) -> None:
    big = deal(db, me)
    ann, bob = contact(db, me), contact(db, me, "Bob")
    body = {"inputs": [pair(big.id, ann.id, spec(3)), pair(big.id, bob.id, spec(3))]}
    response = api.post(f"{BATCH}/deals/contacts/batch/create", json=body)
    assert response.status_code == 201
    shaped = response.json()
    assert shaped["status"] == "COMPLETE" and "numErrors" not in shaped
    assert shaped["results"] == [
        {
            "fromObjectTypeId": "0-3",
            "fromObjectId": big.id,
            "toObjectTypeId": "0-1",
            "toObjectId": who.id,
            "labels": [],
        }
        for who in (ann, bob)
    ]
    assert types_between(db, me, ann.id, big.id) == {4}


def test_a6_batch_create_207_reports_each_refused_input(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    globex, gone = company(db, me, "Globex"), company(db, me, "Gone")
    records.delete(db, me, "companies", gone.id)
    body = {
        "inputs": [
            pair(ann.id, acme.id, spec(279)),
            pair(99999999, acme.id, spec(279)),
            pair(ann.id, gone.id, spec(279)),
            pair(ann.id, globex.id, spec(1)),
        ]
    }
    response = api.post(f"{BATCH}/contacts/companies/batch/create", json=body)
    assert response.status_code == 207
    shaped = response.json()
    assert shaped["numErrors"] == 2
    assert [r["toObjectId"] for r in shaped["results"]] == [acme.id, globex.id]
    assert shaped["results"][1]["labels"] == ["Primary"]
    missing, archived = shaped["errors"]
    assert missing["status"] == "error" and missing["category"] == "OBJECT_NOT_FOUND"
    assert missing["subCategory"] == "RECORD_NOT_FOUND"
    assert missing["context"]["ids"] == ["99999999", str(acme.id)]
    assert (
        archived["subCategory"] == "RECORD_ARCHIVED" and archived["category"] == "VALIDATION_ERROR"
    )
    assert types_between(db, me, ann.id, acme.id) == {279}


def test_a6_limits_refuse_an_association(api: TestClient, db: Database, me: Caller) -> None:
    ann = contact(db, me)
    deals = [deal(db, me, f"Deal {i}") for i in range(3)]
    limits.set_limits(db, me, "contacts", "deals", {4: 2})
    body = {"inputs": [pair(ann.id, d.id, spec(4)) for d in deals]}
    response = api.post(f"{BATCH}/contacts/deals/batch/create", json=body)
    assert response.status_code == 207
    (error,) = response.json()["errors"]
    assert error["subCategory"] == "LIMIT_EXCEEDED"
    assert "2" in error["message"]
    assert types_between(db, me, ann.id, deals[2].id) is None
    single = api.put(f"{V4}/contacts/{ann.id}/associations/deals/{deals[2].id}", json=[])
    assert_error(single, 400, "LIMIT_EXCEEDED")


def test_batch_create_refuses_bad_bodies_and_changes_nothing(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    before = dump(db)
    url = f"{BATCH}/contacts/companies/batch/create"
    too_many = {"inputs": [pair(ann.id, acme.id, spec(279))] * 2001}
    body = assert_error(api.post(url, json=too_many), 400)
    assert "2,000" in body["message"]
    for bad in (
        {},
        {"inputs": {}},
        {"inputs": [{"from": {"id": "x"}, "to": {"id": str(acme.id)}, "types": []}]},
        {"inputs": [{"from": {"id": str(ann.id)}, "types": []}]},
        {"inputs": [pair(ann.id, acme.id, {"associationTypeId": 279})]},
    ):
        shaped = assert_error(api.post(url, json=bad), 400)
        assert shaped["category"] == "VALIDATION_ERROR"
        assert shaped["errors"] and shaped["errors"][0]["in"].startswith("inputs")
    assert_error(api.post(url, content=b"{", headers={"content-type": "application/json"}), 400)
    assert_error(api.post(url), 400)
    assert_error(api.post(f"{BATCH}/contacts/planets/batch/create", json={"inputs": []}), 404)
    assert dump(db) == before


# -- #6 batch associate default ---------------------------------------------------------------
def test_batch_associate_default(api: TestClient, db: Database, me: Caller) -> None:
    help_me, ann = ticket(db, me), contact(db, me)
    body = {"inputs": [{"from": {"id": str(help_me.id)}, "to": {"id": str(ann.id)}}]}
    response = api.post(f"{BATCH}/tickets/contacts/batch/associate/default", json=body)
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "from": {"id": str(help_me.id)},
            "to": {"id": str(ann.id)},
            "associationSpec": {"associationCategory": H, "associationTypeId": 16},
        },
        {
            "from": {"id": str(ann.id)},
            "to": {"id": str(help_me.id)},
            "associationSpec": {"associationCategory": H, "associationTypeId": 15},
        },
    ]
    body["inputs"].append({"from": {"id": str(help_me.id)}, "to": {"id": "424242"}})
    partial = api.post(f"{BATCH}/tickets/contacts/batch/associate/default", json=body)
    assert partial.status_code == 207 and partial.json()["numErrors"] == 1


# -- #7 batch read ----------------------------------------------------------------------------
def test_a9_batch_read_pages_each_record_from_its_own_cursor(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, bob, lonely = contact(db, me), contact(db, me, "Bob"), contact(db, me, "Lonely")
    acme, globex = company(db, me), company(db, me, "Globex")
    for who in (ann, bob):
        for co in (acme, globex):
            api.put(f"{V4}/contacts/{who.id}/associations/default/companies/{co.id}")
    body = {
        "inputs": [
            {"id": str(ann.id)},
            {"id": str(bob.id), "after": str(acme.id)},
            {"id": str(lonely.id)},
            {"id": ann.id, "after": str(acme.id)},
        ]
    }
    response = api.post(f"{BATCH}/contacts/companies/batch/read", json=body)
    assert response.status_code == 200
    shaped = response.json()
    assert shaped["status"] == "COMPLETE"
    assert shaped["results"] == [
        {
            "from": {"id": str(ann.id)},
            "to": [
                {"toObjectId": acme.id, "associationTypes": [UNLABELED_CC, PRIMARY_CC]},
                {"toObjectId": globex.id, "associationTypes": [UNLABELED_CC]},
            ],
        },
        {
            "from": {"id": str(bob.id)},
            "to": [{"toObjectId": globex.id, "associationTypes": [UNLABELED_CC]}],
        },
        {"from": {"id": str(lonely.id)}, "to": []},
        {
            "from": {"id": str(ann.id)},
            "to": [{"toObjectId": globex.id, "associationTypes": [UNLABELED_CC]}],
        },
    ]


def test_batch_read_207_for_records_that_do_not_exist(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, big = contact(db, me), deal(db, me)
    body = {"inputs": [{"id": str(ann.id)}, {"id": "999999"}, {"id": str(big.id)}]}
    response = api.post(f"{BATCH}/contacts/companies/batch/read", json=body)
    assert response.status_code == 207
    shaped = response.json()
    assert shaped["numErrors"] == 2
    assert [e["context"]["ids"] for e in shaped["errors"]] == [["999999"], [str(big.id)]]
    assert {e["category"] for e in shaped["errors"]} == {"OBJECT_NOT_FOUND"}
    assert shaped["results"] == [{"from": {"id": str(ann.id)}, "to": []}]
    too_many = {"inputs": [{"id": str(ann.id)}] * 1001}
    assert (
        "1,000"
        in assert_error(api.post(f"{BATCH}/contacts/companies/batch/read", json=too_many), 400)[
            "message"
        ]
    )
    bad = {"inputs": [{"id": str(ann.id), "after": "zz"}]}
    assert_error(api.post(f"{BATCH}/contacts/companies/batch/read", json=bad), 400)


def test_a9_batch_read_pages_past_500(api: TestClient, db: Database, me: Caller) -> None:
    big = deal(db, me)
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(501)]
    )
    body = {"inputs": [{"from": {"id": str(big.id)}, "to": {"id": str(p.id)}} for p in people]}
    assert api.post(f"{BATCH}/deals/contacts/batch/associate/default", json=body).status_code == 200
    url = f"{BATCH}/deals/contacts/batch/read"
    first = api.post(url, json={"inputs": [{"id": str(big.id)}]}).json()["results"][0]
    assert len(first["to"]) == 500
    after = first["paging"]["next"]["after"]
    assert after == str(people[499].id)
    rest = api.post(url, json={"inputs": [{"id": str(big.id), "after": after}]}).json()
    assert rest["results"] == [
        {
            "from": {"id": str(big.id)},
            "to": [
                {
                    "toObjectId": people[500].id,
                    "associationTypes": [{"category": H, "typeId": 3, "label": None}],
                }
            ],
        }
    ]


# -- #8 batch archive, #9 labels archive ------------------------------------------------------
def test_batch_archive_removes_every_pair(api: TestClient, db: Database, me: Caller) -> None:
    big = deal(db, me)
    ann, bob = contact(db, me), contact(db, me, "Bob")
    for who in (ann, bob):
        api.put(f"{V4}/deals/{big.id}/associations/default/contacts/{who.id}")
    body = {
        "inputs": [{"from": {"id": str(big.id)}, "to": [{"id": str(ann.id)}, {"id": str(bob.id)}]}]
    }
    response = api.post(f"{BATCH}/deals/contacts/batch/archive", json=body)
    assert response.status_code == 204 and response.content == b""
    assert types_between(db, me, big.id, ann.id) is None
    assert types_between(db, me, bob.id, big.id) is None


def test_p4_batch_archive_207_when_the_primary_needs_a_successor(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, globex, initech = (company(db, me, n) for n in ("Acme", "Globex", "Initech"))
    for co in (acme, globex, initech):
        api.put(f"{V4}/contacts/{ann.id}/associations/default/companies/{co.id}")
    body = {
        "inputs": [
            {"from": {"id": str(ann.id)}, "to": [{"id": str(acme.id)}, {"id": str(initech.id)}]}
        ]
    }
    response = api.post(f"{BATCH}/contacts/companies/batch/archive", json=body)
    assert response.status_code == 207
    (error,) = response.json()["errors"]
    assert error["subCategory"] == "PRIMARY_REQUIRED"
    assert types_between(db, me, ann.id, acme.id) == {279, 1}
    assert types_between(db, me, ann.id, initech.id) is None


def test_a3_labels_archive_removes_labels_and_the_base_type_removes_all(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme, globex = contact(db, me), company(db, me), company(db, me, "Globex")
    label = advisor(db, me)
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[spec(1)])
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=[spec(label, U)])
    url = f"{BATCH}/contacts/companies/batch/labels/archive"
    only_label = {"inputs": [pair(ann.id, globex.id, spec(label, U))]}
    assert api.post(url, json=only_label).status_code == 204
    assert types_between(db, me, ann.id, globex.id) == {279}
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{globex.id}", json=[spec(label, U)])
    base = {"inputs": [pair(ann.id, globex.id, spec(279))]}
    assert api.post(url, json=base).status_code == 204
    assert types_between(db, me, ann.id, globex.id) is None
    # The only company's Primary label cannot go (P3).
    refused = api.post(url, json={"inputs": [pair(ann.id, acme.id, spec(1))]})
    assert refused.status_code == 207
    assert refused.json()["errors"][0]["subCategory"] == "PRIMARY_REQUIRED"
    assert types_between(db, me, ann.id, acme.id) == {279, 1}


# -- scopes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body", "missing"),
    [
        ("GET", "/crm/v4/objects/contacts/{c}/associations/companies", None, "companies.read"),
        ("PUT", "/crm/v4/objects/contacts/{c}/associations/companies/{co}", [], "contacts.write"),
        (
            "PUT",
            "/crm/v4/objects/contacts/{c}/associations/default/companies/{co}",
            None,
            "contacts.write",
        ),
        (
            "DELETE",
            "/crm/v4/objects/contacts/{c}/associations/companies/{co}",
            None,
            "contacts.write",
        ),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/create",
            {"inputs": []},
            "contacts.write",
        ),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/associate/default",
            {"inputs": []},
            "contacts.write",
        ),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/read",
            {"inputs": []},
            "companies.read",
        ),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/archive",
            {"inputs": []},
            "contacts.write",
        ),
        (
            "POST",
            "/crm/v4/associations/contacts/companies/batch/labels/archive",
            {"inputs": []},
            "contacts.write",
        ),
    ],
)
def test_s2_association_routes_need_the_scopes_of_both_types(
    db: Database, me: Caller, method: str, path: str, body: Any, missing: str
) -> None:
    ann, acme = contact(db, me), company(db, me)
    value = token_for(db, "crm.objects.contacts.read")
    client = TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})
    before = dump(db)
    response = client.request(method, path.format(c=ann.id, co=acme.id), json=body)
    shaped = assert_error(response, 403)
    assert shaped["category"] == "MISSING_SCOPES"
    assert shaped["context"]["requiredGranularScopes"] == [f"crm.objects.{missing}"]
    assert dump(db) == before
    anonymous = TestClient(create_app(db)).request(
        method, path.format(c=ann.id, co=acme.id), json=body
    )
    assert anonymous.status_code == 401


def test_s2_both_write_scopes_let_a_token_associate(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    value = token_for(db, "crm.objects.contacts.write", "crm.objects.companies.write", name="sync")
    client = TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})
    response = client.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[])
    assert response.status_code == 201
    entries = history.record_history(db, me, "companies", acme.id).entries
    assert {(e.source, e.actor_name) for e in entries} == {(Source.API, "sync")}


# -- path families ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("objects", "associations"),
    [
        ("/crm/v4/objects", "/crm/associations/v4"),
        ("/crm/objects/2026-03", "/crm/associations/2026-03"),
    ],
)
def test_every_path_family_serves_the_routes(
    api: TestClient, db: Database, me: Caller, objects: str, associations: str
) -> None:
    ann, acme = contact(db, me), company(db, me)
    put = api.put(f"{objects}/contacts/{ann.id}/associations/companies/{acme.id}", json=[])
    assert put.status_code == 201
    assert api.get(f"{objects}/contacts/{ann.id}/associations/companies").status_code == 200
    read = api.post(
        f"{associations}/contacts/companies/batch/read", json={"inputs": [{"id": str(ann.id)}]}
    )
    assert read.status_code == 200 and read.json()["results"][0]["to"][0]["toObjectId"] == acme.id


def test_o5_records_of_another_account_cannot_be_seen_or_linked(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    other = create_account(db, name="Other Inc")
    value = token_for(db, *ALL_SCOPES, account_id=other, name="other")
    client = TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})
    before = dump(db)
    put = client.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[])
    assert_error(put, 404, "RECORD_NOT_FOUND")
    assert_error(client.get(f"{V4}/contacts/{ann.id}/associations/companies"), 404)
    read = client.post(
        f"{BATCH}/contacts/companies/batch/read", json={"inputs": [{"id": str(ann.id)}]}
    )
    assert read.status_code == 207 and read.json()["results"] == []
    assert dump(db) == before


def test_batch_create_takes_2000_inputs(api: TestClient, db: Database, me: Caller) -> None:
    big = deal(db, me)
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(2000)]
    )
    body = {"inputs": [pair(p.id, big.id, spec(4)) for p in people]}
    response = api.post(f"{BATCH}/contacts/deals/batch/create", json=body)
    assert response.status_code == 201 and len(response.json()["results"]) == 2000
    page = api.get(f"{V4}/deals/{big.id}/associations/contacts").json()
    assert len(page["results"]) == 500 and page["paging"]["next"]["after"] == str(people[499].id)


def test_batch_archive_and_read_refuse_bad_bodies(
    api: TestClient, db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    api.put(f"{V4}/contacts/{ann.id}/associations/companies/{acme.id}", json=[])
    before = dump(db)
    url = f"{BATCH}/contacts/companies/batch"
    assert_error(api.post(f"{url}/archive", json={"inputs": [{"from": {"id": "1"}}]}), 400)
    assert_error(
        api.post(f"{url}/archive", json={"inputs": [{"from": {"id": "1"}, "to": {}}]}), 400
    )
    many = {"inputs": [{"from": {"id": str(ann.id)}, "to": [{"id": str(acme.id)}] * 2001}]}
    assert "2,000" in assert_error(api.post(f"{url}/archive", json=many), 400)["message"]
    assert_error(api.post(f"{url}/labels/archive", json={"inputs": [{"from": {"id": "1"}}]}), 400)
    assert_error(api.post(f"{url}/associate/default", json={"inputs": [{"to": {"id": "1"}}]}), 400)
    assert_error(api.post(f"{url}/read", json={"inputs": [{"id": "-4"}]}), 400)
    assert_error(api.post(f"{url}/read", json={"inputs": [{"id": "1", "after": 5}]}), 400)
    assert dump(db) == before

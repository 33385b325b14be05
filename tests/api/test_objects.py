"""The v3 objects API in process, on both stores: every route, its status codes and bodies,
bad input refused with nothing changed, and scopes (S2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.domain.history import Source
from liaison.services import history
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.helpers import car_type, dump

V3 = "/crm/v3/objects"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def create(api: TestClient, object_type: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"{V3}/{object_type}", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def contact(api: TestClient, first: str = "Ann", **props: Any) -> dict[str, Any]:
    return create(api, "contacts", properties={"firstname": first, "lastname": "Lee", **props})


def company(api: TestClient, name: str = "Acme", **props: Any) -> dict[str, Any]:
    return create(api, "companies", properties={"name": name, **props})


def assoc(to_id: str, type_id: int, category: str = "HUBSPOT_DEFINED") -> dict[str, Any]:
    return {
        "to": {"id": to_id},
        "types": [{"associationCategory": category, "associationTypeId": type_id}],
    }


def client_with(db: Database, *scopes: str) -> TestClient:
    value = token_for(db, *scopes)
    return TestClient(create_app(db), headers={"Authorization": f"Bearer {value}"})


# -- create ---------------------------------------------------------------------------------------
def test_o2_create_answers_201_with_a_simple_public_object(api: TestClient) -> None:
    body = contact(api, email="ann@acme.example")
    assert isinstance(body["id"], str) and body["id"].isdigit()
    props = body["properties"]
    assert props["firstname"] == "Ann" and props["email"] == "ann@acme.example"
    assert props["hs_object_id"] == body["id"]
    assert ISO_Z.match(props["createdate"]) and ISO_Z.match(props["lastmodifieddate"])
    assert ISO_Z.match(body["createdAt"]) and ISO_Z.match(body["updatedAt"])
    assert body["archived"] is False


def test_o2_companies_and_custom_types_name_their_times_as_hubspot(
    api: TestClient, db: Database, me: Caller
) -> None:
    acme = company(api)
    assert {"createdate", "hs_lastmodifieddate", "hs_object_id"} <= set(acme["properties"])
    car_type(db, me, "contacts")
    car = create(api, "car", properties={"model": "Volvo"})
    assert {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"} <= set(car["properties"])


def test_a3_create_with_inline_associations_shows_them_on_read(api: TestClient) -> None:
    acme = company(api)
    ann = create(
        api,
        "contacts",
        properties={"email": "ann@acme.example"},
        associations=[assoc(acme["id"], 279)],
    )
    got = api.get(f"{V3}/contacts/{ann['id']}", params={"associations": "companies"})
    assert got.status_code == 200
    results = got.json()["associations"]["companies"]["results"]
    # P3: the first company is primary; v3 names: primary, then the unlabeled base type.
    assert results == [
        {"id": acme["id"], "type": "contact_to_company"},
        {"id": acme["id"], "type": "contact_to_company_unlabeled"},
    ]
    back = api.get(f"{V3}/companies/{acme['id']}", params={"associations": ["contacts", "deals"]})
    assert back.json()["associations"] == {
        "contacts": {
            "results": [
                {"id": ann["id"], "type": "company_to_contact"},
                {"id": ann["id"], "type": "company_to_contact_unlabeled"},
            ]
        }
    }


def test_h2_api_changes_are_recorded_with_source_api_and_token_name(
    api: TestClient, db: Database, me: Caller
) -> None:
    acme = company(api)
    ann = create(
        api, "contacts", properties={"firstname": "Ann"}, associations=[assoc(acme["id"], 279)]
    )
    entries = history.record_history(db, me, "contacts", int(ann["id"])).entries
    assert entries and {e.source for e in entries} == {Source.API}
    assert {e.actor_name for e in entries} == {"test suite"}


def test_o4_create_with_bad_input_is_400_and_writes_nothing(api: TestClient, db: Database) -> None:
    acme = company(api)
    before = dump(db)
    cases: list[dict[str, Any]] = [
        {"properties": {"nope": "x"}},
        {"properties": {"firstname": ["a", "list"]}},
        {"properties": {"email": "a@b.example"}, "associations": [assoc("abc", 279)]},
        {"properties": {"email": "a@b.example"}, "associations": [assoc(acme["id"], 4)]},
        {"properties": "not an object"},
    ]
    for body in cases:
        response = api.post(f"{V3}/contacts", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["status"] == "error" and response.json()["message"]
    missing_target = api.post(
        f"{V3}/contacts", json={"properties": {}, "associations": [assoc("999999", 279)]}
    )
    assert missing_target.status_code == 404
    assert dump(db) == before


def test_o4_required_properties_are_enforced(api: TestClient, db: Database) -> None:
    before = dump(db)
    assert api.post(f"{V3}/deals", json={"properties": {"amount": "5"}}).status_code == 400
    assert api.post(f"{V3}/companies", json={"properties": {"city": "Oslo"}}).status_code == 400
    note = api.post(f"{V3}/notes", json={"properties": {"hs_note_body": "Hi"}})
    assert note.status_code == 400 and "hs_timestamp" in note.json()["message"]
    assert dump(db) == before
    ok = api.post(
        f"{V3}/notes",
        json={"properties": {"hs_note_body": "Hi", "hs_timestamp": "2026-01-05T10:00:00Z"}},
    )
    assert ok.status_code == 201
    assert ok.json()["properties"]["hs_createdate"]


def test_o1_unknown_object_type_is_404(api: TestClient) -> None:
    response = api.post(f"{V3}/widgets", json={"properties": {}})
    assert response.status_code == 404
    assert response.json()["subCategory"] == "OBJECT_TYPE_NOT_FOUND"


# -- read -----------------------------------------------------------------------------------------
def test_read_properties_repeated_and_comma_lists_unknown_ignored(api: TestClient) -> None:
    ann = contact(api, email="ann@acme.example")
    url = f"{V3}/contacts/{ann['id']}"
    default = api.get(url).json()["properties"]
    assert set(default) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }
    wanted = api.get(url, params=[("properties", "jobtitle,email"), ("properties", "nope")])
    props = wanted.json()["properties"]
    assert props["email"] == "ann@acme.example"
    assert props["jobtitle"] is None
    assert "nope" not in props and "firstname" not in props
    assert props["hs_object_id"] == ann["id"]


def test_read_by_id_property_email(api: TestClient) -> None:
    ann = contact(api, email="Ann@Acme.example")
    got = api.get(f"{V3}/contacts/ann@acme.example", params={"idProperty": "email"})
    assert got.status_code == 200 and got.json()["id"] == ann["id"]
    assert (
        api.get(f"{V3}/contacts/bob@acme.example", params={"idProperty": "email"}).status_code
        == 404
    )
    bad = api.get(f"{V3}/contacts/x", params={"idProperty": "firstname"})
    assert bad.status_code == 400 and "idProperty" in bad.json()["message"]


def test_read_by_custom_object_property(api: TestClient, db: Database, me: Caller) -> None:
    kind = car_type(db, me)
    car = create(api, kind.id, properties={"model": "Volvo"})
    got = api.get(f"{V3}/car/Volvo", params={"idProperty": "model", "properties": "model"})
    assert got.status_code == 200 and got.json()["id"] == car["id"]
    assert got.json()["properties"]["model"] == "Volvo"


def test_l3_merged_id_reads_the_survivor(api: TestClient) -> None:
    ann, dup = contact(api), contact(api, "Annie")
    merged = api.post(
        f"{V3}/contacts/merge",
        json={"primaryObjectId": ann["id"], "objectIdToMerge": dup["id"]},
    )
    assert merged.status_code == 200 and merged.json()["id"] == ann["id"]
    assert api.get(f"{V3}/contacts/{dup['id']}").json()["id"] == ann["id"]


def test_read_missing_and_archived(api: TestClient) -> None:
    assert api.get(f"{V3}/contacts/999999").status_code == 404
    assert api.get(f"{V3}/contacts/abc").status_code == 404
    ann = contact(api)
    acme = company(api)
    assert api.get(f"{V3}/companies/{ann['id']}").status_code == 404  # wrong type
    assert api.delete(f"{V3}/contacts/{ann['id']}").status_code == 204
    assert api.get(f"{V3}/contacts/{ann['id']}").status_code == 404
    archived = api.get(f"{V3}/contacts/{ann['id']}", params={"archived": "True"})
    assert archived.status_code == 200
    assert archived.json()["archived"] is True and ISO_Z.match(archived.json()["archivedAt"])
    assert api.get(f"{V3}/companies/{acme['id']}", params={"archived": "true"}).status_code == 404


# -- list -----------------------------------------------------------------------------------------
def test_list_pages_with_after_and_associations(api: TestClient) -> None:
    acme = company(api)
    people = [
        create(
            api,
            "contacts",
            properties={"firstname": f"P{i}"},
            associations=[assoc(acme["id"], 279)],
        )
        for i in range(12)
    ]
    first = api.get(f"{V3}/contacts", params={"associations": "companies"})
    assert first.status_code == 200
    body = first.json()
    assert [r["id"] for r in body["results"]] == [p["id"] for p in people[:10]]
    assert all(len(r["associations"]["companies"]["results"]) == 2 for r in body["results"])
    after = body["paging"]["next"]["after"]
    second = api.get(f"{V3}/contacts", params={"after": after, "limit": 5}).json()
    assert [r["id"] for r in second["results"]] == [p["id"] for p in people[10:]]
    assert "paging" not in second
    assert "associations" not in second["results"][0]


def test_list_limits_and_bad_cursor_are_400(api: TestClient) -> None:
    assert api.get(f"{V3}/contacts", params={"limit": 101}).status_code == 400
    assert api.get(f"{V3}/contacts", params={"limit": 0}).status_code == 400
    assert api.get(f"{V3}/contacts", params={"after": "xyz"}).status_code == 400
    assert api.get(f"{V3}/contacts", params={"limit": 100}).status_code == 200


def test_list_archived_shows_only_archived(api: TestClient) -> None:
    ann, bob = contact(api), contact(api, "Bob")
    api.delete(f"{V3}/contacts/{bob['id']}")
    live = api.get(f"{V3}/contacts").json()["results"]
    gone = api.get(f"{V3}/contacts", params={"archived": True}).json()["results"]
    assert [r["id"] for r in live] == [ann["id"]]
    assert [r["id"] for r in gone] == [bob["id"]]


# -- update, delete -------------------------------------------------------------------------------
def test_update_changes_properties_and_refuses_bad_input(api: TestClient, db: Database) -> None:
    ann = contact(api, email="ann@acme.example")
    url = f"{V3}/contacts/{ann['id']}"
    updated = api.patch(url, json={"properties": {"jobtitle": "CEO", "lastname": ""}})
    assert updated.status_code == 200
    assert updated.json()["properties"]["jobtitle"] == "CEO"
    assert "lastname" not in updated.json()["properties"]
    by_email = api.patch(
        f"{V3}/contacts/ann@acme.example",
        params={"idProperty": "email"},
        json={"properties": {"phone": "123"}},
    )
    assert by_email.status_code == 200 and by_email.json()["id"] == ann["id"]
    before = dump(db)
    assert api.patch(url, json={"properties": {"nope": "x"}}).status_code == 400
    assert api.patch(f"{V3}/contacts/999999", json={"properties": {}}).status_code == 404
    deal = create(api, "deals", properties={"dealname": "D"})
    assert (
        api.patch(f"{V3}/deals/{deal['id']}", json={"properties": {"amount": "lots"}}).status_code
        == 400
    )
    before = dump(db)
    assert (
        api.patch(f"{V3}/deals/{deal['id']}", json={"properties": {"dealname": ""}}).status_code
        == 400
    )
    assert dump(db) == before


def test_l1_delete_is_204_and_removes_associations(api: TestClient) -> None:
    acme = company(api)
    ann = create(api, "contacts", properties={}, associations=[assoc(acme["id"], 279)])
    assert api.delete(f"{V3}/contacts/{ann['id']}").status_code == 204
    got = api.get(f"{V3}/companies/{acme['id']}", params={"associations": "contacts"}).json()
    assert "associations" not in got
    assert api.delete(f"{V3}/contacts/{ann['id']}").status_code == 204  # idempotent
    assert api.delete(f"{V3}/contacts/abc").status_code == 400


# -- batches --------------------------------------------------------------------------------------
def test_batch_create_201_and_all_or_nothing(api: TestClient, db: Database) -> None:
    acme = company(api)
    ok = api.post(
        f"{V3}/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"firstname": "A"}, "associations": [assoc(acme["id"], 279)]},
                {"properties": {"firstname": "B"}},
            ]
        },
    )
    assert ok.status_code == 201
    body = ok.json()
    assert body["status"] == "COMPLETE" and len(body["results"]) == 2
    assert ISO_Z.match(body["startedAt"]) and ISO_Z.match(body["completedAt"])
    before = dump(db)
    bad = api.post(
        f"{V3}/contacts/batch/create",
        json={"inputs": [{"properties": {"firstname": "C"}}, {"properties": {"nope": "x"}}]},
    )
    assert bad.status_code == 400 and "nope" in bad.json()["message"]
    too_many = api.post(
        f"{V3}/contacts/batch/create",
        json={"inputs": [{"properties": {"firstname": str(i)}} for i in range(101)]},
    )
    assert too_many.status_code == 400 and "at most 100" in too_many.json()["message"]
    assert dump(db) == before


def test_a6_batch_create_with_trace_ids_refuses_each_input_alone(api: TestClient) -> None:
    acme = company(api)
    response = api.post(
        f"{V3}/contacts/batch/create",
        json={
            "inputs": [
                {"properties": {"firstname": "A"}, "objectWriteTraceId": "t-a"},
                {"properties": {"nope": "x"}, "objectWriteTraceId": "t-bad-prop"},
                {
                    "properties": {"firstname": "B"},
                    "associations": [assoc(acme["id"], 279), assoc("999999", 279)],
                    "objectWriteTraceId": "t-bad-link",
                },
                {
                    "properties": {"firstname": "C"},
                    "associations": [assoc(acme["id"], 279)],
                    "objectWriteTraceId": "t-c",
                },
            ]
        },
    )
    assert response.status_code == 207
    body = response.json()
    assert [r["objectWriteTraceId"] for r in body["results"]] == ["t-a", "t-c"]
    assert body["numErrors"] == 2
    assert [e["context"]["objectWriteTraceId"] for e in body["errors"]] == [
        ["t-bad-prop"],
        ["t-bad-link"],
    ]
    # The refused input B left nothing: no record, no association with Acme.
    names = {r["properties"]["firstname"] for r in api.get(f"{V3}/contacts").json()["results"]}
    assert names == {"A", "C"}
    got = api.get(f"{V3}/companies/{acme['id']}", params={"associations": "contacts"}).json()
    assert {a["id"] for a in got["associations"]["contacts"]["results"]} == {
        body["results"][1]["id"]
    }
    all_good = api.post(
        f"{V3}/contacts/batch/create",
        json={"inputs": [{"properties": {"firstname": "D"}, "objectWriteTraceId": "t-d"}]},
    )
    assert all_good.status_code == 201


def test_batch_update_with_trace_ids_refuses_each_input_alone(api: TestClient) -> None:
    ann = contact(api)
    response = api.post(
        f"{V3}/contacts/batch/update",
        json={
            "inputs": [
                {"id": ann["id"], "properties": {"jobtitle": "CEO"}, "objectWriteTraceId": "1"},
                {"id": "999999", "properties": {"jobtitle": "X"}, "objectWriteTraceId": "2"},
                {"id": ann["id"], "properties": {"nope": "x"}, "objectWriteTraceId": "3"},
            ]
        },
    )
    assert response.status_code == 207
    body = response.json()
    assert [r["properties"]["jobtitle"] for r in body["results"]] == ["CEO"]
    assert [e["objectWriteTraceId"] for e in body["errors"]] == ["2", "3"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"


def test_batch_read_200_and_207_for_missing(api: TestClient) -> None:
    ann, bob = contact(api, email="ann@x.example"), contact(api, "Bob", email="bob@x.example")
    ok = api.post(
        f"{V3}/contacts/batch/read",
        json={"inputs": [{"id": ann["id"]}, {"id": bob["id"]}], "properties": ["email"]},
    )
    assert ok.status_code == 200
    assert {r["properties"]["email"] for r in ok.json()["results"]} == {
        "ann@x.example",
        "bob@x.example",
    }
    partial = api.post(
        f"{V3}/contacts/batch/read",
        json={"inputs": [{"id": ann["id"]}, {"id": "999999"}]},
    )
    assert partial.status_code == 207
    body = partial.json()
    assert body["numErrors"] == 1 and body["errors"][0]["context"]["ids"] == ["999999"]
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    by_email = api.post(
        f"{V3}/contacts/batch/read",
        json={"inputs": [{"id": "bob@x.example"}], "idProperty": "email"},
    )
    assert [r["id"] for r in by_email.json()["results"]] == [bob["id"]]
    api.delete(f"{V3}/contacts/{bob['id']}")
    archived = api.post(
        f"{V3}/contacts/batch/read",
        params={"archived": "True"},
        json={"inputs": [{"id": bob["id"]}]},
    )
    assert archived.status_code == 200 and archived.json()["results"][0]["archived"] is True


def test_empty_batches_answer_empty_results(api: TestClient, db: Database) -> None:
    """Found by fuzzing: an empty batch update was a 500 (S3)."""
    before = dump(db)
    for route in ("create", "read", "update"):
        answer = api.post(f"{V3}/contacts/batch/{route}", json={"inputs": []})
        assert answer.status_code in (200, 201), (route, answer.text)
        assert answer.json()["results"] == []
    assert dump(db) == before


def test_batch_update_200_and_all_or_nothing(api: TestClient, db: Database) -> None:
    ann = contact(api)
    contact(api, "Bob", email="bob@x.example")
    ok = api.post(
        f"{V3}/contacts/batch/update",
        json={
            "inputs": [
                {"id": ann["id"], "properties": {"jobtitle": "CEO"}},
                {"id": "bob@x.example", "idProperty": "email", "properties": {"jobtitle": "CTO"}},
            ]
        },
    )
    assert ok.status_code == 200
    assert {r["properties"]["jobtitle"] for r in ok.json()["results"]} == {"CEO", "CTO"}
    before = dump(db)
    bad = api.post(
        f"{V3}/contacts/batch/update",
        json={
            "inputs": [
                {"id": ann["id"], "properties": {"jobtitle": "X"}},
                {"id": "999999", "properties": {"jobtitle": "Y"}},
            ]
        },
    )
    assert bad.status_code == 404
    assert dump(db) == before


def test_batch_upsert_creates_and_updates_with_new_flag(api: TestClient, db: Database) -> None:
    ann = contact(api, email="ann@x.example")
    done = api.post(
        f"{V3}/contacts/batch/upsert",
        json={
            "inputs": [
                {"id": "ann@x.example", "idProperty": "email", "properties": {"jobtitle": "CEO"}},
                {"id": "new@x.example", "idProperty": "email", "properties": {"firstname": "N"}},
            ]
        },
    )
    assert done.status_code == 200
    results = {r["properties"]["email"]: r for r in done.json()["results"]}
    assert results["ann@x.example"]["id"] == ann["id"] and results["ann@x.example"]["new"] is False
    assert results["new@x.example"]["new"] is True
    before = dump(db)
    no_id_property = api.post(
        f"{V3}/contacts/batch/upsert",
        json={"inputs": [{"id": "z@x.example", "properties": {}}]},
    )
    assert no_id_property.status_code == 400
    duplicate = api.post(
        f"{V3}/contacts/batch/upsert",
        json={
            "inputs": [
                {"id": "d@x.example", "idProperty": "email", "properties": {}},
                {"id": "D@x.example", "idProperty": "email", "properties": {}},
            ]
        },
    )
    assert duplicate.status_code == 400
    assert dump(db) == before


def test_batch_archive_204(api: TestClient, db: Database) -> None:
    ann, bob = contact(api), contact(api, "Bob")
    done = api.post(
        f"{V3}/contacts/batch/archive",
        json={"inputs": [{"id": ann["id"]}, {"id": bob["id"]}, {"id": "999999"}]},
    )
    assert done.status_code == 204
    assert api.get(f"{V3}/contacts").json()["results"] == []
    before = dump(db)
    too_many = api.post(
        f"{V3}/contacts/batch/archive", json={"inputs": [{"id": str(i)} for i in range(101)]}
    )
    assert too_many.status_code == 400
    assert (
        api.post(f"{V3}/contacts/batch/archive", json={"inputs": [{"id": "x"}]}).status_code == 400
    )
    assert dump(db) == before


# -- merge, GDPR delete ---------------------------------------------------------------------------
def test_l3_merge_moves_associations_and_refuses_bad_input(api: TestClient, db: Database) -> None:
    acme, globex = company(api), company(api, "Globex")
    ann = create(
        api, "contacts", properties={"firstname": "Ann"}, associations=[assoc(acme["id"], 279)]
    )
    dup = create(
        api,
        "contacts",
        properties={"firstname": "Ann", "jobtitle": "CEO"},
        associations=[assoc(globex["id"], 279)],
    )
    merged = api.post(
        f"{V3}/contacts/merge",
        json={"primaryObjectId": ann["id"], "objectIdToMerge": dup["id"]},
    )
    assert merged.status_code == 200
    assert merged.json()["properties"]["jobtitle"] == "CEO"
    got = api.get(f"{V3}/contacts/{ann['id']}", params={"associations": "companies"}).json()
    assert {a["id"] for a in got["associations"]["companies"]["results"]} == {
        acme["id"],
        globex["id"],
    }
    before = dump(db)
    assert (
        api.post(
            f"{V3}/contacts/merge", json={"primaryObjectId": ann["id"], "objectIdToMerge": "x"}
        ).status_code
        == 400
    )
    assert api.post(f"{V3}/contacts/merge", json={"primaryObjectId": ann["id"]}).status_code == 400
    assert (
        api.post(
            f"{V3}/contacts/merge",
            json={"primaryObjectId": ann["id"], "objectIdToMerge": ann["id"]},
        ).status_code
        == 400
    )
    assert dump(db) == before


def test_l5_gdpr_delete_by_email_is_204_and_permanent(api: TestClient, db: Database) -> None:
    ann = contact(api, email="ann@x.example")
    done = api.post(
        f"{V3}/contacts/gdpr-delete", json={"objectId": "ann@x.example", "idProperty": "email"}
    )
    assert done.status_code == 204
    assert api.get(f"{V3}/contacts/{ann['id']}", params={"archived": True}).status_code == 404
    bob = contact(api, "Bob")
    assert api.post(f"{V3}/contacts/gdpr-delete", json={"objectId": bob["id"]}).status_code == 204
    before = dump(db)
    acme = company(api)
    before = dump(db)
    refused = api.post(f"{V3}/companies/gdpr-delete", json={"objectId": acme["id"]})
    assert refused.status_code == 400
    assert api.post(f"{V3}/contacts/gdpr-delete", json={"objectId": "999999"}).status_code == 404
    assert dump(db) == before


# -- scopes, custom objects, activities, dated paths ----------------------------------------------
def test_s2_writing_without_the_write_scope_is_403(db: Database) -> None:
    reader = client_with(db, "crm.objects.contacts.read")
    before = dump(db)
    for method, path, body in [
        ("POST", f"{V3}/contacts", {"properties": {}}),
        ("POST", f"{V3}/contacts/batch/create", {"inputs": []}),
        ("POST", f"{V3}/contacts/batch/update", {"inputs": []}),
        ("POST", f"{V3}/contacts/batch/upsert", {"inputs": []}),
        ("POST", f"{V3}/contacts/batch/archive", {"inputs": []}),
        ("POST", f"{V3}/contacts/merge", {"primaryObjectId": "1", "objectIdToMerge": "2"}),
        ("POST", f"{V3}/contacts/gdpr-delete", {"objectId": "1"}),
        ("PATCH", f"{V3}/contacts/1", {"properties": {}}),
        ("DELETE", f"{V3}/contacts/1", None),
        ("POST", f"{V3}/notes", {"properties": {}}),
    ]:
        response = reader.request(method, path, json=body)
        assert response.status_code == 403, (method, path)
        assert response.json()["category"] == "MISSING_SCOPES"
        assert "crm.objects.contacts.write" in response.json()["message"]
    assert reader.get(f"{V3}/contacts").status_code == 200
    assert reader.post(f"{V3}/contacts/search", json={}).status_code == 200
    assert reader.get(f"{V3}/companies").status_code == 403
    assert reader.get(f"{V3}/car").status_code == 403  # custom: crm.objects.custom.read
    assert dump(db) == before


def test_o3_custom_objects_by_name_and_id(api: TestClient, db: Database, me: Caller) -> None:
    kind = car_type(db, me, "contacts")
    ann = contact(api)
    car = create(api, "car", properties={"model": "Volvo"}, associations=[])
    linked = create(
        api,
        kind.id,
        properties={"model": "Saab"},
        associations=[assoc(ann["id"], _custom_base(db, me, kind.id), "USER_DEFINED")],
    )
    page = api.get(f"{V3}/{kind.id}", params={"properties": "model"}).json()
    assert [r["properties"]["model"] for r in page["results"]] == ["Volvo", "Saab"]
    got = api.get(f"{V3}/car/{linked['id']}", params={"associations": "contacts"}).json()
    assert got["associations"]["contacts"]["results"] == [
        {"id": ann["id"], "type": "car_to_contact"}
    ]
    assert api.get(f"{V3}/cars/{car['id']}").status_code in (200, 404)


def _custom_base(db: Database, me: Caller, type_id: str) -> int:
    from liaison.services import labels

    return next(t.id for t in labels.list_types(db, me, type_id, "contacts") if t.label is None)


def test_t1_notes_are_records_with_their_associations(api: TestClient) -> None:
    ann = contact(api)
    note = create(
        api,
        "notes",
        properties={"hs_note_body": "Called", "hs_timestamp": "1767607200000"},
        associations=[assoc(ann["id"], 202)],
    )
    got = api.get(
        f"{V3}/0-46/{note['id']}", params={"associations": "contacts", "properties": "hs_note_body"}
    ).json()
    assert got["properties"]["hs_note_body"] == "Called"
    assert got["associations"]["contacts"]["results"] == [
        {"id": ann["id"], "type": "note_to_contact"}
    ]


def test_dated_path_family_serves_the_same_routes(api: TestClient) -> None:
    ann = contact(api)
    got = api.get(f"/crm/objects/2026-03/contacts/{ann['id']}")
    assert got.status_code == 200 and got.json()["id"] == ann["id"]
    made = api.post("/crm/objects/2026-03/companies", json={"properties": {"name": "Dated"}})
    assert made.status_code == 201


@pytest.mark.parametrize(
    "path", ["/crm/v3/objects/contacts/batch/read", "/crm/v3/objects/contacts/search"]
)
def test_s3_malformed_json_is_400(api: TestClient, path: str) -> None:
    response = api.post(path, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_a9_a_read_shows_at_most_500_associated_records_per_type(
    api: TestClient, db: Database, me: Caller
) -> None:
    from liaison.services import associations, records
    from liaison.services.associations import AssociationInput
    from liaison.services.records import NewRecord

    hub = records.create(db, me, "companies", {"name": "Hub"})
    people = records.create_many(
        db, me, "contacts", [NewRecord({"firstname": f"P{i}"}) for i in range(501)]
    )
    associations.associate(db, me, [AssociationInput(hub.id, p.id) for p in people]).check()
    got = api.get(f"{V3}/companies/{hub.id}", params={"associations": "contacts"}).json()
    shown = got["associations"]["contacts"]
    assert len({a["id"] for a in shown["results"]}) == 500
    assert shown["paging"]["next"]["after"] == str(people[499].id)
    listed = api.get(f"{V3}/companies", params={"associations": "contacts"}).json()["results"][0]
    assert len({a["id"] for a in listed["associations"]["contacts"]["results"]}) == 500


def test_list_with_associations_costs_the_same_statements_for_any_page_size(
    api: TestClient, db: Database
) -> None:
    from sqlalchemy import event

    acme = company(api)
    for i in range(30):
        create(
            api,
            "contacts",
            properties={"firstname": f"P{i}"},
            associations=[assoc(acme["id"], 279)],
        )
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        params = {"associations": "companies,deals", "properties": "firstname"}
        small = api.get(f"{V3}/contacts", params={**params, "limit": 2})
        few = len(statements)
        statements.clear()
        large = api.get(f"{V3}/contacts", params={**params, "limit": 30})
        many = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(small.json()["results"]) == 2 and len(large.json()["results"]) == 30
    assert all("companies" in r["associations"] for r in large.json()["results"])
    assert many == few


def test_s3_huge_ids_and_nul_characters_are_4xx_not_500(api: TestClient, db: Database) -> None:
    big = "99999999999999999999999"
    company(api)
    before = dump(db)
    responses = [
        api.get(f"{V3}/contacts/{big}"),
        api.get(f"{V3}/contacts", params={"after": big}),
        api.patch(f"{V3}/contacts/{big}", json={"properties": {}}),
        api.delete(f"{V3}/contacts/{big}"),
        api.post(f"{V3}/contacts/batch/archive", json={"inputs": [{"id": big}]}),
        api.post(f"{V3}/contacts/merge", json={"primaryObjectId": big, "objectIdToMerge": "1"}),
        api.post(f"{V3}/contacts", json={"properties": {}, "associations": [assoc(big, 279)]}),
        api.post(f"{V3}/contacts/gdpr-delete", json={"objectId": big}),
        api.post(f"{V3}/contacts", json={"properties": {"firstname": "x\u0000y"}}),
        api.get(f"{V3}/contacts/x%00y", params={"idProperty": "email"}),
    ]
    assert [r.status_code for r in responses] == [404, 400, 404, 400, 400, 400, 400, 404, 400, 404]
    partial = api.post(f"{V3}/contacts/batch/read", json={"inputs": [{"id": big}]})
    assert partial.status_code == 207
    assert dump(db) == before

"""Liaison extensions under /liaison/v1: association history (H3, H4), restore (L2) and
operations (H6), in-process on both stores. Bad input gets a 4xx and changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from liaison.domain.history import Actor
from liaison.domain.records import Record
from liaison.services import associations, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.helpers import company, contact, dump

ME = Caller(1, Actor.user("u-7", "Ann Admin"))
V1 = "/liaison/v1"


def ann_with_two_companies(db: Database) -> tuple[Record, Record, Record]:
    ann = contact(db, ME)
    acme, globex = company(db, ME, "Acme"), company(db, ME, "Globex")
    associations.associate(db, ME, [AssociationInput(ann.id, acme.id)])
    associations.associate(db, ME, [AssociationInput(ann.id, globex.id)])
    return ann, acme, globex


def history(api: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"{V1}/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_h3_record_history_newest_first_with_both_names_and_the_actor(
    api: TestClient, db: Database
) -> None:
    ann, acme, globex = ann_with_two_companies(db)
    page = history(api, f"objects/contacts/{ann.id}/association-history")
    changes = [(e["change"], e["associatedRecord"]["name"]) for e in page["results"]]
    assert changes == [("CREATED", "Globex"), ("PRIMARY_SET", "Acme"), ("CREATED", "Acme")]
    newest = page["results"][0]
    assert newest["record"] == {"objectTypeId": "0-1", "id": str(ann.id), "name": "Ann Lee"}
    assert newest["associatedRecord"]["id"] == str(globex.id)
    assert newest["source"] == "USER"
    assert newest["actor"] == {"kind": "USER", "id": "u-7", "name": "Ann Admin"}
    assert newest["occurredAt"].endswith("Z")
    assert newest["associationTypeId"] == 279
    assert page["results"][1]["label"] == "Primary"
    assert "paging" not in page
    seen_from_acme = history(api, f"objects/companies/{acme.id}/association-history")
    assert [e["associatedRecord"]["name"] for e in seen_from_acme["results"]] == ["Ann Lee"] * 2


def test_h3_history_pages_by_cursor_and_filters_by_type(api: TestClient, db: Database) -> None:
    ann, _, _ = ann_with_two_companies(db)
    first = history(api, f"objects/contact/{ann.id}/association-history", limit=2)
    assert len(first["results"]) == 2
    after = first["paging"]["next"]["after"]
    second = history(api, f"objects/0-1/{ann.id}/association-history", limit=2, after=after)
    assert [e["change"] for e in second["results"]] == ["CREATED"]
    assert "paging" not in second
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert ids == sorted(ids, key=int, reverse=True) and len(set(ids)) == 3
    deals = history(api, f"objects/contacts/{ann.id}/association-history", toObjectType="deals")
    assert deals["results"] == []
    companies = history(
        api, f"objects/contacts/{ann.id}/association-history", toObjectType="companies"
    )
    assert len(companies["results"]) == 3


def test_h4_one_association_history_and_h6_its_operation(api: TestClient, db: Database) -> None:
    ann, acme, globex = ann_with_two_companies(db)
    records.delete(db, ME, "companies", acme.id)
    page = history(api, f"objects/contacts/{ann.id}/associations/companies/{acme.id}/history")
    changes = [(e["change"], e["source"]) for e in page["results"]]
    assert changes[:2] == [("REMOVED", "OBJECT_DELETION"), ("PRIMARY_REMOVED", "OBJECT_DELETION")]
    assert changes[-2:] == [("PRIMARY_SET", "USER"), ("CREATED", "USER")]
    assert all(e["associatedRecord"]["id"] == str(acme.id) for e in page["results"])
    operation_id = page["results"][0]["operationId"]
    operation = api.get(f"{V1}/operations/{operation_id}")
    assert operation.status_code == 200, operation.text
    body = operation.json()
    assert body["id"] == operation_id and body["kind"] == "delete"
    assert body["actor"]["name"] == "Ann Admin"
    assert body["startedAt"].endswith("Z")
    assert {e["operationId"] for e in body["results"]} == {operation_id}
    assert any(e["associatedRecord"]["id"] == str(globex.id) for e in body["results"]) or any(
        e["record"]["id"] == str(globex.id) for e in body["results"]
    )


def test_h6_an_operation_reads_a_page_at_a_time(api: TestClient, db: Database) -> None:
    ann = contact(db, ME)
    companies = [company(db, ME, f"Company {i}") for i in range(5)]
    associations.associate(db, ME, [AssociationInput(ann.id, c.id) for c in companies])
    (created,) = history(api, f"objects/contacts/{ann.id}/association-history", limit=1)["results"]
    url = f"{V1}/operations/{created['operationId']}"
    whole = api.get(url).json()
    assert len(whole["results"]) == 6 and "paging" not in whole  # 5 CREATED, 1 PRIMARY_SET
    seen: list[str] = []
    page = api.get(url, params={"limit": 4}).json()
    while True:
        seen += [e["id"] for e in page["results"]]
        if "paging" not in page:
            break
        page = api.get(url, params={"limit": 4, "after": page["paging"]["next"]["after"]}).json()
    assert seen == [e["id"] for e in whole["results"]]
    assert seen == sorted(seen, key=int)
    assert api.get(url, params={"limit": 0}).status_code == 400
    assert api.get(url, params={"limit": 501}).status_code == 400


def test_l2_restore_brings_back_the_associations_and_reports_them(
    api: TestClient, db: Database
) -> None:
    ann, acme, _ = ann_with_two_companies(db)
    records.delete(db, ME, "companies", acme.id)
    response = api.post(f"{V1}/objects/companies/{acme.id}/restore")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["record"]["id"] == str(acme.id)
    assert body["record"]["properties"]["name"] == "Acme"
    assert body["record"]["archived"] is False
    assert body["associationsRestored"] == 1
    assert body["skipped"] == []
    assert associations.between(db, ME, ann.id, acme.id) is not None
    newest = history(api, f"objects/companies/{acme.id}/association-history")["results"][0]
    assert (newest["change"], newest["source"]) == ("CREATED", "OBJECT_RESTORE")
    assert newest["actor"]["kind"] == "API_TOKEN"


def test_l2_restore_reports_what_could_not_come_back(api: TestClient, db: Database) -> None:
    ann, acme, _ = ann_with_two_companies(db)
    records.delete(db, ME, "companies", acme.id)
    records.delete(db, ME, "contacts", ann.id)
    body = api.post(f"{V1}/objects/companies/{acme.id}/restore").json()
    assert body["associationsRestored"] == 0
    assert [s["toObjectId"] for s in body["skipped"]] == [str(ann.id)]
    assert body["skipped"][0]["reason"]


def test_l2_restore_refusals_are_4xx_and_change_nothing(api: TestClient, db: Database) -> None:
    ann, acme, _ = ann_with_two_companies(db)
    before = dump(db)
    for path, status in (
        (f"objects/contacts/{ann.id}/restore", 404),  # not deleted
        (f"objects/companies/{ann.id}/restore", 404),  # of another type
        ("objects/contacts/999999/restore", 404),
        ("objects/spaceships/1/restore", 404),
        ("objects/contacts/abc/restore", 400),
        ("objects/contacts/0/restore", 400),
    ):
        response = api.post(f"{V1}/{path}")
        assert response.status_code == status, (path, response.text)
        assert response.json()["status"] == "error"
    assert acme.id
    assert dump(db) == before


def test_h3_bad_history_requests_are_4xx(api: TestClient, db: Database) -> None:
    ann, acme, _ = ann_with_two_companies(db)
    before = dump(db)
    for path, params, status in (
        (f"objects/contacts/{ann.id}/association-history", {"limit": 0}, 400),
        (f"objects/contacts/{ann.id}/association-history", {"limit": 501}, 400),
        (f"objects/contacts/{ann.id}/association-history", {"after": "x"}, 400),
        (f"objects/contacts/{ann.id}/association-history", {"toObjectType": "boats"}, 404),
        (f"objects/companies/{ann.id}/association-history", {}, 404),
        ("objects/contacts/424242/association-history", {}, 404),
        (f"objects/contacts/{ann.id}/associations/boats/{acme.id}/history", {}, 404),
        ("operations/424242", {}, 404),
        ("operations/nope", {}, 400),
    ):
        response = api.get(f"{V1}/{path}", params=params)
        assert response.status_code == status, (path, params, response.text)
    assert dump(db) == before


def test_s2_history_needs_the_read_scope_of_every_type_it_shows(
    api: TestClient, db: Database
) -> None:
    ann, acme, _ = ann_with_two_companies(db)
    contacts_only = {"Authorization": f"Bearer {token_for(db, 'crm.objects.contacts.read')}"}
    both = token_for(db, "crm.objects.contacts.read", "crm.objects.companies.read")
    path = f"{V1}/objects/contacts/{ann.id}/association-history"
    operation_id = history(api, path[len(V1) + 1 :])["results"][0]["operationId"]
    refused = api.get(path, headers=contacts_only)
    assert refused.status_code == 403
    assert refused.json()["context"]["requiredGranularScopes"] == ["crm.objects.companies.read"]
    assert api.get(path, headers={"Authorization": f"Bearer {both}"}).status_code == 200
    refused = api.get(f"{V1}/operations/{operation_id}", headers=contacts_only)
    assert refused.status_code == 403
    pair = f"{V1}/objects/contacts/{ann.id}/associations/companies/{acme.id}/history"
    assert api.get(pair, headers=contacts_only).status_code == 403
    restore = api.post(f"{V1}/objects/contacts/{ann.id}/restore", headers=contacts_only)
    assert restore.status_code == 403
    assert restore.json()["context"]["requiredGranularScopes"] == ["crm.objects.contacts.write"]

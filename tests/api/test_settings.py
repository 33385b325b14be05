"""The settings API: activity rules (T2) and association by domain (L4); a note created over
the v3 objects API gets its automatic associations (T2, T3)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.domain.history import Actor
from liaison.services import associations
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.api.conftest import token_for
from tests.helpers import company, contact, dump

ME = Caller(1, Actor.user("user-1", "Ann Admin"))
RULES = "/liaison/v1/settings/activity-rules"
DOMAINS = "/liaison/v1/settings/domain-association"


def _rule(body: dict[str, Any], record: str, activity: str, target: str) -> dict[str, Any]:
    [found] = [
        r
        for r in body["results"]
        if (r["recordType"], r["activityType"], r["targetType"]) == (record, activity, target)
    ]
    return found


def test_t2_read_and_change_the_activity_rules(api: TestClient) -> None:
    body = api.get(RULES).json()
    assert _rule(body, "contacts", "notes", "companies") == {
        "recordType": "contacts",
        "recordTypeId": "0-1",
        "activityType": "notes",
        "activityTypeId": "0-46",
        "targetType": "companies",
        "targetTypeId": "0-2",
        "rule": "primary_company",
        "default": "primary_company",
    }
    assert _rule(body, "deals", "calls", "contacts")["rule"] == "all"
    changed = api.put(
        RULES,
        json={
            "inputs": [
                {"recordType": "0-1", "activityType": "notes", "targetType": "deals", "rule": "all"}
            ]
        },
    )
    assert changed.status_code == 200
    assert _rule(changed.json(), "contacts", "notes", "deals")["rule"] == "all"
    assert _rule(api.get(RULES).json(), "contacts", "notes", "deals")["default"] == (
        "five_most_recent"
    )


@pytest.mark.parametrize(
    "inputs",
    [
        [{"recordType": "contacts", "activityType": "notes", "targetType": "deals", "rule": "x"}],
        [
            {
                "recordType": "contacts",
                "activityType": "deals",
                "targetType": "companies",
                "rule": "all",
            }
        ],
        [{"recordType": "nope", "activityType": "notes", "targetType": "deals", "rule": "all"}],
        [{"recordType": "contacts", "activityType": "notes", "rule": "all"}],
        "all",
    ],
)
def test_t2_bad_rules_are_400_and_change_nothing(
    api: TestClient, db: Database, inputs: object
) -> None:
    before = dump(db)
    answer = api.put(RULES, json={"inputs": inputs})
    assert answer.status_code in (400, 404), answer.text
    assert answer.json()["message"]
    assert dump(db) == before


def test_t2_t3_a_note_created_over_the_objects_api_gets_its_automatic_associations(
    api: TestClient, db: Database
) -> None:
    ann, acme = contact(db, ME), company(db, ME)
    associations.associate(db, ME, [AssociationInput(ann.id, acme.id)]).check()
    created = api.post(
        "/crm/v3/objects/notes",
        json={
            "properties": {"hs_note_body": "From the API", "hs_timestamp": "2024-01-01T00:00:00Z"},
            "associations": [
                {
                    "to": {"id": str(ann.id)},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    note = created.json()["id"]
    companies = api.get(f"/crm/v4/objects/notes/{note}/associations/companies").json()
    assert [r["toObjectId"] for r in companies["results"]] == [acme.id]
    history = api.get(
        f"/liaison/v1/objects/notes/{note}/associations/companies/{acme.id}/history"
    ).json()
    [entry] = history["results"]
    assert entry["source"] == "JOB"
    assert entry["detail"]["reason"] == "added by rule: contact's primary company"
    assert entry["detail"]["followed"]["fromObjectId"] == ann.id


def test_l4_read_and_change_the_domain_setting(api: TestClient, db: Database) -> None:
    body = api.get(DOMAINS).json()
    assert body["enabled"] is True and body["createCompanies"] is False
    assert body["excludedDomains"] == [] and body["freeMailDomains"] > 1000
    changed = api.put(DOMAINS, json={"createCompanies": True, "excludedDomains": ["Acme.COM"]})
    assert changed.status_code == 200
    assert changed.json()["excludedDomains"] == ["acme.com"]
    assert changed.json()["enabled"] is True
    before = dump(db)
    refused = api.put(DOMAINS, json={"excludedDomains": ["not a domain"]})
    assert refused.status_code == 400 and "not a domain" in refused.json()["message"]
    assert api.put(DOMAINS, json={"enabled": "maybe"}).status_code == 400
    assert api.put(DOMAINS, json={"colour": "blue"}).status_code == 400
    assert dump(db) == before


def test_l4_a_contact_created_over_the_api_gets_its_domains_company(
    api: TestClient, db: Database
) -> None:
    acme = company(db, ME, "Acme", domain="acme.com")
    made = api.post("/crm/v3/objects/contacts", json={"properties": {"email": "z@acme.com"}})
    assert made.status_code == 201
    found = api.get(f"/crm/v4/objects/contacts/{made.json()['id']}/associations/companies").json()
    [only] = found["results"]
    assert only["toObjectId"] == acme.id
    assert {t["label"] for t in only["associationTypes"]} == {None, "Primary"}


def test_settings_need_their_scopes(db: Database) -> None:
    from liaison.api.app import create_app

    reader = token_for(db, "crm.schemas.contacts.read")
    with TestClient(create_app(db), headers={"Authorization": f"Bearer {reader}"}) as client:
        assert client.get(RULES).status_code == 200
        assert client.get(DOMAINS).status_code == 200
        assert client.put(RULES, json={"inputs": []}).status_code == 403
        assert client.put(DOMAINS, json={}).status_code == 403
    nothing = token_for(db, "crm.objects.contacts.read")
    with TestClient(create_app(db), headers={"Authorization": f"Bearer {nothing}"}) as client:
        assert client.get(RULES).status_code == 403


def test_l4_the_run_over_existing_contacts_starts_a_job_the_operation_shows(
    api: TestClient, db: Database, me: Caller
) -> None:
    from liaison.services.job_runner import JobSettings, Runner

    acme = company(db, me, "Acme", domain="acme.com")
    zoe = contact(db, me, "Zoe", email="zoe@acme.com")
    associations.remove(db, me, [AssociationInput(zoe.id, acme.id)]).check()
    started = api.post("/liaison/v1/settings/domain-association/run")
    assert started.status_code == 202, started.text
    body = started.json()
    assert (body["kind"], body["state"], body["total"]) == ("domain_association", "queued", 1)
    Runner(db, JobSettings(chunk_size=10, pause=0)).run_pending()
    operation = api.get(f"/liaison/v1/operations/{body['operationId']}").json()
    assert operation["job"]["state"] == "done"
    assert operation["job"]["result"]["associated"] == 1
    assert [r["source"] for r in operation["results"]] == ["DOMAIN_AUTO", "DOMAIN_AUTO"]

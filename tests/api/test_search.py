"""POST /crm/v3/objects/{objectType}/search on both stores: every operator, typed comparisons,
sorts, free text, the associations pseudo-property, paging, HubSpot's limits and bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.services.database import Database
from tests.api.conftest import token_for
from tests.helpers import dump

V3 = "/crm/v3/objects"


def create(api: TestClient, object_type: str, properties: dict[str, Any], **body: Any) -> str:
    response = api.post(f"{V3}/{object_type}", json={"properties": properties, **body})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def search(api: TestClient, object_type: str = "deals", **body: Any) -> dict[str, Any]:
    response = api.post(f"{V3}/{object_type}/search", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def where(*filters: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"filters": list(filters)}]


def f(prop: str, op: str, value: Any = None, **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"propertyName": prop, "operator": op, **more}
    if value is not None:
        found["value"] = value
    return found


def names(body: dict[str, Any], prop: str = "dealname") -> list[str]:
    return [r["properties"][prop] for r in body["results"]]


@pytest.fixture
def deals(api: TestClient) -> dict[str, str]:
    """Four deals; amounts chosen so that text order differs from number order."""
    specs = [
        ("Alpha", "900", "2026-01-10T09:00:00Z", "Renewal of the big contract"),
        ("Beta", "10000", "2026-03-01T12:00:00+02:00", None),
        ("Gamma", "85.5", None, "Small upsell"),
        ("Delta", None, "2025-12-31T23:00:00Z", "Big one"),
    ]
    ids = {}
    for name, amount, closedate, stage in specs:
        props = {"dealname": name, "amount": amount, "closedate": closedate}
        if stage:
            props["dealstage"] = stage
        ids[name] = create(api, "deals", {k: v for k, v in props.items() if v is not None})
    return ids


def test_search_without_filters_lists_live_records_with_total(
    api: TestClient, deals: dict[str, str]
) -> None:
    api.delete(f"{V3}/deals/{deals['Delta']}")
    body = search(api, properties=["dealname"])
    assert body["total"] == 3
    assert names(body) == ["Alpha", "Beta", "Gamma"]
    assert "paging" not in body
    assert set(body["results"][0]["properties"]) == {
        "dealname",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }


@pytest.mark.usefixtures("deals")
def test_numbers_compare_as_numbers(api: TestClient) -> None:
    gt = search(api, filterGroups=where(f("amount", "GT", "1000")), properties=["dealname"])
    assert names(gt) == ["Beta"]
    lte = search(api, filterGroups=where(f("amount", "LTE", 900)), properties=["dealname"])
    assert names(lte) == ["Alpha", "Gamma"]
    lt = search(api, filterGroups=where(f("amount", "LT", "85.5")), properties=["dealname"])
    assert names(lt) == []
    gte = search(api, filterGroups=where(f("amount", "GTE", "85.5")), properties=["dealname"])
    assert names(gte) == ["Alpha", "Beta", "Gamma"]
    between = search(
        api,
        filterGroups=where(f("amount", "BETWEEN", "100", highValue="10000")),
        properties=["dealname"],
    )
    assert names(between) == ["Alpha", "Beta"]
    eq = search(api, filterGroups=where(f("amount", "EQ", "900.0")), properties=["dealname"])
    assert names(eq) == ["Alpha"]


@pytest.mark.usefixtures("deals")
def test_datetimes_compare_as_instants(api: TestClient) -> None:
    # Beta closes 2026-03-01T10:00Z (written with +02:00); Delta 2025-12-31T23:00Z.
    after_new_year = search(
        api,
        filterGroups=where(f("closedate", "GTE", "2026-01-01T00:00:00Z")),
        properties=["dealname"],
    )
    assert names(after_new_year) == ["Alpha", "Beta"]
    millis = search(
        api,
        filterGroups=where(f("closedate", "EQ", "1772359200000")),  # 2026-03-01T10:00:00Z
        properties=["dealname"],
    )
    assert names(millis) == ["Beta"]
    created = search(
        api,
        filterGroups=where(f("createdate", "GT", "0"), f("hs_lastmodifieddate", "LTE", "9" * 13)),
    )
    assert created["total"] == 4


def test_eq_neq_in_not_in_on_text_ignore_case(api: TestClient, deals: dict[str, str]) -> None:
    eq = search(api, filterGroups=where(f("dealname", "EQ", "alpha")), properties=["dealname"])
    assert names(eq) == ["Alpha"]
    neq = search(api, filterGroups=where(f("dealname", "NEQ", "Alpha")), properties=["dealname"])
    assert names(neq) == ["Beta", "Gamma", "Delta"]
    in_ = search(
        api,
        filterGroups=where(f("dealname", "IN", values=["beta", "GAMMA", "zeta"])),
        properties=["dealname"],
    )
    assert names(in_) == ["Beta", "Gamma"]
    not_in = search(
        api,
        filterGroups=where(f("dealname", "NOT_IN", values=["beta", "gamma"])),
        properties=["dealname"],
    )
    assert names(not_in) == ["Alpha", "Delta"]
    by_id = search(
        api, filterGroups=where(f("hs_object_id", "IN", values=[deals["Delta"], deals["Beta"]]))
    )
    assert {r["id"] for r in by_id["results"]} == {deals["Delta"], deals["Beta"]}


@pytest.mark.usefixtures("deals")
def test_has_property_and_missing_values(api: TestClient) -> None:
    has = search(api, filterGroups=where(f("amount", "HAS_PROPERTY")), properties=["dealname"])
    assert names(has) == ["Alpha", "Beta", "Gamma"]
    lacks = search(
        api, filterGroups=where(f("amount", "NOT_HAS_PROPERTY")), properties=["dealname"]
    )
    assert names(lacks) == ["Delta"]
    # NEQ matches records without a value too: nothing equals a missing value.
    neq = search(api, filterGroups=where(f("amount", "NEQ", "900")), properties=["dealname"])
    assert names(neq) == ["Beta", "Gamma", "Delta"]


def test_contains_token_whole_words_and_wildcards(api: TestClient) -> None:
    ann = create(api, "contacts", {"firstname": "Ann", "email": "ann@acme.example"})
    bob = create(api, "contacts", {"firstname": "Bob", "email": "bob@globex.example"})
    acme = search(api, "contacts", filterGroups=where(f("email", "CONTAINS_TOKEN", "acme.example")))
    assert [r["id"] for r in acme["results"]] == [ann]
    partial = search(api, "contacts", filterGroups=where(f("email", "CONTAINS_TOKEN", "acm")))
    assert partial["total"] == 0
    wildcard = search(api, "contacts", filterGroups=where(f("email", "CONTAINS_TOKEN", "*@glob*")))
    assert [r["id"] for r in wildcard["results"]] == [bob]
    not_token = search(
        api, "contacts", filterGroups=where(f("email", "NOT_CONTAINS_TOKEN", "ACME"))
    )
    assert [r["id"] for r in not_token["results"]] == [bob]


@pytest.mark.usefixtures("deals")
def test_groups_are_or_filters_are_and(api: TestClient) -> None:
    body = search(
        api,
        filterGroups=[
            {"filters": [f("amount", "GT", "100"), f("dealname", "NEQ", "Beta")]},
            {"filters": [f("dealname", "EQ", "Delta")]},
        ],
        properties=["dealname"],
    )
    assert names(body) == ["Alpha", "Delta"]


@pytest.mark.usefixtures("deals")
def test_sorts_as_strings_and_objects(api: TestClient) -> None:
    by_amount = search(
        api,
        sorts=[{"propertyName": "amount", "direction": "DESCENDING"}],
        properties=["dealname"],
    )
    assert names(by_amount) == ["Beta", "Alpha", "Gamma", "Delta"]  # missing values last
    ascending = search(api, sorts=["amount"], properties=["dealname"])
    assert names(ascending) == ["Gamma", "Alpha", "Beta", "Delta"]
    by_name = search(api, sorts=["-dealname"], properties=["dealname"])
    assert names(by_name) == ["Gamma", "Delta", "Beta", "Alpha"]
    by_close = search(
        api,
        sorts=[{"propertyName": "closedate", "direction": "ASCENDING"}],
        properties=["dealname"],
    )
    assert names(by_close) == ["Delta", "Alpha", "Beta", "Gamma"]
    unknown = search(api, sorts=["nope"], properties=["dealname"])
    assert names(unknown) == ["Alpha", "Beta", "Gamma", "Delta"]


def test_query_searches_the_types_searchable_properties(api: TestClient) -> None:
    ann = create(
        api, "contacts", {"firstname": "Ann", "lastname": "Lee", "email": "a@acme.example"}
    )
    create(api, "contacts", {"firstname": "Bob", "lastname": "Ray", "jobtitle": "Ann's boss"})
    assert [r["id"] for r in search(api, "contacts", query="ann")["results"]] == [ann]
    assert [r["id"] for r in search(api, "contacts", query="ANN lee")["results"]] == [ann]
    assert [r["id"] for r in search(api, "contacts", query="acme")["results"]] == [ann]
    assert [r["id"] for r in search(api, "contacts", query=ann)["results"]] == [ann]
    assert search(api, "contacts", query="zed")["total"] == 0


def test_associations_pseudo_property(api: TestClient) -> None:
    acme = create(api, "companies", {"name": "Acme"})
    globex = create(api, "companies", {"name": "Globex"})
    link = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
    ann = create(
        api, "contacts", {"firstname": "Ann"}, associations=[{"to": {"id": acme}, "types": [link]}]
    )
    bob = create(
        api,
        "contacts",
        {"firstname": "Bob"},
        associations=[{"to": {"id": globex}, "types": [link]}],
    )
    cy = create(api, "contacts", {"firstname": "Cy"})
    with_acme = search(api, "contacts", filterGroups=where(f("associations.company", "EQ", acme)))
    assert [r["id"] for r in with_acme["results"]] == [ann]
    either = search(
        api,
        "contacts",
        filterGroups=where(f("associations.companies", "IN", values=[acme, globex])),
    )
    assert [r["id"] for r in either["results"]] == [ann, bob]
    not_acme = search(api, "contacts", filterGroups=where(f("associations.0-2", "NEQ", acme)))
    assert [r["id"] for r in not_acme["results"]] == [bob, cy]
    none = search(
        api, "contacts", filterGroups=where(f("associations.company", "NOT_HAS_PROPERTY"))
    )
    assert [r["id"] for r in none["results"]] == [cy]
    contacts_of_acme = search(
        api, "companies", filterGroups=where(f("associations.contact", "EQ", ann))
    )
    assert [r["id"] for r in contacts_of_acme["results"]] == [acme]


def test_paging_by_offset_with_total(api: TestClient) -> None:
    ids = [create(api, "companies", {"name": f"C{i:02}"}) for i in range(7)]
    first = search(api, "companies", limit=3, sorts=["name"])
    assert first["total"] == 7 and [r["id"] for r in first["results"]] == ids[:3]
    after = first["paging"]["next"]["after"]
    second = search(api, "companies", limit=3, after=after, sorts=["name"])
    third = search(
        api, "companies", limit=3, after=second["paging"]["next"]["after"], sorts=["name"]
    )
    assert [r["id"] for r in second["results"] + third["results"]] == ids[3:]
    assert "paging" not in third


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"filterGroups": [{"filters": [f("amount", "HAS_PROPERTY")]}] * 6}, "at most 5"),
        ({"filterGroups": [{"filters": [f("amount", "HAS_PROPERTY")] * 7}]}, "at most 6"),
        ({"filterGroups": [{"filters": [f("amount", "HAS_PROPERTY")] * 4}] * 5}, "at most 18"),
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"after": "10000"}, "10,000"),
        ({"after": "abc"}, "after"),
        ({"filterGroups": where(f("amount", "ROUGHLY", "1"))}, "operator"),
        ({"filterGroups": where(f("nope", "EQ", "1"))}, "nope"),
        ({"filterGroups": where(f("amount", "GT", "lots"))}, "a number"),
        ({"filterGroups": where(f("closedate", "GT", "soon"))}, "date-time"),
        ({"filterGroups": where(f("amount", "EQ"))}, "needs a value"),
        ({"filterGroups": where(f("amount", "BETWEEN", "1"))}, "highValue"),
        ({"filterGroups": where(f("amount", "IN"))}, "needs values"),
        ({"filterGroups": where(f("associations.company", "GT", "1"))}, "takes EQ"),
        ({"filterGroups": where(f("associations.company", "EQ", "x"))}, "record ID"),
        ({"sorts": [{"propertyName": "amount", "direction": "SIDEWAYS"}]}, "direction"),
        ({"filterGroups": "nope"}, "filterGroups"),
    ],
)
def test_bad_searches_are_400_naming_the_problem(
    api: TestClient, db: Database, body: dict[str, Any], words: str
) -> None:
    before = dump(db)
    response = api.post(f"{V3}/deals/search", json=body)
    assert response.status_code == 400, response.text
    assert words in response.json()["message"]
    assert dump(db) == before


@pytest.mark.usefixtures("deals")
def test_search_limits_within_bounds_work(api: TestClient) -> None:
    body = {
        "filterGroups": [{"filters": [f("amount", "HAS_PROPERTY")] * 6}] * 3,
        "limit": 200,
        "after": "9999",
    }
    assert search(api, **body)["results"] == []


def test_search_of_unknown_type_is_404_and_needs_read_scope(api: TestClient, db: Database) -> None:
    assert api.post(f"{V3}/widgets/search", json={}).status_code == 404
    value = token_for(db, "crm.objects.contacts.read")
    response = api.post(f"{V3}/deals/search", json={}, headers={"Authorization": f"Bearer {value}"})
    assert response.status_code == 403
    assert "crm.objects.deals.read" in response.json()["message"]


def test_search_notes_by_timestamp(api: TestClient) -> None:
    old = create(api, "notes", {"hs_note_body": "old", "hs_timestamp": "2020-01-01T00:00:00Z"})
    new = create(api, "notes", {"hs_note_body": "new", "hs_timestamp": "1767607200000"})
    body = search(api, "notes", sorts=["-hs_timestamp"], properties=["hs_note_body"])
    assert [r["id"] for r in body["results"]] == [new, old]
    recent = search(api, "notes", filterGroups=where(f("hs_timestamp", "GT", "2025-01-01")))
    assert [r["id"] for r in recent["results"]] == [new]


@pytest.mark.parametrize(
    "one",
    [
        f("hs_object_id", "EQ", "99999999999999999999999"),
        f("associations.company", "EQ", "99999999999999999999999"),
        f("createdate", "GT", "99999999999999999999999"),
        f("dealname", "EQ", "a\u0000"),
    ],
)
def test_s3_out_of_range_and_nul_values_are_400(api: TestClient, one: dict[str, Any]) -> None:
    response = api.post(f"{V3}/deals/search", json={"filterGroups": where(one)})
    assert response.status_code == 400

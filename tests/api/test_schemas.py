"""The schemas API (O3, A2): custom object types and their association definitions, in-process
on both stores. Bad input gets a 4xx and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.domain.history import Actor
from liaison.services import records
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import dump

ME = Caller(1, Actor.user("u-1", "Ann Admin"))
PREFIXES = ("/crm-object-schemas/v3/schemas", "/crm/v3/schemas")
BASE = PREFIXES[0]


def car(**overrides: Any) -> dict[str, Any]:
    """An `ObjectSchemaEgg` for a custom type "car", as HubSpot's docs write one."""
    return {
        "name": "car",
        "labels": {"singular": "Car", "plural": "Cars"},
        "properties": [
            {"name": "model", "label": "Model", "type": "string", "fieldType": "text"},
            {"name": "year", "label": "Year", "type": "number", "fieldType": "number"},
            {"name": "bought", "label": "Bought on", "type": "date", "fieldType": "date"},
            {"name": "serviced", "label": "Serviced", "type": "datetime", "fieldType": "date"},
            {
                "name": "color",
                "label": "Color",
                "type": "enumeration",
                "fieldType": "select",
                "options": [
                    {"label": "Red", "value": "red", "displayOrder": 1},
                    {"label": "Blue", "value": "blue", "displayOrder": 0},
                ],
            },
            {
                "name": "electric",
                "label": "Electric",
                "type": "bool",
                "fieldType": "booleancheckbox",
            },
        ],
        "requiredProperties": ["model"],
        "primaryDisplayProperty": "model",
        "associatedObjects": ["CONTACT", "0-2"],
        **overrides,
    }


def create_car(api: TestClient, **overrides: Any) -> dict[str, Any]:
    response = api.post(BASE, json=car(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_o3_create_answers_201_with_the_object_schema(api: TestClient) -> None:
    created = create_car(api)
    assert created["objectTypeId"].startswith("2-")
    assert created["id"] == created["objectTypeId"].split("-")[1]
    assert created["name"] == "car"
    assert created["fullyQualifiedName"] == "p1_car"
    assert created["labels"] == {"singular": "Car", "plural": "Cars"}
    assert created["requiredProperties"] == ["model"]
    assert created["primaryDisplayProperty"] == "model"
    assert created["createdAt"].endswith("Z") and created["updatedAt"].endswith("Z")
    assert created["archived"] is False
    types = {p["name"]: p["type"] for p in created["properties"]}
    assert types == {
        "model": "string",
        "year": "number",
        "bought": "date",
        "serviced": "datetime",
        "color": "enumeration",
        "electric": "bool",
    }
    color = next(p for p in created["properties"] if p["name"] == "color")
    assert [o["value"] for o in color["options"]] == ["blue", "red"]  # by displayOrder
    assert [o["label"] for o in color["options"]] == ["Blue", "Red"]
    pairs = {a["toObjectTypeId"] for a in created["associations"]}
    assert {"0-1", "0-2", "0-46", "0-47", "0-48", "0-49", "0-27"} <= pairs
    assert all(a["fromObjectTypeId"] == created["objectTypeId"] for a in created["associations"])


def test_o2_custom_type_properties_are_checked_on_records(api: TestClient, db: Database) -> None:
    created = create_car(api)
    record = records.create(
        db, ME, created["objectTypeId"], {"model": "T", "year": "1908", "color": "red"}
    )
    assert record.name == "T"
    with pytest.raises(Exception, match="color"):
        records.create(db, ME, "car", {"model": "T", "color": "green"})


def test_o3_list_get_by_id_name_and_fully_qualified_name(api: TestClient) -> None:
    created = create_car(api)
    for prefix in PREFIXES:
        listed = api.get(prefix)
        assert listed.status_code == 200
        assert [s["name"] for s in listed.json()["results"]] == ["car"]
        for ref in (created["objectTypeId"], "car", "p1_car"):
            got = api.get(f"{prefix}/{ref}")
            assert got.status_code == 200, got.text
            assert got.json()["objectTypeId"] == created["objectTypeId"]
    assert api.get(f"{BASE}?archived=true").json() == {"results": []}


def test_o3_builtin_and_unknown_types_are_404(api: TestClient) -> None:
    for ref in ("contacts", "0-1", "2-999", "p1_nothing", "p2_car"):
        response = api.get(f"{BASE}/{ref}")
        assert response.status_code == 404, ref
        assert response.json()["category"] == "OBJECT_NOT_FOUND"


def test_o3_patch_changes_labels_required_and_display_properties(
    api: TestClient,
) -> None:
    created = create_car(api)
    response = api.patch(
        f"{BASE}/{created['objectTypeId']}",
        json={
            "labels": {"plural": "Automobiles"},
            "requiredProperties": ["model", "year"],
            "primaryDisplayProperty": "color",
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["labels"] == {"singular": "Car", "plural": "Automobiles"}
    assert updated["requiredProperties"] == ["model", "year"]
    assert updated["primaryDisplayProperty"] == "color"
    assert updated["name"] == "car" and updated["objectTypeId"] == created["objectTypeId"]
    assert api.get(f"{BASE}/car").json()["labels"]["plural"] == "Automobiles"


@pytest.mark.parametrize(
    "egg",
    [
        pytest.param(car(name="9cars"), id="name starts with a digit"),
        pytest.param(car(name="has space"), id="name with a space"),
        pytest.param(car(labels={"singular": "Car"}), id="no plural label"),
        pytest.param(car(labels={"singular": "", "plural": "Cars"}), id="empty label"),
        pytest.param(car(requiredProperties=["wheels"]), id="required property undefined"),
        pytest.param(car(primaryDisplayProperty="wheels"), id="display property undefined"),
        pytest.param(car(associatedObjects=["spaceships"]), id="unknown associated type"),
        pytest.param(
            car(properties=[{"name": "Model", "label": "Model", "type": "string"}]),
            id="property name not lowercase",
        ),
        pytest.param(
            car(properties=[{"name": "x", "label": "X", "type": "phone_number"}]),
            id="property type not supported",
        ),
        pytest.param(
            car(properties=[{"name": "x", "label": "X", "type": "enumeration"}]),
            id="enumeration without options",
        ),
        pytest.param(
            car(
                properties=[
                    {"name": "model", "label": "Model", "type": "string"},
                    {"name": "model", "label": "Model again", "type": "string"},
                ]
            ),
            id="property twice",
        ),
        pytest.param(car(name="contacts"), id="name of a built-in type"),
        pytest.param({"labels": {"singular": "Car", "plural": "Cars"}}, id="no name"),
    ],
)
def test_o3_bad_schema_is_400_and_changes_nothing(
    api: TestClient, db: Database, egg: dict[str, Any]
) -> None:
    before = dump(db)
    response = api.post(BASE, json=egg)
    assert response.status_code in (400, 409), response.text
    assert response.json()["status"] == "error"
    assert dump(db) == before


def test_o3_second_type_with_the_same_name_is_409(api: TestClient, db: Database) -> None:
    create_car(api)
    before = dump(db)
    response = api.post(BASE, json=car(labels={"singular": "Auto", "plural": "Autos"}))
    assert response.status_code == 409
    assert response.json()["subCategory"] == "OBJECT_TYPE_EXISTS"
    assert dump(db) == before


def test_o3_bad_patch_is_4xx_and_changes_nothing(api: TestClient, db: Database) -> None:
    create_car(api)
    before = dump(db)
    for body in (
        {"requiredProperties": ["wheels"]},
        {"primaryDisplayProperty": "wheels"},
        {"labels": {"plural": ""}},
        {"requiredProperties": "model"},
    ):
        response = api.patch(f"{BASE}/car", json=body)
        assert response.status_code == 400, (body, response.text)
    assert api.patch(f"{BASE}/contacts", json={"labels": {"plural": "People"}}).status_code == 404
    assert dump(db) == before


def test_o3_archive_is_204_and_refused_while_records_exist(api: TestClient, db: Database) -> None:
    created = create_car(api)
    record = records.create(db, ME, "car", {"model": "T"})
    before = dump(db)
    refused = api.delete(f"{BASE}/car")
    assert refused.status_code == 409
    assert refused.json()["subCategory"] == "OBJECT_TYPE_IN_USE"
    assert refused.json()["context"]["records"] == ["1"]
    assert dump(db) == before
    records.delete(db, ME, "car", record.id)
    assert api.delete(f"{BASE}/car").status_code == 409  # deleted records still count
    records.purge(db, ME, "car", record.id)
    archived = api.delete(f"{BASE}/{created['objectTypeId']}")
    assert archived.status_code == 204 and archived.content == b""
    assert api.get(f"{BASE}/car").status_code == 404
    assert api.get(BASE).json() == {"results": []}
    gone = api.get(f"{BASE}?archived=True").json()["results"]
    assert [(s["name"], s["archived"]) for s in gone] == [("car", True)]
    again = create_car(api)  # the name is free again, under a new ID
    assert again["objectTypeId"] != created["objectTypeId"]


def test_a2_association_definitions_create_and_archive(api: TestClient, db: Database) -> None:
    created = create_car(api, associatedObjects=[])
    assert "0-3" not in {a["toObjectTypeId"] for a in created["associations"]}
    response = api.post(
        f"{BASE}/car/associations",
        json={
            "fromObjectTypeId": created["objectTypeId"],
            "toObjectTypeId": "0-3",
            "name": "car_deal",
        },
    )
    assert response.status_code == 201, response.text
    definition = response.json()
    assert definition["fromObjectTypeId"] == created["objectTypeId"]
    assert definition["toObjectTypeId"] == "0-3"
    assert definition["name"] == "car_deal"
    assert int(definition["id"]) >= 10_000
    listed = api.get(f"{BASE}/car").json()["associations"]
    assert definition["id"] in {a["id"] for a in listed}

    before = dump(db)
    again = api.post(
        f"{BASE}/car/associations", json={"fromObjectTypeId": "deals", "toObjectTypeId": "car"}
    )
    assert again.status_code == 409
    assert again.json()["subCategory"] == "ASSOCIATION_DEFINITION_EXISTS"
    assert dump(db) == before

    removed = api.delete(f"{BASE}/car/associations/{definition['id']}")
    assert removed.status_code == 204
    listed = api.get(f"{BASE}/car").json()["associations"]
    assert "0-3" not in {a["toObjectTypeId"] for a in listed}


def test_a2_association_definition_in_use_is_refused(api: TestClient, db: Database) -> None:
    create_car(api, associatedObjects=["deals"])
    from liaison.services import associations
    from liaison.services.associations import AssociationInput

    vehicle = records.create(db, ME, "car", {"model": "T"})
    deal = records.create(db, ME, "deals", {"dealname": "Fleet"})
    associations.associate(db, ME, [AssociationInput(vehicle.id, deal.id)])
    definition = next(
        a for a in api.get(f"{BASE}/car").json()["associations"] if a["toObjectTypeId"] == "0-3"
    )
    before = dump(db)
    refused = api.delete(f"{BASE}/car/associations/{definition['id']}")
    assert refused.status_code == 409
    assert refused.json()["subCategory"] == "OBJECT_TYPE_IN_USE"
    assert dump(db) == before


def test_a2_bad_association_definitions_are_4xx_and_change_nothing(
    api: TestClient, db: Database
) -> None:
    created = create_car(api)
    before = dump(db)
    for path, body, status in (
        ("car/associations", {"fromObjectTypeId": "0-1", "toObjectTypeId": "0-3"}, 400),
        ("car/associations", {"fromObjectTypeId": "car", "toObjectTypeId": "boats"}, 400),
        ("car/associations", {"fromObjectTypeId": "car"}, 400),
        ("car/associations", {"fromObjectTypeId": "car", "toObjectTypeId": "0-3", "name": ""}, 400),
        ("contacts/associations", {"fromObjectTypeId": "0-1", "toObjectTypeId": "0-3"}, 404),
        ("boats/associations", {"fromObjectTypeId": "car", "toObjectTypeId": "0-3"}, 404),
    ):
        response = api.post(f"{BASE}/{path}", json=body)
        assert response.status_code == status, (path, body, response.text)
    for definition_id, status in (("279", 404), ("1", 404), ("abc", 400), ("99999", 404)):
        response = api.delete(f"{BASE}/car/associations/{definition_id}")
        assert response.status_code == status, (definition_id, response.text)
    assert created["objectTypeId"]
    assert dump(db) == before


def test_o3_malformed_json_is_400(api: TestClient, db: Database) -> None:
    before = dump(db)
    response = api.post(BASE, content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert dump(db) == before

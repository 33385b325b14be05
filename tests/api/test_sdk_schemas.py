"""HubSpot's own SDK (strict mode) against a live server: the schemas API (O3, A2)."""

from __future__ import annotations

from typing import Any

import pytest


def test_o3_sdk_schema_lifecycle(sdk: Any) -> None:
    from hubspot.crm.schemas import (
        AssociationDefinitionEgg,
        ObjectSchemaEgg,
        ObjectTypeDefinitionLabels,
        ObjectTypeDefinitionPatch,
        ObjectTypePropertyCreate,
        OptionInput,
    )

    core = sdk.crm.schemas.core_api
    created = core.create(
        ObjectSchemaEgg(
            name="pet",
            labels=ObjectTypeDefinitionLabels(singular="Pet", plural="Pets"),
            properties=[
                ObjectTypePropertyCreate(
                    name="pet_name", label="Name", type="string", field_type="text"
                ),
                ObjectTypePropertyCreate(
                    name="species",
                    label="Species",
                    type="enumeration",
                    field_type="select",
                    options=[
                        OptionInput(label="Cat", value="cat", display_order=0, hidden=False),
                        OptionInput(label="Dog", value="dog", display_order=1, hidden=False),
                    ],
                ),
                ObjectTypePropertyCreate(name="born", label="Born", type="date", field_type="date"),
            ],
            required_properties=["pet_name"],
            primary_display_property="pet_name",
            associated_objects=["CONTACT"],
        )
    )
    assert created is not None, "the SDK returns None on an unexpected status code"
    type_id = created.object_type_id
    assert type_id.startswith("2-")
    assert created.name == "pet"
    assert created.labels.plural == "Pets"
    assert {p.name for p in created.properties} == {"pet_name", "species", "born"}
    assert "0-1" in {a.to_object_type_id for a in created.associations}
    species = next(p for p in created.properties if p.name == "species")
    assert [(o.label, o.value) for o in species.options] == [("Cat", "cat"), ("Dog", "dog")]

    listed = core.get_all()
    assert type_id in {s.object_type_id for s in listed.results}
    got = core.get_by_id(type_id)
    assert got.name == "pet" and got.required_properties == ["pet_name"]
    assert core.get_by_id(created.fully_qualified_name).object_type_id == type_id

    updated = core.update(
        type_id,
        ObjectTypeDefinitionPatch(
            labels=ObjectTypeDefinitionLabels(singular="Pet", plural="Animals"),
            required_properties=["pet_name", "species"],
        ),
    )
    assert updated is not None
    assert updated.labels.plural == "Animals"
    assert updated.required_properties == ["pet_name", "species"]

    definition = core.create_association(
        type_id, AssociationDefinitionEgg(from_object_type_id=type_id, to_object_type_id="0-3")
    )
    assert definition is not None
    assert (definition.from_object_type_id, definition.to_object_type_id) == (type_id, "0-3")
    assert definition.id in {a.id for a in core.get_by_id(type_id).associations}
    core.archive_association(type_id, definition.id)
    assert "0-3" not in {a.to_object_type_id for a in core.get_by_id(type_id).associations}

    core.archive(type_id)
    assert type_id not in {s.object_type_id for s in core.get_all().results}
    assert type_id in {s.object_type_id for s in core.get_all(archived=True).results}


def test_o3_sdk_errors_raise_api_exceptions(sdk: Any) -> None:
    from hubspot.crm.schemas import ApiException, AssociationDefinitionEgg

    core = sdk.crm.schemas.core_api
    with pytest.raises(ApiException) as missing:
        core.get_by_id("2-424242")
    assert missing.value.status == 404
    with pytest.raises(ApiException) as builtin:
        core.create_association(
            "contacts", AssociationDefinitionEgg(from_object_type_id="0-1", to_object_type_id="0-3")
        )
    assert builtin.value.status == 404


def test_o3_sdk_records_of_a_new_custom_type(sdk: Any) -> None:
    """A type made with the schemas API takes records through `client.crm.objects`; while it
    has records, archiving it is refused (409)."""
    from hubspot.crm.objects import SimplePublicObjectInput, SimplePublicObjectInputForCreate
    from hubspot.crm.schemas import (
        ApiException,
        ObjectSchemaEgg,
        ObjectTypeDefinitionLabels,
        ObjectTypePropertyCreate,
    )

    core = sdk.crm.schemas.core_api
    boat = core.create(
        ObjectSchemaEgg(
            name="boat",
            labels=ObjectTypeDefinitionLabels(singular="Boat", plural="Boats"),
            properties=[
                ObjectTypePropertyCreate(
                    name="hull", label="Hull", type="string", field_type="text"
                ),
                ObjectTypePropertyCreate(
                    name="length", label="Length", type="number", field_type="number"
                ),
            ],
            required_properties=["hull"],
            primary_display_property="hull",
            associated_objects=[],
        )
    )
    objects = sdk.crm.objects.basic_api
    created = objects.create(
        boat.object_type_id,
        SimplePublicObjectInputForCreate(properties={"hull": "H-1", "length": "12.5"}),
    )
    assert created is not None and created.properties["hull"] == "H-1"
    got = objects.get_by_id("boat", created.id, properties=["hull", "length"])
    assert got.properties["length"] == "12.5"
    updated = objects.update(
        boat.object_type_id, created.id, SimplePublicObjectInput(properties={"length": "13"})
    )
    assert updated.properties["length"] == "13"
    page = objects.get_page(boat.object_type_id, properties=["hull"])
    assert [r.id for r in page.results] == [created.id]
    with pytest.raises(ApiException) as in_use:
        core.archive(boat.object_type_id)
    assert in_use.value.status == 409
    objects.archive(boat.object_type_id, created.id)
    with pytest.raises(ApiException) as still:
        core.archive("boat")  # a deleted record can be restored: the type stays
    assert still.value.status == 409

"""Custom object types: O3 (and A2 for their association definitions)."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.properties import PropertyDefinition, PropertyType
from liaison.services import associations as assoc
from liaison.services import labels, object_types, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import company, contact, dump, types_between

PROPERTIES = [
    PropertyDefinition("plate", "Licence plate"),
    PropertyDefinition("year", "Year", PropertyType.NUMBER),
    PropertyDefinition("fuel", "Fuel", PropertyType.ENUMERATION, ("petrol", "electric")),
]


def make_car(db: Database, me: Caller, *associated: str) -> str:
    return object_types.create_object_type(
        db,
        me,
        name="car",
        singular="Car",
        plural="Cars",
        properties=PROPERTIES,
        required=["plate"],
        primary_display_property="plate",
        associated_types=list(associated),
    ).id


def test_o3_custom_type_gets_a_2_n_id_and_is_addressed_by_every_name(
    db: Database, me: Caller
) -> None:
    car = make_car(db, me)
    assert car.startswith("2-")
    for ref in (car, "car", "Car"):
        assert object_types.get_object_type(db, me, ref).id == car
    assert car in {t.id for t in object_types.list_object_types(db, me)}


def test_o3_properties_required_and_display_property(db: Database, me: Caller) -> None:
    car = make_car(db, me)
    beetle = records.create(
        db, me, "car", {"plate": "EL 12345", "year": "1972", "fuel": "electric"}
    )
    assert beetle.name == "EL 12345" and beetle.type_id == car
    before = dump(db)
    for values, code in (
        ({"year": "1972"}, ErrorCode.MISSING_REQUIRED_PROPERTY),
        ({"plate": "X", "fuel": "diesel"}, ErrorCode.INVALID_PROPERTY),
        ({"plate": "X", "colour": "red"}, ErrorCode.UNKNOWN_PROPERTY),
    ):
        with pytest.raises(LiaisonError) as refused:
            records.create(db, me, car, values)
        assert refused.value.code is code
    assert dump(db) == before


def test_o3_associations_only_where_defined(db: Database, me: Caller) -> None:
    car = make_car(db, me, "contacts")
    beetle = records.create(db, me, car, {"plate": "B1"})
    ann, acme = contact(db, me), company(db, me)
    note = records.create(
        db, me, "notes", {"hs_note_body": "Serviced", "hs_timestamp": "2026-01-05T10:00:00Z"}
    )
    assoc.associate(db, me, [Link(beetle.id, ann.id), Link(note.id, beetle.id)]).check()
    error = assoc.associate(db, me, [Link(beetle.id, acme.id)]).errors[0].error
    assert error.code is ErrorCode.NO_ASSOCIATION_DEFINITION
    assert "Cars and Companies cannot be associated" in error.message
    base = object_types.define_association(db, me, car, "companies")
    assoc.associate(db, me, [Link(beetle.id, acme.id)]).check()
    assert types_between(db, me, acme.id, beetle.id) == {base.inverse_id}
    with pytest.raises(LiaisonError) as again:
        object_types.define_association(db, me, "companies", car)
    assert again.value.code is ErrorCode.ASSOCIATION_DEFINITION_EXISTS


def test_a2_associable_types_are_the_defined_pairs_activities_last(
    db: Database, me: Caller
) -> None:
    car = make_car(db, me, "contacts")
    names = [t.name for t in object_types.associable_types(db, me, car)]
    assert names == ["contacts", "notes", "meetings", "calls", "emails", "tasks"]
    object_types.define_association(db, me, car, "companies")
    assert "companies" in [t.name for t in object_types.associable_types(db, me, "car")]
    contact_types = [t.name for t in object_types.associable_types(db, me, "contacts")]
    assert contact_types[:4] == ["contacts", "companies", "deals", "tickets"]
    assert "car" in contact_types and contact_types[-1] == "tasks"


def test_o3_custom_types_get_a_primary_company_label_and_user_labels(
    db: Database, me: Caller
) -> None:
    car = make_car(db, me, "companies")
    types = labels.list_types(db, me, car, "companies")
    assert [t.label for t in types] == [None, "Primary"]
    leased, _ = labels.create_label(db, me, car, "companies", label="Leased from")
    beetle, acme = records.create(db, me, car, {"plate": "B1"}), company(db, me)
    view = assoc.associate(db, me, [Link(beetle.id, acme.id, (types[1].id, leased.id))]).single()
    assert set(view.labels) == {"Primary", "Leased from"}


def test_o3_same_type_definition_for_custom_objects(db: Database, me: Caller) -> None:
    car = make_car(db, me, "car")
    one, two = (records.create(db, me, car, {"plate": p}) for p in ("A", "B"))
    view = assoc.associate(db, me, [Link(one.id, two.id)]).single()
    assert types_between(db, me, two.id, one.id) == {view.types[0].id}


def test_o3_names_are_unique_and_valid(db: Database, me: Caller) -> None:
    make_car(db, me)
    for name in ("car", "contacts", "2bad", "has-dash"):
        with pytest.raises(LiaisonError) as refused:
            object_types.create_object_type(
                db, me, name=name, singular="X", plural="Xs", properties=PROPERTIES
            )
        assert refused.value.code in (ErrorCode.OBJECT_TYPE_EXISTS, ErrorCode.INVALID_INPUT)


def test_o3_names_of_the_web_uis_own_pages_are_reserved(db: Database, me: Caller) -> None:
    before = dump(db)
    for name in ("settings", "Jobs", "imports", "signin", "static"):
        with pytest.raises(LiaisonError, match="reserved") as refused:
            object_types.create_object_type(
                db, me, name=name, singular="X", plural="Xs", properties=PROPERTIES
            )
        assert refused.value.code is ErrorCode.INVALID_INPUT
    assert dump(db) == before


def test_o3_update_and_archive(db: Database, me: Caller) -> None:
    car = make_car(db, me, "contacts")
    updated = object_types.update_object_type(
        db, me, car, plural="Vehicles", add_properties=[PropertyDefinition("colour", "Colour")]
    )
    assert updated.plural == "Vehicles" and "colour" in updated.properties
    beetle = records.create(db, me, car, {"plate": "B1", "colour": "red"})
    with pytest.raises(LiaisonError) as refused:
        object_types.archive_object_type(db, me, car)
    assert refused.value.code is ErrorCode.OBJECT_TYPE_IN_USE
    records.purge(db, me, car, beetle.id)
    object_types.archive_object_type(db, me, car)
    with pytest.raises(LiaisonError):
        object_types.get_object_type(db, me, car)
    with pytest.raises(LiaisonError) as builtin:
        object_types.archive_object_type(db, me, "contacts")
    assert builtin.value.code is ErrorCode.BUILTIN_TYPE_READ_ONLY


def test_o3_removing_a_definition_in_use_is_refused(db: Database, me: Caller) -> None:
    car = make_car(db, me, "contacts")
    beetle, ann = records.create(db, me, car, {"plate": "B1"}), contact(db, me)
    assoc.associate(db, me, [Link(ann.id, beetle.id)]).check()
    with pytest.raises(LiaisonError) as refused:
        object_types.remove_association_definition(db, me, car, "contacts")
    assert refused.value.code is ErrorCode.OBJECT_TYPE_IN_USE
    assoc.remove(db, me, [Link(ann.id, beetle.id)]).check()
    object_types.remove_association_definition(db, me, car, "contacts")
    error = assoc.associate(db, me, [Link(ann.id, beetle.id)]).errors[0].error
    assert error.code is ErrorCode.NO_ASSOCIATION_DEFINITION


def test_o2_a_refused_schema_change_leaves_no_schema_behind_for_the_next_one(
    db: Database, me: Caller
) -> None:
    """A type made and then refused in the same transaction (an unknown associated type) must
    not linger in the cached schema: the next schema change takes the same version number."""
    with pytest.raises(LiaisonError):
        make_car(db, me, "contacts", "no_such_type")
    labels.create_label(db, me, "contacts", "companies", label="Advisor")
    assert "car" not in {t.name for t in object_types.list_object_types(db, me)}
    assert "Advisor" in [t.label for t in labels.list_types(db, me, "contacts", "companies")]
    assert make_car(db, me, "contacts")

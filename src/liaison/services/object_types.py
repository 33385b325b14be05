"""Object types: reading them, custom object types (O3) and their association definitions (A2)."""

from __future__ import annotations

from collections.abc import Sequence

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.association_types import user_defined_pair as make_pair
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import (
    ACTIVITY_TYPES,
    BUILTIN_BY_ID,
    COMPANIES,
    ObjectType,
    custom_type,
)
from liaison.domain.properties import PropertyDefinition, check_property_name
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import accounts
from liaison.storage import association_types as association_types_store
from liaison.storage import associations as associations_store
from liaison.storage import object_types as store
from liaison.storage import records as records_store


def list_object_types(database: Database, caller: Caller) -> list[ObjectType]:
    with reading(database, caller) as unit:
        return list(unit.schema.object_types.values())


def get_object_type(database: Database, caller: Caller, ref: str) -> ObjectType:
    with reading(database, caller) as unit:
        return unit.schema.object_type(ref)


def create_object_type(
    database: Database,
    caller: Caller,
    *,
    name: str,
    singular: str,
    plural: str,
    properties: Sequence[PropertyDefinition],
    required: Sequence[str] = (),
    primary_display_property: str | None = None,
    associated_types: Sequence[str] = (),
) -> ObjectType:
    """Define a custom object type. It can be associated with the activity types at once, and
    with `associated_types` (each given a base type, and a Primary label towards companies)."""
    with unit_of_work(database, caller, "create_object_type") as unit:
        for prop in properties:
            check_property_name(prop.name)
        if name.lower() in {
            n.lower() for t in unit.schema.object_types.values() for n in t.names()
        }:
            raise LiaisonError(
                ErrorCode.OBJECT_TYPE_EXISTS,
                f"An object type named '{name}' already exists.",
                name=name,
            )
        number = accounts.reserve_ids(unit.conn, unit.account_id, "object_type", 1)
        new_type = custom_type(
            number=number,
            name=name,
            singular=singular,
            plural=plural,
            properties=list(properties),
            required=list(required),
            primary_display_property=primary_display_property,
        )
        store.insert_custom(unit.conn, unit.account_id, new_type)
        unit.forget_schema()
        for other in dict.fromkeys([*ACTIVITY_TYPES, *associated_types]):
            _define(unit, new_type.id, unit.schema.object_type(other).id)
            unit.forget_schema()
        return new_type


def update_object_type(
    database: Database,
    caller: Caller,
    ref: str,
    *,
    singular: str | None = None,
    plural: str | None = None,
    add_properties: Sequence[PropertyDefinition] = (),
    required: Sequence[str] | None = None,
    primary_display_property: str | None = None,
) -> ObjectType:
    """Change a custom type's labels, add properties, change required and display properties.
    Its name and ID never change."""
    with unit_of_work(database, caller, "update_object_type") as unit:
        current = _custom(unit, ref)
        for prop in add_properties:
            check_property_name(prop.name)
        properties = {**current.properties, **{p.name: p for p in add_properties}}
        updated = custom_type(
            number=int(current.id.split("-")[1]),
            name=current.name,
            singular=singular or current.singular,
            plural=plural or current.plural,
            properties=list(properties.values()),
            required=list(current.required if required is None else required),
            primary_display_property=primary_display_property
            or (current.display_properties[0] if current.display_properties else None),
        )
        store.update_custom(unit.conn, unit.account_id, updated)
        return updated


def archive_object_type(database: Database, caller: Caller, ref: str) -> None:
    """Remove a custom type; refused while it has records (deleted ones included)."""
    with unit_of_work(database, caller, "archive_object_type") as unit:
        current = _custom(unit, ref)
        used = records_store.count_of_type(unit.conn, unit.account_id, current.id)
        if used:
            raise LiaisonError(
                ErrorCode.OBJECT_TYPE_IN_USE,
                f"{current.plural} still has {used} records: delete them permanently first.",
                objectType=current.id,
                records=used,
            )
        own = [
            t.id
            for t in unit.schema.types.values()
            if not t.builtin and current.id in (t.from_type, t.to_type)
        ]
        association_types_store.delete_types(unit.conn, unit.account_id, own)
        store.archive_custom(unit.conn, unit.account_id, current.id)


def define_association(
    database: Database, caller: Caller, from_type: str, to_type: str, *, name: str | None = None
) -> AssociationType:
    """Allow records of two types to be associated (A2, O3); returns the base type."""
    with unit_of_work(database, caller, "define_association") as unit:
        x, y = unit.schema.object_type(from_type).id, unit.schema.object_type(to_type).id
        if unit.schema.is_defined(x, y):
            raise LiaisonError(
                ErrorCode.ASSOCIATION_DEFINITION_EXISTS,
                f"{unit.schema.object_types[x].plural} and {unit.schema.object_types[y].plural} "
                "can already be associated.",
                fromObjectType=x,
                toObjectType=y,
            )
        return _define(unit, x, y, name)


def remove_association_definition(
    database: Database, caller: Caller, from_type: str, to_type: str
) -> None:
    """Undefine a custom pair with its labels and limits; refused while associations use it."""
    with unit_of_work(database, caller, "remove_association_definition") as unit:
        schema = unit.schema
        x, y = schema.object_type(from_type).id, schema.object_type(to_type).id
        base = schema.types[schema.unlabeled_id(x, y)]
        if base.builtin:
            raise LiaisonError(
                ErrorCode.BUILTIN_TYPE_READ_ONLY,
                "Built-in association definitions cannot be removed.",
                fromObjectType=x,
                toObjectType=y,
            )
        used = associations_store.count_between_types(unit.conn, unit.account_id, x, y)
        if used:
            raise LiaisonError(
                ErrorCode.OBJECT_TYPE_IN_USE,
                f"{used} associations use this definition: remove them first.",
                uses=used,
            )
        pair_types = schema.types_between(x, y) + schema.types_between(y, x)
        association_types_store.delete_types(unit.conn, unit.account_id, {t.id for t in pair_types})


def _define(unit: Unit, x: str, y: str, name: str | None = None) -> AssociationType:
    schema = unit.schema
    if schema.is_defined(x, y):
        return schema.types[schema.unlabeled_id(x, y)]
    symmetric = x == y
    types = _ids(
        unit, Kind.UNLABELED, x, y, symmetric, name or f"{_name(unit, x)}_to_{_name(unit, y)}"
    )
    for record_type, other in ((x, y), (y, x)):
        if (
            other == COMPANIES
            and schema.object_types[record_type].can_have_primary_company
            and schema.primary_id(record_type) is None
        ):
            types += _ids(
                unit,
                Kind.PRIMARY,
                record_type,
                COMPANIES,
                False,
                f"{_name(unit, record_type)}_to_primary_company",
                label="Primary",
                exclusive=True,
            )
    association_types_store.insert_types(unit.conn, unit.account_id, types)
    return types[0]


def _ids(
    unit: Unit,
    kind: Kind,
    x: str,
    y: str,
    symmetric: bool,
    name: str,
    *,
    label: str | None = None,
    exclusive: bool = False,
) -> list[AssociationType]:
    first = accounts.reserve_ids(
        unit.conn, unit.account_id, "association_type", 1 if symmetric else 2
    )
    return make_pair(
        from_type=x,
        to_type=y,
        forward=first,
        backward=first if symmetric else first + 1,
        kind=kind,
        label=label,
        inverse_label=None,
        name=name,
        exclusive=exclusive,
    )


def _name(unit: Unit, type_id: str) -> str:
    return unit.schema.object_types[type_id].singular.lower().replace(" ", "_")


def _custom(unit: Unit, ref: str) -> ObjectType:
    found = unit.schema.object_type(ref)
    if found.id in BUILTIN_BY_ID:
        raise LiaisonError(
            ErrorCode.BUILTIN_TYPE_READ_ONLY,
            f"{found.plural} is a built-in object type.",
            objectType=found.id,
        )
    return found

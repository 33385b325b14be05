"""Object types: reading them, custom object types (O3) and their association definitions (A2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Required, TypedDict, Unpack

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
from liaison.domain.properties import PropertyDefinition, PropertyType, check_property_name
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import accounts
from liaison.storage import association_types as association_types_store
from liaison.storage import associations as associations_store
from liaison.storage import object_types as store
from liaison.storage import records as records_store
from liaison.storage.clock import to_datetime


@dataclass(frozen=True)
class AssociationDefinition:
    """Records of `type.from_type` may be associated with records of `type.to_type` (A2): the
    pair's base (unlabeled) type seen from the custom type, its ID the definition's ID."""

    type: AssociationType
    created_at: datetime | None


@dataclass(frozen=True)
class CustomType:
    """A custom object type as the schemas API shows it: with audit times and definitions."""

    object_type: ObjectType
    created_at: datetime
    updated_at: datetime
    archived: bool
    associations: tuple[AssociationDefinition, ...]


def list_object_types(database: Database, caller: Caller) -> list[ObjectType]:
    with reading(database, caller) as unit:
        return list(unit.schema.object_types.values())


def get_object_type(database: Database, caller: Caller, ref: str) -> ObjectType:
    with reading(database, caller) as unit:
        return unit.schema.object_type(ref)


def associable_types(database: Database, caller: Caller, ref: str) -> list[ObjectType]:
    """The types records of `ref` can be associated with (A2): records first, then activities."""
    with reading(database, caller) as unit:
        schema = unit.schema
        own = schema.object_type(ref).id
        found = [t for t in schema.object_types.values() if schema.is_defined(own, t.id)]
        return sorted(found, key=lambda t: t.is_activity)


class TypeDefinition(TypedDict, total=False):
    """What defines a custom object type (O3)."""

    name: Required[str]
    singular: Required[str]
    plural: Required[str]
    properties: Required[Sequence[PropertyDefinition]]
    required: Sequence[str]
    primary_display_property: str | None
    associated_types: Sequence[str]
    """Types it can be associated with at once (each given a base type, and a Primary label
    towards companies); the activity types always."""


def create_object_type(
    database: Database, caller: Caller, **definition: Unpack[TypeDefinition]
) -> ObjectType:
    """Define a custom object type."""
    with unit_of_work(database, caller, "create_object_type") as unit:
        return _create(unit, **definition)


def create_custom_type(
    database: Database, caller: Caller, **definition: Unpack[TypeDefinition]
) -> CustomType:
    """`create_object_type`, answering with the new type as the schemas API shows it."""
    with unit_of_work(database, caller, "create_object_type") as unit:
        return _shown(unit, _create(unit, **definition).id)


def _create(
    unit: Unit,
    *,
    name: str,
    singular: str,
    plural: str,
    properties: Sequence[PropertyDefinition],
    required: Sequence[str] = (),
    primary_display_property: str | None = None,
    associated_types: Sequence[str] = (),
) -> ObjectType:
    _check_properties(properties)
    _check_labels(singular, plural)
    taken = {n.lower() for t in unit.schema.object_types.values() for n in t.names()}
    if name.lower() in taken:
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
        _define(unit, new_type.id, _named_type(unit, other, "associatedObjects"))
        unit.forget_schema()
    return new_type


def list_custom_types(
    database: Database, caller: Caller, *, archived: bool = False
) -> list[CustomType]:
    """The account's custom object types (or its archived ones), oldest first."""
    with reading(database, caller) as unit:
        rows = store.load_rows(unit.conn, unit.account_id, archived=archived)
        return _views(unit, rows)


def get_custom_type(database: Database, caller: Caller, ref: str) -> CustomType:
    """One custom type by ID (`2-3`), name or fully qualified name (`p1_car`)."""
    with reading(database, caller) as unit:
        return _shown(unit, _custom_ref(unit, ref).id)


def fully_qualified_name(account_id: int, name: str) -> str:
    """HubSpot's `p{portalId}_{name}`, with the account as the portal."""
    return f"p{account_id}_{name}"


def update_custom_type(
    database: Database,
    caller: Caller,
    ref: str,
    *,
    singular: str | None = None,
    plural: str | None = None,
    required: Sequence[str] | None = None,
    primary_display_property: str | None = None,
) -> CustomType:
    """`update_object_type` by any of the type's references, answering with the result."""
    with unit_of_work(database, caller, "update_object_type") as unit:
        current = _custom_ref(unit, ref)
        _update(
            unit,
            current,
            singular=singular,
            plural=plural,
            add_properties=(),
            required=required,
            primary_display_property=primary_display_property,
        )
        unit.forget_schema()
        return _shown(unit, current.id)


def archive_custom_type(database: Database, caller: Caller, ref: str) -> None:
    """`archive_object_type` by any of the type's references (ID, name, qualified name)."""
    with unit_of_work(database, caller, "archive_object_type") as unit:
        _archive(unit, _custom_ref(unit, ref))


def define_custom_association(
    database: Database,
    caller: Caller,
    ref: str,
    from_type: str,
    to_type: str,
    *,
    name: str | None = None,
) -> AssociationDefinition:
    """Define the association of a custom type (`ref`, one of the two) with another type."""
    with unit_of_work(database, caller, "define_association") as unit:
        own = _custom_ref(unit, ref).id
        x = _named_type(unit, from_type, "fromObjectTypeId")
        y = _named_type(unit, to_type, "toObjectTypeId")
        if own not in (x, y):
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"An association definition of {own} must have {own} as one of its two "
                f"object types; got {x} and {y}.",
                objectType=own,
                fromObjectTypeId=x,
                toObjectTypeId=y,
            )
        if name is not None:
            _check_definition_name(name)
        _check_not_defined(unit, x, y, fromObjectTypeId=x, toObjectTypeId=y)
        base = _define(unit, x, y, name)
        return AssociationDefinition(base, to_datetime(unit.now))


def remove_custom_association(
    database: Database, caller: Caller, ref: str, definition_id: int
) -> None:
    """Undefine the pair whose base type (from either side) is `definition_id`, a pair of the
    custom type `ref`; refused while associations use it."""
    with unit_of_work(database, caller, "remove_association_definition") as unit:
        own = _custom_ref(unit, ref).id
        found = unit.schema.types.get(definition_id)
        if (
            found is None
            or found.kind is not Kind.UNLABELED
            or own
            not in (
                found.from_type,
                found.to_type,
            )
        ):
            raise LiaisonError(
                ErrorCode.ASSOCIATION_TYPE_NOT_FOUND,
                f"{own} has no association definition {definition_id}.",
                objectType=own,
                associationIdentifier=definition_id,
            )
        _undefine(unit, found.from_type, found.to_type)


def _named_type(unit: Unit, ref: str, field: str) -> str:
    """The ID of the type an input field names: one that does not exist is bad input (400),
    not a missing resource."""
    try:
        return unit.schema.object_type(ref).id
    except LiaisonError as error:
        if error.code is not ErrorCode.OBJECT_TYPE_NOT_FOUND:
            raise
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"{field} names no object type: {ref!r}.",
            field=field,
            objectType=ref,
        ) from None


def _custom_ref(unit: Unit, ref: str) -> ObjectType:
    """The custom type `ref` names: its ID, name, singular label or fully qualified name. A
    built-in type is not one: the schemas API only covers custom types."""
    schema = unit.schema
    prefix = fully_qualified_name(unit.account_id, "").lower()
    try:
        found = schema.object_type(ref)
    except LiaisonError:
        if not ref.lower().startswith(prefix):
            raise
        found = schema.object_type(ref[len(prefix) :])
    if found.id in BUILTIN_BY_ID:
        raise LiaisonError(
            ErrorCode.OBJECT_TYPE_NOT_FOUND,
            f"{found.plural} is a built-in object type; the schemas API covers custom types.",
            objectType=ref,
        )
    return found


def _shown(unit: Unit, type_id: str) -> CustomType:
    rows = store.load_rows(unit.conn, unit.account_id, archived=False)
    return _views(unit, [r for r in rows if r.object_type.id == type_id])[0]


def _views(unit: Unit, rows: Sequence[store.CustomTypeRow]) -> list[CustomType]:
    schema = unit.schema
    ids = {r.object_type.id for r in rows}
    bases = [
        t
        for t in schema.types.values()
        if t.kind is Kind.UNLABELED and t.from_type in ids and not t.builtin
    ]
    created = association_types_store.created_at(unit.conn, unit.account_id, [t.id for t in bases])
    return [
        CustomType(
            row.object_type,
            to_datetime(row.created_at),
            to_datetime(row.updated_at),
            row.archived,
            tuple(
                AssociationDefinition(t, _time(created.get(t.id)))
                for t in sorted(bases, key=lambda t: t.id)
                if t.from_type == row.object_type.id
            ),
        )
        for row in rows
    ]


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else to_datetime(micros)


def check_text(*values: str | None) -> None:
    """Labels and names are stored as text: PostgreSQL text cannot hold a NUL character."""
    for value in values:
        if value is not None and "\x00" in value:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                "Names and labels cannot contain the NUL character (\\u0000).",
                value=value.replace("\x00", "\\u0000"),
            )


def _check_properties(properties: Sequence[PropertyDefinition]) -> None:
    seen: set[str] = set()
    for prop in properties:
        check_property_name(prop.name)
        check_text(prop.label, *prop.options, *prop.option_labels)
        if prop.name in seen:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Property '{prop.name}' is defined twice.",
                property=prop.name,
            )
        seen.add(prop.name)
        if not prop.label.strip():
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Property '{prop.name}' needs a label.",
                property=prop.name,
            )
        if prop.type is PropertyType.ENUMERATION and not prop.options:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Property '{prop.name}' is an enumeration: give it at least one option.",
                property=prop.name,
            )
        if len(set(prop.options)) != len(prop.options):
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Property '{prop.name}' has the same option value twice.",
                property=prop.name,
            )


def _check_labels(*labels: str | None) -> None:
    check_text(*labels)
    for label in labels:
        if label is not None and not 1 <= len(label.strip()) <= 100:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                "An object type's singular and plural labels need 1 to 100 characters.",
                label=label,
            )


def _check_definition_name(name: str) -> None:
    check_text(name)
    if not name.strip() or len(name) > 100:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            "An association definition's name needs 1 to 100 characters.",
            name=name,
        )


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
        return _update(
            unit,
            _custom(unit, ref),
            singular=singular,
            plural=plural,
            add_properties=add_properties,
            required=required,
            primary_display_property=primary_display_property,
        )


def _update(
    unit: Unit,
    current: ObjectType,
    *,
    singular: str | None,
    plural: str | None,
    add_properties: Sequence[PropertyDefinition],
    required: Sequence[str] | None,
    primary_display_property: str | None,
) -> ObjectType:
    _check_properties(add_properties)
    _check_labels(singular, plural)
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
        _archive(unit, _custom(unit, ref))


def _archive(unit: Unit, current: ObjectType) -> None:
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
        _check_not_defined(unit, x, y, fromObjectType=x, toObjectType=y)
        return _define(unit, x, y, name)


def remove_association_definition(
    database: Database, caller: Caller, from_type: str, to_type: str
) -> None:
    """Undefine a custom pair with its labels and limits; refused while associations use it."""
    with unit_of_work(database, caller, "remove_association_definition") as unit:
        _undefine(unit, unit.schema.object_type(from_type).id, unit.schema.object_type(to_type).id)


def _check_not_defined(unit: Unit, x: str, y: str, **context: str) -> None:
    """Refuse to define a pair twice; `context` names the two types as the caller's input did."""
    if unit.schema.is_defined(x, y):
        raise LiaisonError(
            ErrorCode.ASSOCIATION_DEFINITION_EXISTS,
            f"{unit.schema.object_types[x].plural} and {unit.schema.object_types[y].plural} "
            "can already be associated.",
            **context,
        )


def _undefine(unit: Unit, x: str, y: str) -> None:
    schema = unit.schema
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

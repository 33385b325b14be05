"""Custom object types (HubSpot's schemas API) and their association definitions (O3, A2).

Served under `/crm-object-schemas/v3/schemas` (the SDK's path) and `/crm/v3/schemas`. Every
route needs `crm.schemas.custom.read` or `.write`: the schemas API covers custom types only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from liaison.api.deps import Auth, Db
from liaison.api.wire import iso
from liaison.domain.object_types import ObjectType
from liaison.domain.properties import PropertyDefinition, PropertyType
from liaison.services import object_types
from liaison.services.object_types import AssociationDefinition, CustomType

router = APIRouter(tags=["Schemas (v3)"])

READ = "crm.schemas.custom.read"
WRITE = "crm.schemas.custom.write"

PropertyTypeName = Literal["string", "number", "date", "datetime", "enumeration", "bool"]

FIELD_TYPES: dict[PropertyType, str] = {
    PropertyType.STRING: "text",
    PropertyType.NUMBER: "number",
    PropertyType.DATE: "date",
    PropertyType.DATETIME: "date",
    PropertyType.ENUMERATION: "select",
    PropertyType.BOOL: "booleancheckbox",
}
"""The form field shown for each property type: Liaison derives it, it does not store one."""


class Wire(BaseModel):
    """JSON in HubSpot's camelCase; unknown input fields are ignored, as HubSpot does."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# Request bodies


class OptionInput(Wire):
    label: str
    value: str = Field(min_length=1, max_length=100)
    display_order: int | None = None
    hidden: bool = False
    description: str | None = None


class PropertyCreate(Wire):
    name: str
    label: str
    type: PropertyTypeName = "string"
    field_type: str | None = None
    options: list[OptionInput] = []
    description: str | None = None
    group_name: str | None = None


class Labels(Wire):
    singular: str
    plural: str


class LabelsPatch(Wire):
    singular: str | None = None
    plural: str | None = None


class ObjectSchemaEgg(Wire):
    name: str
    labels: Labels
    properties: list[PropertyCreate] = []
    required_properties: list[str] = []
    associated_objects: list[str] = []
    primary_display_property: str | None = None
    secondary_display_properties: list[str] = []
    searchable_properties: list[str] = []
    description: str | None = None


class ObjectTypeDefinitionPatch(Wire):
    labels: LabelsPatch | None = None
    required_properties: list[str] | None = None
    primary_display_property: str | None = None
    secondary_display_properties: list[str] | None = None
    searchable_properties: list[str] | None = None
    description: str | None = None


class AssociationDefinitionEgg(Wire):
    from_object_type_id: str
    to_object_type_id: str
    name: str | None = None


# Responses


class Option(Wire):
    label: str
    value: str
    display_order: int
    hidden: bool


class ModificationMetadata(Wire):
    archivable: bool
    read_only_definition: bool
    read_only_value: bool


class PropertyOut(Wire):
    name: str
    label: str
    type: PropertyTypeName
    field_type: str
    description: str
    group_name: str
    options: list[Option]
    display_order: int
    has_unique_value: bool
    hidden: bool
    form_field: bool
    calculated: bool
    external_options: bool
    hubspot_defined: bool
    archived: bool
    modification_metadata: ModificationMetadata


class AssociationDefinitionOut(Wire):
    id: str
    from_object_type_id: str
    to_object_type_id: str
    name: str
    created_at: str | None = None
    updated_at: str | None = None


class LabelsOut(Wire):
    singular: str
    plural: str


class ObjectTypeDefinition(Wire):
    id: str
    object_type_id: str
    name: str
    fully_qualified_name: str
    labels: LabelsOut
    required_properties: list[str]
    searchable_properties: list[str]
    primary_display_property: str | None = None
    secondary_display_properties: list[str]
    portal_id: int
    archived: bool
    created_at: str
    updated_at: str


class ObjectSchema(ObjectTypeDefinition):
    properties: list[PropertyOut]
    associations: list[AssociationDefinitionOut]


class ObjectSchemas(Wire):
    results: list[ObjectSchema]


# Routes

ObjectTypeRef = Annotated[
    str,
    Path(
        alias="objectType",
        description="The custom type's ID (`2-3`), name or fully qualified name (`p1_car`).",
    ),
]


@router.post("", status_code=201, response_model=ObjectSchema, response_model_exclude_none=True)
def create_schema(database: Db, access: Auth, egg: ObjectSchemaEgg) -> ObjectSchema:
    """Define a custom object type (O3): 201 with its schema."""
    caller = access.need(WRITE)
    created = object_types.create_custom_type(
        database,
        caller,
        name=egg.name,
        singular=egg.labels.singular,
        plural=egg.labels.plural,
        properties=[_definition(p) for p in egg.properties],
        required=egg.required_properties,
        primary_display_property=egg.primary_display_property,
        associated_types=egg.associated_objects,
    )
    return _schema(created, caller.account_id)


@router.get("", response_model=ObjectSchemas, response_model_exclude_none=True)
def list_schemas(
    database: Db,
    access: Auth,
    archived: Annotated[bool, Query(description="List archived types instead.")] = False,
) -> ObjectSchemas:
    """The account's custom object types (or its archived ones), oldest first."""
    caller = access.need(READ)
    found = object_types.list_custom_types(database, caller, archived=archived)
    return ObjectSchemas(results=[_schema(t, caller.account_id) for t in found])


@router.get("/{objectType}", response_model=ObjectSchema, response_model_exclude_none=True)
def get_schema(database: Db, access: Auth, object_type: ObjectTypeRef) -> ObjectSchema:
    """One custom type by ID, name or fully qualified name."""
    caller = access.need(READ)
    return _schema(object_types.get_custom_type(database, caller, object_type), caller.account_id)


@router.patch(
    "/{objectType}", response_model=ObjectTypeDefinition, response_model_exclude_none=True
)
def update_schema(
    database: Db, access: Auth, object_type: ObjectTypeRef, patch: ObjectTypeDefinitionPatch
) -> ObjectTypeDefinition:
    """Change the labels, required properties or primary display property (the name and ID
    never change): 200 with the type's definition."""
    caller = access.need(WRITE)
    labels = patch.labels or LabelsPatch()
    updated = object_types.update_custom_type(
        database,
        caller,
        object_type,
        singular=labels.singular,
        plural=labels.plural,
        required=patch.required_properties,
        primary_display_property=patch.primary_display_property,
    )
    return _definition_out(updated, caller.account_id)


@router.delete("/{objectType}", status_code=204, response_class=Response)
def archive_schema(database: Db, access: Auth, object_type: ObjectTypeRef) -> Response:
    """Archive a custom type: 204; 409 `OBJECT_TYPE_IN_USE` while it has records."""
    caller = access.need(WRITE)
    object_types.archive_custom_type(database, caller, object_type)
    return Response(status_code=204)


@router.post(
    "/{objectType}/associations",
    status_code=201,
    response_model=AssociationDefinitionOut,
    response_model_exclude_none=True,
)
def create_association_definition(
    database: Db, access: Auth, object_type: ObjectTypeRef, egg: AssociationDefinitionEgg
) -> AssociationDefinitionOut:
    """Let records of the custom type and another type be associated (A2): 201."""
    caller = access.need(WRITE)
    created = object_types.define_custom_association(
        database,
        caller,
        object_type,
        egg.from_object_type_id,
        egg.to_object_type_id,
        name=egg.name,
    )
    return _association(created)


@router.delete(
    "/{objectType}/associations/{associationIdentifier}",
    status_code=204,
    response_class=Response,
)
def archive_association_definition(
    database: Db,
    access: Auth,
    object_type: ObjectTypeRef,
    association_id: Annotated[
        int,
        Path(
            alias="associationIdentifier",
            ge=1,
            le=2**31 - 1,
            description="The definition's `id`.",
        ),
    ],
) -> Response:
    """Remove an association definition (both directions, with its labels and limits): 204;
    409 `OBJECT_TYPE_IN_USE` while associations use it."""
    caller = access.need(WRITE)
    object_types.remove_custom_association(database, caller, object_type, association_id)
    return Response(status_code=204)


# Shapes


def _definition(prop: PropertyCreate) -> PropertyDefinition:
    ordered = sorted(
        enumerate(prop.options), key=lambda item: (item[1].display_order or 0, item[0])
    )
    return PropertyDefinition(
        prop.name,
        prop.label,
        PropertyType(prop.type),
        tuple(o.value for _, o in ordered),
        tuple(o.label for _, o in ordered),
    )


def _definition_out(custom: CustomType, account_id: int) -> ObjectTypeDefinition:
    kind = custom.object_type
    return ObjectTypeDefinition(
        id=kind.id.split("-", 1)[1],
        object_type_id=kind.id,
        name=kind.name,
        fully_qualified_name=object_types.fully_qualified_name(account_id, kind.name),
        labels=LabelsOut(singular=kind.singular, plural=kind.plural),
        required_properties=list(kind.required),
        searchable_properties=list(kind.display_properties),
        primary_display_property=kind.display_properties[0] if kind.display_properties else None,
        secondary_display_properties=[],
        portal_id=account_id,
        archived=custom.archived,
        created_at=iso(custom.created_at),
        updated_at=iso(custom.updated_at),
    )


def _schema(custom: CustomType, account_id: int) -> ObjectSchema:
    return ObjectSchema(
        **_definition_out(custom, account_id).model_dump(),
        properties=_properties(custom.object_type),
        associations=[_association(a) for a in custom.associations],
    )


def _properties(kind: ObjectType) -> list[PropertyOut]:
    return [
        PropertyOut(
            name=p.name,
            label=p.label,
            type=p.type.value,
            field_type=FIELD_TYPES[p.type],
            description="",
            group_name=f"{kind.name}_information",
            options=[
                Option(label=p.option_label(i), value=o, display_order=i, hidden=False)
                for i, o in enumerate(p.options)
            ],
            display_order=index,
            has_unique_value=False,
            hidden=False,
            form_field=True,
            calculated=False,
            external_options=False,
            hubspot_defined=False,
            archived=False,
            modification_metadata=ModificationMetadata(
                archivable=True, read_only_definition=False, read_only_value=False
            ),
        )
        for index, p in enumerate(kind.properties.values())
    ]


def _association(definition: AssociationDefinition) -> AssociationDefinitionOut:
    created = iso(definition.created_at) if definition.created_at else None
    return AssociationDefinitionOut(
        id=str(definition.type.id),
        from_object_type_id=definition.type.from_type,
        to_object_type_id=definition.type.to_type,
        name=definition.type.name,
        created_at=created,
        updated_at=created,
    )

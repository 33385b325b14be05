"""Custom object types (O3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from liaison.domain.object_types import ObjectType, custom_type
from liaison.domain.properties import PropertyDefinition, PropertyType
from liaison.storage.accounts import touch_schema
from liaison.storage.clock import now_micros
from liaison.storage.tables import object_types


def load_custom(conn: Connection, account_id: int) -> list[ObjectType]:
    rows = conn.execute(
        select(object_types).where(
            object_types.c.account_id == account_id, object_types.c.archived.is_(False)
        )
    ).mappings()
    return [_to_domain(row) for row in rows]


ARCHIVED_MARK = "__archived_"
"""An archived type's name gets this and its ID appended, freeing the name for a new type."""


@dataclass(frozen=True)
class CustomTypeRow:
    """A custom object type with what only its row knows: audit times and the archived flag."""

    object_type: ObjectType
    created_at: int
    updated_at: int
    archived: bool


def load_rows(conn: Connection, account_id: int, *, archived: bool) -> list[CustomTypeRow]:
    """The account's custom types, live ones or archived ones, oldest first."""
    rows = conn.execute(
        select(object_types)
        .where(object_types.c.account_id == account_id, object_types.c.archived.is_(archived))
        .order_by(object_types.c.created_at, object_types.c.id)
    ).mappings()
    return [
        CustomTypeRow(
            _to_domain({**row, "name": _original_name(row)}),
            row["created_at"],
            row["updated_at"],
            bool(row["archived"]),
        )
        for row in rows
    ]


def _original_name(row: Any) -> str:
    name = str(row["name"])
    return name.rsplit(ARCHIVED_MARK, 1)[0] if row["archived"] else name


def insert_custom(conn: Connection, account_id: int, object_type: ObjectType) -> None:
    touch_schema(conn, account_id)
    now = now_micros()
    conn.execute(
        insert(object_types).values(
            account_id=account_id,
            id=object_type.id,
            name=object_type.name,
            singular=object_type.singular,
            plural=object_type.plural,
            properties=[_property_json(p) for p in object_type.properties.values()],
            required=list(object_type.required),
            primary_display_property=(object_type.display_properties or (None,))[0],
            created_at=now,
            updated_at=now,
        )
    )


def update_custom(conn: Connection, account_id: int, object_type: ObjectType) -> None:
    touch_schema(conn, account_id)
    conn.execute(
        update(object_types)
        .where(object_types.c.account_id == account_id, object_types.c.id == object_type.id)
        .values(
            singular=object_type.singular,
            plural=object_type.plural,
            properties=[_property_json(p) for p in object_type.properties.values()],
            required=list(object_type.required),
            primary_display_property=(object_type.display_properties or (None,))[0],
            updated_at=now_micros(),
        )
    )


def archive_custom(conn: Connection, account_id: int, type_id: str) -> None:
    touch_schema(conn, account_id)
    conn.execute(
        update(object_types)
        .where(object_types.c.account_id == account_id, object_types.c.id == type_id)
        .values(
            archived=True,
            name=object_types.c.name + ARCHIVED_MARK + object_types.c.id,
            updated_at=now_micros(),
        )
    )


def _property_json(definition: PropertyDefinition) -> dict[str, Any]:
    return {
        "name": definition.name,
        "label": definition.label,
        "type": definition.type.value,
        "options": list(definition.options),
        "option_labels": list(definition.option_labels),
    }


def _to_domain(row: Any) -> ObjectType:
    number = int(str(row["id"]).split("-", 1)[1])
    return custom_type(
        number=number,
        name=row["name"],
        singular=row["singular"],
        plural=row["plural"],
        properties=[
            PropertyDefinition(
                p["name"],
                p["label"],
                PropertyType(p["type"]),
                tuple(p["options"]),
                tuple(p.get("option_labels", ())),
            )
            for p in row["properties"]
        ],
        required=list(row["required"]),
        primary_display_property=row["primary_display_property"],
    )

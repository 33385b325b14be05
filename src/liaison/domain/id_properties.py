"""Which property identifies a record besides its ID (HubSpot's `idProperty`)."""

from __future__ import annotations

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import CONTACTS, CUSTOM_PREFIX, ObjectType

RECORD_ID = "hs_object_id"
"""The record ID as a property: `idProperty=hs_object_id` is the same as no idProperty."""


def check(kind: ObjectType, name: str) -> None:
    """Refuse `name` unless it identifies records of `kind`: the record ID, a contact's email,
    or any property of a custom object type (Liaison has no unique-value flag yet, so a value
    held by several records names the oldest of them)."""
    if name == RECORD_ID:
        return
    if kind.id == CONTACTS and name == "email":
        return
    if kind.id.startswith(CUSTOM_PREFIX) and name in kind.properties:
        return
    allowed = ", ".join(names(kind))
    raise LiaisonError(
        ErrorCode.INVALID_INPUT,
        f"'{name}' cannot identify {kind.plural}; idProperty may be: {allowed}.",
        idProperty=name,
        objectType=kind.name,
    )


def names(kind: ObjectType) -> list[str]:
    """The properties that can identify records of `kind`."""
    if kind.id == CONTACTS:
        return [RECORD_ID, "email"]
    if kind.id.startswith(CUSTOM_PREFIX):
        return [RECORD_ID, *kind.properties]
    return [RECORD_ID]


def ignores_case(kind: ObjectType, name: str) -> bool:
    """Emails are compared case-insensitively, as HubSpot does."""
    return kind.id == CONTACTS and name == "email"

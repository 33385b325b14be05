"""API token scopes (S2), named as HubSpot names them.

Records of a type need `crm.objects.{group}.read` / `.write`, where the group is the type's
plural name for contacts, companies, deals and tickets, `custom` for every custom type, and
`contacts` for the activity types (as on HubSpot). Labels, limits and association definitions
of a pair need `crm.schemas.{group}.read` / `.write` for its types; custom object types need
`crm.schemas.custom.*`.
"""

from __future__ import annotations

from liaison.domain.object_types import (
    ACTIVITY_TYPES,
    BUILTIN_TYPES,
    COMPANIES,
    CONTACTS,
    CUSTOM_PREFIX,
    DEALS,
    TICKETS,
)

_GROUPS = {CONTACTS: "contacts", COMPANIES: "companies", DEALS: "deals", TICKETS: "tickets"}
GROUPS = ("contacts", "companies", "deals", "tickets", "custom")
ALL_SCOPES = tuple(
    f"crm.{area}.{group}.{access}"
    for area in ("objects", "schemas")
    for group in GROUPS
    for access in ("read", "write")
)


def group(object_type_id: str) -> str:
    if object_type_id.startswith(CUSTOM_PREFIX):
        return "custom"
    if object_type_id in ACTIVITY_TYPES:
        return "contacts"
    return _GROUPS[object_type_id]


def objects(type_ref: str, *, write: bool) -> str:
    """The scope to read (or write) records of this type (ID or name)."""
    return f"crm.objects.{group_of_ref(type_ref)}.{'write' if write else 'read'}"


def schemas(type_ref: str, *, write: bool) -> str:
    """The scope to read (or change) the labels, limits and definitions of this type."""
    return f"crm.schemas.{group_of_ref(type_ref)}.{'write' if write else 'read'}"


def unknown(scopes: list[str]) -> list[str]:
    return [s for s in scopes if s not in ALL_SCOPES]


def group_of_ref(ref: str) -> str:
    """The scope group of a type as a request names it (ID, plural or singular name), before
    it is resolved: the built-in types by their names, anything else is a custom type."""
    for kind in BUILTIN_TYPES:
        if ref.lower() in kind.names():
            return group(kind.id)
    return "custom"

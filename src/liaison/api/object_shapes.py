"""Records on the wire: HubSpot's `SimplePublicObject`, with the properties HubSpot shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liaison.api.wire import iso
from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS, ObjectType
from liaison.domain.records import Record
from liaison.services.record_reads import Linked, RecordView

_CORE = (CONTACTS, COMPANIES, DEALS, TICKETS)
_DEFAULTS = {
    CONTACTS: ("email", "firstname", "lastname"),
    COMPANIES: ("domain", "name"),
    DEALS: ("amount", "closedate", "dealname", "dealstage", "pipeline"),
    TICKETS: ("content", "hs_pipeline", "hs_pipeline_stage", "hs_ticket_priority", "subject"),
}
"""What a read without `properties` shows, besides the ID and times (as HubSpot does)."""


def created_name(type_id: str) -> str:
    return "createdate" if type_id in _CORE else "hs_createdate"


def modified_name(type_id: str) -> str:
    return "lastmodifieddate" if type_id == CONTACTS else "hs_lastmodifieddate"


def system_properties(record: Record) -> dict[str, str]:
    """The properties every record has: its ID and when it was created and last changed."""
    return {
        created_name(record.type_id): iso(record.created_at),
        "hs_object_id": str(record.id),
        modified_name(record.type_id): iso(record.updated_at),
    }


def simple(
    record: Record,
    *,
    kind: ObjectType | None = None,
    wanted: Sequence[str] = (),
) -> dict[str, Any]:
    """A `SimplePublicObject`. Without `kind`, every property the record has (what HubSpot
    answers a create or update with); with it, the `wanted` properties of the type (a known
    property without a value shows as null; unknown names are ignored), or the type's defaults
    when none are wanted."""
    properties: dict[str, str | None]
    if kind is None:
        properties = {k: v for k, v in record.properties.items() if v is not None}
    else:
        names = wanted or _DEFAULTS.get(record.type_id, ())
        properties = {n: record.properties.get(n) for n in names if n in kind.properties}
    properties.update(system_properties(record))
    shaped: dict[str, Any] = {
        "id": str(record.id),
        "properties": dict(sorted(properties.items())),
        "createdAt": iso(record.created_at),
        "updatedAt": iso(record.updated_at),
        "archived": record.archived,
    }
    if record.archived_at is not None:
        shaped["archivedAt"] = iso(record.archived_at)
    return shaped


def with_associations(view: RecordView, wanted: Sequence[str]) -> dict[str, Any]:
    """A `SimplePublicObjectWithAssociations`: the record and, per requested type, one entry
    per association type of each associated record (labels first, the base type last)."""
    shaped = simple(view.record, kind=view.kind, wanted=wanted)
    if view.associations:
        shaped["associations"] = {key: _linked(linked) for key, linked in view.associations.items()}
    return shaped


def _linked(linked: Linked) -> dict[str, Any]:
    results = [
        {"id": str(to_id), "type": name} for to_id, names in linked.results for name in names
    ]
    shaped: dict[str, Any] = {"results": results}
    if linked.next_after is not None:
        shaped["paging"] = {"next": {"after": str(linked.next_after)}}
    return shaped

"""The columns an index page shows for each object type: the name, then its main properties."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS, ObjectType
from liaison.domain.records import Record

_MAIN = {
    CONTACTS: ("email", "jobtitle", "phone"),
    COMPANIES: ("domain", "industry", "city"),
    DEALS: ("amount", "dealstage", "closedate"),
    TICKETS: ("hs_pipeline_stage", "hs_ticket_priority"),
}
_HIDDEN = {"hubspot_owner_id"}
MAX_COLUMNS = 3


@dataclass(frozen=True)
class Column:
    name: str
    label: str

    def value(self, record: Record) -> str:
        return record.properties.get(self.name) or ""


def columns_of(object_type: ObjectType) -> list[Column]:
    """The type's main properties: chosen for the built-in types; for custom types the first
    properties that are not part of the name."""
    names = _MAIN.get(object_type.id)
    if names is None:
        shown = set(object_type.display_properties[:1]) | _HIDDEN
        names = tuple(n for n in object_type.properties if n not in shown)[:MAX_COLUMNS]
    return [
        Column(n, object_type.properties[n].label) for n in names if n in object_type.properties
    ]

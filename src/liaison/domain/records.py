"""Records: one contact, company, deal, ticket, activity or custom object (O2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from liaison.domain.properties import Properties


@dataclass(frozen=True)
class Record:
    id: int
    type_id: str
    properties: Properties
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None
    merged_into: int | None = None
    name: str = ""
    """The display name (O2), derived from the properties by the record's type."""

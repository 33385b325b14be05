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


MAX_RECORD_ID = 2**63 - 1
"""Record IDs are 64-bit on both stores: larger numbers name no record."""


def parse_id(text: str) -> int | None:
    """The record ID written in `text`, or None when it cannot be one."""
    text = text.strip()
    if not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_RECORD_ID else None

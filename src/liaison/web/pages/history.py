"""Association history in the web UI: a record's, one associated type at a time (H3), and one
association's (H4). Newest first, page by page (keyset: `before` = the last entry's ID). Names
come from the history rows themselves (as they were at the time, H1): no lookup per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.domain.history import Change, HistoryEntry, Source
from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services import browse, history, object_types, records
from liaison.services.history import HistoryPage
from liaison.web import urls
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, render

router = APIRouter()
PAGE_SIZE = 25
Before = Annotated[int | None, Query(ge=1)]

SOURCES = {
    Source.USER: "User",
    Source.API: "API",
    Source.IMPORT: "Import",
    Source.OBJECT_DELETION: "Object deletion",
    Source.OBJECT_MERGE: "Object merge",
    Source.OBJECT_RESTORE: "Object restore",
    Source.DOMAIN_AUTO: "Automatic (company domain)",
    Source.JOB: "Automation",
    Source.MIGRATION: "Migration",
    Source.UNKNOWN: "Unknown",
}


@dataclass(frozen=True)
class HistoryRow:
    entry: HistoryEntry
    other_type: ObjectType

    @property
    def name(self) -> str:
        return (
            self.entry.other_name
            or f"{self.other_type.singular.capitalize()} {self.entry.other_id}"
        )

    @property
    def change(self) -> str:
        """What happened, in words (H1)."""
        label = self.entry.label
        return {
            Change.CREATED: "Associated",
            Change.REMOVED: "Association removed",
            Change.LABEL_ADDED: f"Label '{label}' added",
            Change.LABEL_REMOVED: f"Label '{label}' removed",
            Change.PRIMARY_SET: "Set as primary",
            Change.PRIMARY_REMOVED: "Removed as primary",
        }[self.entry.change]

    @property
    def source(self) -> str:
        return SOURCES[self.entry.source]

    @property
    def actor(self) -> str:
        """Who: the user's or token's name, or its ID when the name is unknown (H2)."""
        return self.entry.actor_name or self.entry.actor_id

    @property
    def link(self) -> str:
        return urls.record(self.other_type, self.entry.other_id)


@dataclass(frozen=True)
class HistoryContext:
    chrome: Chrome
    object_type: ObjectType
    record: Record
    rows: list[HistoryRow]
    next_url: str | None
    first_url: str | None
    types: list[ObjectType]
    """H3's type picker: the types this record's type can be associated with."""
    shown: ObjectType
    """H3: the associated type shown; H4: the other record's type."""
    other_id: int | None = None
    other_name: str | None = None
    """H4: the other record of the association."""

    @property
    def title(self) -> str:
        return self.record.name or f"{self.object_type.singular.capitalize()} {self.record.id}"

    def history_url(self, shown: ObjectType) -> str:
        return urls.history(self.object_type, self.record.id, type=shown.name)

    def pair_url(self, row: HistoryRow) -> str:
        return urls.pair_history(
            self.object_type, self.record.id, row.other_type, row.entry.other_id
        )


@router.get("/{type_name}/{record_id}/history", response_class=HTMLResponse)
def record_history(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    type: Annotated[str, Query(max_length=100)] = "companies",
    before: Before = None,
) -> Response:
    """H3: the changes of the record's associations with records (or activities) of `type`."""
    found = records.get(database, user.caller, type_name, record_id)
    kind = object_types.get_object_type(database, user.caller, found.type_id)
    shown = object_types.get_object_type(database, user.caller, type)
    if found.id != record_id:  # merged away: the survivor's history (L3)
        return RedirectResponse(urls.history(kind, found.id, type=shown.name), 303)
    page = history.record_history(
        database,
        user.caller,
        kind.id,
        record_id,
        other_type=shown.id,
        before=before,
        limit=PAGE_SIZE,
    )
    context = HistoryContext(
        Chrome(user, browse.object_types(database, user.caller), kind.name),
        kind,
        found,
        [HistoryRow(e, shown) for e in page.entries],
        _next(page, lambda b: urls.history(kind, record_id, type=shown.name, before=b)),
        urls.history(kind, record_id, type=shown.name) if before else None,
        object_types.associable_types(database, user.caller, kind.id),
        shown,
    )
    return render(request, "history.html", page=context)


@router.get("/{type_name}/{record_id}/history/{to_type}/{to_id}", response_class=HTMLResponse)
def association_history(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    to_type: str,
    to_id: int,
    before: Before = None,
) -> Response:
    """H4: every change of the association of this record with record `to_id`, newest first."""
    found = records.get(database, user.caller, type_name, record_id)
    kind = object_types.get_object_type(database, user.caller, found.type_id)
    other = object_types.get_object_type(database, user.caller, to_type)
    page = history.association_history(
        database, user.caller, kind.id, found.id, other.id, to_id, before=before, limit=PAGE_SIZE
    )
    rows = [HistoryRow(e, other) for e in page.entries if e.other_type == other.id]
    other_name = rows[0].name if rows else f"{other.singular.capitalize()} {to_id}"
    context = HistoryContext(
        Chrome(user, browse.object_types(database, user.caller), kind.name),
        kind,
        found,
        rows,
        _next(page, lambda b: urls.pair_history(kind, found.id, other, to_id, before=b)),
        urls.pair_history(kind, found.id, other, to_id) if before else None,
        [],
        other,
        to_id,
        other_name,
    )
    return render(request, "association_history.html", page=context)


def _next(page: HistoryPage, url: Callable[[int], str]) -> str | None:
    return None if page.next_before is None else url(page.next_before)

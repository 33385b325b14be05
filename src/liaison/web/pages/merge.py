"""Merging two records from a record page (L3): pick the duplicate by name, see what the merge
would do (properties filled in, associations moving, which record stays), then confirm."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.domain.errors import LiaisonError
from liaison.domain.records import Record
from liaison.services import browse, records
from liaison.services.merge_preview import MergePreview, preview
from liaison.web import urls
from liaison.web.pages.record import RecordContext, context_of
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, is_htmx, render

router = APIRouter()
CANDIDATES = 10


@dataclass(frozen=True)
class PickContext:
    """Step one: the record and the records of its type matching the search."""

    record: RecordContext
    search: str
    candidates: list[Record]

    @property
    def chrome(self) -> Chrome:
        return self.record.chrome

    def preview_url(self, other: int) -> str:
        return urls.record_action(self.record.object_type, self.record.record.id, f"merge/{other}")


@dataclass(frozen=True)
class PreviewContext:
    """Step two: what merging `preview.merged` into `preview.survivor` would do."""

    record: RecordContext
    """The record whose page the merge started from."""
    preview: MergePreview
    error: str | None = None

    @property
    def chrome(self) -> Chrome:
        return self.record.chrome

    @property
    def other(self) -> Record:
        mine = self.record.record.id
        return self.preview.merged if self.preview.survivor.id == mine else self.preview.survivor

    def url(self, keep: int | None = None) -> str:
        action = urls.record_action(
            self.record.object_type, self.record.record.id, f"merge/{self.other.id}"
        )
        return action + (f"?keep={keep}" if keep is not None else "")

    def name(self, record: Record) -> str:
        return record.name or f"{self.preview.object_type.singular.capitalize()} {record.id}"


@router.get("/{type_name}/{record_id}/merge", response_class=HTMLResponse)
def pick(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    context = context_of(database, user, type_name, record_id)
    found = []
    if q.strip():
        page = browse.index_page(database, user.caller, type_name, search=q, limit=CANDIDATES + 1)
        found = [r for r in page.records if r.id != context.record.id][:CANDIDATES]
    page_context = PickContext(context, q, found)
    if is_htmx(request) and request.headers.get("hx-target") == "merge-candidates":
        return render(request, "_merge_candidates.html", page=page_context)
    return render(request, "merge_pick.html", page=page_context)


@router.get("/{type_name}/{record_id}/merge/{other_id}", response_class=HTMLResponse)
def show_preview(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    other_id: int,
    keep: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    context = context_of(database, user, type_name, record_id)
    survivor, merged = _roles(context.record.id, other_id, keep)
    found = preview(database, user.caller, type_name, survivor, merged)
    return render(request, "merge_preview.html", page=PreviewContext(context, found))


@router.post("/{type_name}/{record_id}/merge/{other_id}", response_class=HTMLResponse)
def merge(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    other_id: int,
    keep: Annotated[int, Form(ge=0)],
) -> Response:
    context = context_of(database, user, type_name, record_id)
    survivor, merged = _roles(context.record.id, other_id, keep)
    try:
        kept = records.merge(database, user.caller, type_name, survivor, merged)
    except LiaisonError as error:
        found = preview(database, user.caller, type_name, survivor, merged)
        page = PreviewContext(context, found, error.message)
        return render(request, "merge_preview.html", status_code=400, page=page)
    return RedirectResponse(urls.record(context.object_type, kept.id), 303)


def _roles(record_id: int, other_id: int, keep: int | None) -> tuple[int, int]:
    """(survivor, merged): the record the merge started from stays unless `keep` names the other."""
    return (other_id, record_id) if keep == other_id else (record_id, other_id)

"""Delete from an index page's bulk toolbar (L1): the rows ticked, or every record matching the
page's search, after a confirmation saying how many; done at once or as a job with a progress
bar, like the bulk association changes. Each answer replaces the panel (`#bulk-panel`)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.services import browse, bulk_deletion
from liaison.web import urls
from liaison.web.pages.bulk import Selection, count_selected, selected_ids
from liaison.web.pages.jobs import summary_of, view_of
from liaison.web.pages.panels import browsable_type
from liaison.web.session import Db, SignedIn
from liaison.web.templating import render

router = APIRouter()


@dataclass(frozen=True)
class DeletePanel:
    object_type: ObjectType
    selection: Selection
    count: int
    error: str | None = None

    @property
    def url(self) -> str:
        return f"{urls.PREFIX}/{self.object_type.name}/bulk/delete/run"


@router.post("/{type_name}/bulk/delete", response_class=HTMLResponse)
async def delete_panel(request: Request, database: Db, user: SignedIn, type_name: str) -> Response:
    """The confirmation: how many records go, and that the recycle bin gives them back."""
    kind = browsable_type(database, user, type_name)
    selection = Selection.of(await request.form())
    count = count_selected(database, user, kind, selection)
    error = None if count else f"Tick the {kind.plural.lower()} to delete, or select all matching."
    panel = DeletePanel(kind, selection, count, error)
    return render(request, "_bulk_delete_panel.html", panel=panel)


@router.post("/{type_name}/bulk/delete/run", response_class=HTMLResponse)
async def delete_run(request: Request, database: Db, user: SignedIn, type_name: str) -> Response:
    kind = browsable_type(database, user, type_name)
    selection = Selection.of(await request.form())
    try:
        ids = selected_ids(database, user, kind, selection)
        started = bulk_deletion.start(database, user.caller, kind.name, ids)
    except LiaisonError as error:
        panel = DeletePanel(kind, selection, len(selection.ids), error.message)
        return render(request, "_bulk_delete_panel.html", panel=panel)
    types = browse.object_types(database, user.caller)
    if started.job is not None:
        return render(request, "_bulk_started.html", view=view_of(started.job, types))
    return render(request, "_bulk_result.html", summary=summary_of(started.result or {}, types))

"""Deleting a record from its page (L1): a confirmation saying what goes with it, then the
deletion, which lands in the type's recycle bin with the record shown and a Restore button."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.services import records
from liaison.web import urls
from liaison.web.pages.record import context_of
from liaison.web.session import Db, SignedIn
from liaison.web.templating import render

router = APIRouter()


@router.get("/{type_name}/{record_id}/delete", response_class=HTMLResponse)
def confirm_delete(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int
) -> Response:
    context = context_of(database, user, type_name, record_id)
    if context.record.id != record_id:  # merged away: there is nothing left to delete
        return RedirectResponse(urls.record(context.object_type, context.record.id), 303)
    return render(request, "delete.html", page=context)


@router.post("/{type_name}/{record_id}/delete")
def delete(database: Db, user: SignedIn, type_name: str, record_id: int) -> Response:
    context = context_of(database, user, type_name, record_id)  # 404 for another's record
    records.delete(database, user.caller, type_name, record_id)
    return RedirectResponse(urls.recycle_bin(context.object_type, deleted=record_id), 303)

"""An object type's recycle bin (L1, L2): its deleted records, newest deletion first, with
Restore for one or for all those ticked (one operation, OBJECT_RESTORE)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services import browse, records, recycle_bin
from liaison.services.records import Restored
from liaison.services.recycle_bin import BinCursor, BinPage
from liaison.services.users import User
from liaison.web import urls
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, render

router = APIRouter()
PAGE_SIZE = 25


@dataclass(frozen=True)
class BinContext:
    chrome: Chrome
    page: BinPage
    search: str
    next_url: str | None
    first_url: str | None
    deleted: Record | None = None
    """The record just deleted from its page, announced above the table."""
    restored: list[Restored] | None = None
    error: str | None = None

    @property
    def object_type(self) -> ObjectType:
        return self.page.object_type

    @property
    def restored_associations(self) -> int:
        return sum(r.associations_restored for r in self.restored or [])

    @property
    def skipped(self) -> list[str]:
        """Why associations of the restored records could not come back (L2)."""
        return [s["reason"] for r in self.restored or [] for s in r.skipped]


@router.get("/{type_name}/recycle-bin", response_class=HTMLResponse)
def bin_page(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    q: Annotated[str, Query(max_length=200)] = "",
    after: Annotated[int | None, Query(ge=0)] = None,
    after_at: Annotated[int | None, Query(ge=0)] = None,
    deleted: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    cursor = None if after is None or after_at is None else BinCursor(after_at, after)
    context = _context(database, user, type_name, q, cursor)
    if deleted is not None:
        just_deleted = records.get_many(database, user.caller, type_name, [deleted], archived=True)
        context = replace(context, deleted=just_deleted.get(deleted))
    return render(request, "recycle_bin.html", page=context)


@router.post("/{type_name}/recycle-bin/restore", response_class=HTMLResponse)
def restore(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    id: Annotated[list[int], Form()],
) -> Response:
    context = _context(database, user, type_name, "", None)
    try:
        done = records.restore_many(database, user.caller, type_name, id)
    except LiaisonError as error:
        return render(request, "recycle_bin.html", page=replace(context, error=error.message))
    context = _context(database, user, type_name, "", None)
    return render(request, "recycle_bin.html", page=replace(context, restored=done))


def _context(
    database: Db, user: User, type_name: str, search: str, cursor: BinCursor | None
) -> BinContext:
    page = recycle_bin.deleted_page(
        database, user.caller, type_name, search=search, after=cursor, limit=PAGE_SIZE
    )
    kind = page.object_type
    chrome = Chrome(user, browse.object_types(database, user.caller), kind.name)
    next_url = None
    if page.next is not None:
        after, at = page.next.id, page.next.deleted_at
        next_url = urls.recycle_bin(kind, q=search, after=after, after_at=at)
    first_url = urls.recycle_bin(kind, q=search) if cursor is not None else None
    return BinContext(chrome, page, search, next_url, first_url)

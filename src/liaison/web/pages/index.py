"""An object type's index page: a searchable, sortable table of its records, page by page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from liaison.domain.object_types import ObjectType
from liaison.domain.records import Record
from liaison.services import browse
from liaison.services.browse import Cursor, IndexPage, Sort
from liaison.web import urls
from liaison.web.columns import Column, columns_of
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, is_htmx, render

router = APIRouter()
PAGE_SIZE = 25


@dataclass(frozen=True)
class IndexContext:
    chrome: Chrome
    page: IndexPage
    columns: list[Column]
    search: str
    sort: Sort
    descending: bool
    next_url: str | None
    first_url: str | None

    @property
    def object_type(self) -> ObjectType:
        return self.page.object_type

    def sort_url(self, value: str) -> str:
        """The same search sorted by `value`; the column already sorted flips its direction."""
        sort = Sort(value)
        descending = not self.descending if sort is self.sort else sort is Sort.CREATED
        return urls.index(self.object_type, q=self.search, sort=sort.value, dir=_dir(descending))

    def aria_sort(self, value: str) -> str:
        if Sort(value) is not self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def cell(self, record: Record, column: Column) -> str:
        return column.value(record)


@router.get("/", include_in_schema=False)
def home(user: SignedIn) -> Response:
    del user
    return RedirectResponse(f"{urls.PREFIX}/contacts", status_code=303)


@router.get("/{type_name}", response_class=HTMLResponse, name="index")
def index_page(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Sort = Sort.CREATED,
    dir: Annotated[str, Query(pattern="^(asc|desc)$")] = "",
    after: Annotated[int | None, Query(ge=0)] = None,
    after_name: Annotated[str | None, Query(max_length=10_000)] = None,
) -> Response:
    descending = dir == "desc" if dir else sort is Sort.CREATED
    cursor = None if after is None else Cursor(after, after_name)
    page = browse.index_page(
        database,
        user.caller,
        type_name,
        search=q,
        sort=sort,
        descending=descending,
        after=cursor,
        limit=PAGE_SIZE,
    )
    kind = page.object_type
    chrome = Chrome(user, browse.object_types(database, user.caller), kind.name)
    same = {"q": q, "sort": sort.value, "dir": _dir(descending)}
    next_url = None
    if page.next is not None:
        next_url = urls.index(kind, **same, after=page.next.id, after_name=page.next.name)
    context = IndexContext(
        chrome,
        page,
        columns_of(kind),
        q,
        sort,
        descending,
        next_url,
        urls.index(kind, **same) if cursor is not None else None,
    )
    template = "_index_results.html" if is_htmx(request) and _targets_results(request) else None
    return render(request, template or "index.html", page=context)


def _targets_results(request: Request) -> bool:
    return request.headers.get("hx-target") == "results"


def _dir(descending: bool) -> str:
    return "desc" if descending else "asc"

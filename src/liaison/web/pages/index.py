"""An object type's index page: a searchable, sortable table of its records, page by page, with
association columns (Edit columns; a cell's popup and View associated, U4) and filters by
association shown as removable chips (U6)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from liaison.domain.association_types import AssociationType
from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import COMPANIES, ObjectType
from liaison.domain.properties import PropertyDefinition
from liaison.domain.records import Record
from liaison.services import browse
from liaison.services.browse import (
    AssociatedWith,
    AssociationCard,
    Cursor,
    DescribedFilter,
    HasNo,
    IndexColumns,
    IndexPage,
    Sort,
)
from liaison.services.users import User
from liaison.web import index_params, index_rows, urls
from liaison.web.columns import Column, columns_of
from liaison.web.index_params import IndexParams
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, is_htmx, render

router = APIRouter()
PAGE_SIZE = 25
PICK_SIZE = 10
"""How many records the "Associated with" filter's picker lists."""


@dataclass(frozen=True)
class IndexContext:
    chrome: Chrome
    page: IndexPage
    columns: list[Column]
    params: IndexParams
    next_url: str | None
    first_url: str | None

    @property
    def object_type(self) -> ObjectType:
        return self.page.object_type

    @property
    def search(self) -> str:
        return self.params.search

    @property
    def sort(self) -> Sort:
        return self.params.sort

    @property
    def descending(self) -> bool:
        return self.params.descending

    @property
    def export_url(self) -> str:
        return urls.export(self.object_type, self.params.pairs())

    def sort_url(self, value: str) -> str:
        """The same view sorted by `value`; the column already sorted flips its direction."""
        return self.params.sorted_by(Sort(value)).url(self.object_type)

    def aria_sort(self, value: str) -> str:
        if Sort(value) is not self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    @property
    def rows(self) -> Markup:
        """The table's rows (`index_rows`: the one part of a page whose size grows with it)."""
        return index_rows.rows(self.page, self.columns, self.companies)

    @property
    def count_text(self) -> str:
        """How many match: "10,000+" beyond what an index page counts."""
        if self.page.total_is_capped:
            return f"{browse.COUNT_CAP:,}+"
        return str(self.page.total)

    @property
    def column_count(self) -> int:
        extra = len(self.page.columns) + (1 if self.page.primary_company else 0)
        return len(self.columns) + extra + 3  # the row's checkbox, its name, its creation date

    # -- Edit columns --------------------------------------------------------------------------
    def hidden_fields(self, *, columns: bool) -> list[tuple[str, str]]:
        """The view's parameters a form keeps: the search and sort, the filters and (unless the
        form chooses them) the columns."""
        return self.params.pairs(columns=columns)

    def shows(self, to_type: ObjectType) -> bool:
        return to_type in self.page.columns

    @cached_property
    def offers_primary_company(self) -> bool:
        return self.object_type.can_have_primary_company and self.companies is not None

    @cached_property
    def companies(self) -> ObjectType | None:
        return next((t for t in self.page.associable if t.id == COMPANIES), None)

    # -- filters --------------------------------------------------------------------------------
    def remove_url(self, shown: DescribedFilter) -> str:
        return self.params.without_filter(shown.filter).url(self.object_type)

    def has_no_url(self, to_type: ObjectType) -> str:
        return self.params.with_filter(HasNo(to_type.name)).url(self.object_type)

    @cached_property
    def count_type(self) -> ObjectType | None:
        """The type the "At least" form starts with: the first other type (contacts on the
        companies page), else the first."""
        others = [t for t in self.page.associable if t.id != self.object_type.id]
        return next(iter(others or self.page.associable), None)

    @property
    def count_labels(self) -> list[AssociationType]:
        """The labels towards `count_type` (a change of type fetches its own)."""
        chosen = self.count_type
        return self.page.labels.get(chosen.id, []) if chosen else []

    @property
    def company_properties(self) -> list[PropertyDefinition]:
        companies = self.companies
        if companies is None:
            return []
        return sorted(companies.properties.values(), key=lambda p: p.label.lower())


@dataclass(frozen=True)
class CellPopup:
    object_type: ObjectType
    record_id: int
    card: AssociationCard

    @property
    def view_associated_url(self) -> str:
        return urls.index(self.card.object_type, [("with", str(self.record_id))])

    def record_url(self, record_id: int) -> str:
        return urls.record(self.card.object_type, record_id)


@dataclass(frozen=True)
class RecordPicker:
    """The "Associated with" filter's matches: each a link to the index with that filter."""

    target: ObjectType
    found: list[Record]
    links: list[str]


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
    after: Annotated[int | None, Query(ge=0)] = None,
    after_name: Annotated[str | None, Query(max_length=10_000)] = None,
) -> Response:
    remembered = _remembered_columns(request, type_name)
    params = index_params.parse(request.query_params, remembered_columns=remembered)
    added = _form_filter(request)
    if added is not None or len(request.query_params.getlist("cols")) > 1:
        # The Edit columns and Primary company forms: on to the address that says it in short.
        kind = browse.page_type(database, user.caller, type_name)
        _remember_columns(request, type_name, params.columns_value)
        shown = params if added is None else params.with_filter(added)
        return RedirectResponse(shown.url(kind), status_code=303)
    cursor = None if after is None else Cursor(after, after_name)
    page = _page(request, database, user, type_name, params, cursor)
    if "cols" in request.query_params:
        _remember_columns(request, type_name, params.columns_value)
    context = index_context(user, page, params, paged=cursor is not None)
    return render(request, template_for(request), page=context)


def index_context(user: User, page: IndexPage, params: IndexParams, *, paged: bool) -> IndexContext:
    """What the page shows around the records: the navigation, the columns, the links to the
    next and (`paged`: when past it) the first page."""
    kind = page.object_type
    chrome = Chrome(user, page.browsable, kind.name)
    next_url = None
    if page.next is not None:
        next_url = params.url(kind, after=page.next.id, after_name=page.next.name)
    first_url = params.url(kind) if paged else None
    return IndexContext(chrome, page, columns_of(kind), params, next_url, first_url)


def template_for(request: Request) -> str:
    """The whole page, or only its results for htmx's search (which targets them)."""
    return "_index_results.html" if is_htmx(request) and _targets_results(request) else "index.html"


@router.get("/{type_name}/{record_id}/cell/{to_type}", response_class=HTMLResponse)
def cell_popup(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_type: str
) -> Response:
    """The popup of an association cell: the first associated records of the type, each a
    link, and View associated."""
    data = browse.record_with_associations(database, user.caller, type_name, record_id)
    target = browse.page_type(database, user.caller, to_type)
    card = next(
        (c for c in data.cards if c.object_type.id == target.id),
        AssociationCard(target, 0, []),
    )
    popup = CellPopup(data.object_type, data.record.id, card)
    return render(request, "_cell_popup.html", popup=popup)


@router.get("/{type_name}/filters/labels", response_class=HTMLResponse)
def pick_label(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    count_type: Annotated[str, Query(max_length=100)],
) -> Response:
    """The "At least" filter's label select for the type chosen: the pair's labels."""
    target, found = browse.filter_labels(database, user.caller, type_name, count_type)
    return render(request, "_filter_labels.html", target=target, labels=found)


@router.get("/{type_name}/filters/records", response_class=HTMLResponse)
def pick_record(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    to: Annotated[str, Query(max_length=100)],
    fq: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The "Associated with" filter's picker: the first records of type `to` whose name
    matches `fq`, each a link to this index with the filter added."""
    kind = browse.page_type(database, user.caller, type_name)
    params = index_params.parse(request.query_params)
    query = browse.IndexQuery(search=fq)
    found = browse.index_page(database, user.caller, to, query, limit=PICK_SIZE)
    links = [params.with_filter(AssociatedWith(r.id)).url(kind) for r in found.records]
    picker = RecordPicker(found.object_type, found.records, links)
    return render(request, "_filter_records.html", picker=picker)


def _page(
    request: Request,
    database: Db,
    user: User,
    type_name: str,
    params: IndexParams,
    cursor: Cursor | None,
) -> IndexPage:
    def load(columns: IndexColumns) -> IndexPage:
        return browse.index_page(
            database,
            user.caller,
            type_name,
            params.query,
            sort=params.sort,
            descending=params.descending,
            after=cursor,
            limit=PAGE_SIZE,
            columns=columns,
        )

    if "cols" in request.query_params:
        return load(params.columns)
    try:
        return load(params.columns)
    except LiaisonError:
        # Remembered columns a changed schema no longer allows are forgotten.
        _remember_columns(request, type_name, "")
        return load(IndexColumns())


def _form_filter(request: Request) -> browse.PrimaryCompanyHas | browse.HasAtLeast | None:
    """The filter the Primary company or At least form sends, if one of them sent this."""
    values = request.query_params
    if "count_type" in values:
        return index_params.count_filter(
            values.get("count_type", ""), values.get("count_min", ""), values.get("count_label", "")
        )
    if "pc_property" not in values:
        return None
    return index_params.primary_filter(
        values.get("pc_property", ""), values.get("pc_op", ""), values.get("pc_value", "")
    )


def _columns_key(type_name: str) -> str:
    return f"index_columns:{type_name.lower()}"


def _remembered_columns(request: Request, type_name: str) -> str:
    value = request.session.get(_columns_key(type_name), "")
    return value if isinstance(value, str) else ""


def _remember_columns(request: Request, type_name: str, value: str) -> None:
    key = _columns_key(type_name)
    if value:
        request.session[key] = value
    else:
        request.session.pop(key, None)


def _targets_results(request: Request) -> bool:
    return request.headers.get("hx-target") == "results"

"""Bulk association from an index page (U5): the rows ticked, or all the records matching the
page's search, associated with one chosen record (and a label), or their association with it
removed. A small selection is done at once and its result shown; a larger one runs as a job
whose progress bar the panel polls. Each answer replaces the panel (`#bulk-panel`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from liaison.domain.association_types import AssociationType
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.records import MAX_RECORD_ID, Record
from liaison.services import browse, bulk_associations
from liaison.services.browse import IndexFilter, IndexQuery
from liaison.services.bulk_associations import ASSOCIATE, REMOVE, BulkChange
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import index_params, urls
from liaison.web.pages.jobs import summary_of, view_of
from liaison.web.pages.panels import browsable_type, label_types
from liaison.web.session import Db, SignedIn
from liaison.web.templating import render

router = APIRouter()
SEARCH_SIZE = 10
ACTIONS = {"associate": ASSOCIATE, "remove": REMOVE}
MAX_TICKED = 1000
"""Rows ticked one by one (a page holds far fewer); "all matching" has no such limit."""


@dataclass(frozen=True)
class Selection:
    """The rows ticked, or every record matching the index page's search."""

    ids: list[int]
    all_matching: bool
    search: str
    filters: tuple[IndexFilter, ...] = ()
    """The index page's filters by association (U6), which "all matching" honours too."""

    @property
    def query(self) -> IndexQuery:
        return IndexQuery(self.search, self.filters)

    @property
    def filter_fields(self) -> list[tuple[str, str]]:
        return [index_params.filter_pair(f) for f in self.filters]

    @classmethod
    def of(cls, form: FormData) -> Selection:
        ticked = [str(v) for v in form.getlist("id")]
        ids = [int(v) for v in ticked if v.isdigit() and 0 < int(v) <= MAX_RECORD_ID]
        search = str(form.get("q") or "")[:200]
        filters = index_params.parse_filters(form)
        return cls(list(dict.fromkeys(ids))[:MAX_TICKED], form.get("all") == "1", search, filters)


@dataclass(frozen=True)
class BulkPanel:
    object_type: ObjectType
    action: str
    """`associate` or `remove`."""
    selection: Selection
    count: int
    targets: list[ObjectType]
    target_type: ObjectType | None
    labels: list[AssociationType] = field(default_factory=list)
    found: list[Record] = field(default_factory=list)
    query: str = ""
    chosen: int | None = None
    label: int | None = None
    error: str | None = None

    def url(self, step: str = "") -> str:
        return _url(self.object_type, self.action, step)

    @property
    def verb(self) -> str:
        return "Associate" if self.action == "associate" else "Remove association"


def _url(kind: ObjectType, action: str, step: str = "") -> str:
    return f"{urls.PREFIX}/{kind.name}/bulk/{action}" + (f"/{step}" if step else "")


def _action(action: str) -> str:
    if action not in ACTIONS:
        raise LiaisonError(ErrorCode.INVALID_INPUT, f"Unknown bulk action {action}.")
    return action


def selected_ids(
    database: Database, user: User, kind: ObjectType, selection: Selection
) -> list[int]:
    """The records to change: the rows ticked, or every record matching now."""
    if not selection.all_matching:
        return selection.ids
    batches = browse.matching_ids(database, user.caller, kind.name, selection.query)
    return [i for batch in batches for i in batch]


def count_selected(database: Database, user: User, kind: ObjectType, selection: Selection) -> int:
    if not selection.all_matching:
        return len(selection.ids)
    matching = browse.matching_ids(database, user.caller, kind.name, selection.query)
    return sum(len(batch) for batch in matching)


def _number(form: FormData, name: str) -> int | None:
    value = str(form.get(name) or "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_RECORD_ID else None


def _panel(
    database: Database,
    user: User,
    kind: ObjectType,
    action: str,
    form: FormData,
    error: str | None = None,
) -> BulkPanel:
    selection = Selection.of(form)
    targets = bulk_associations.targets(database, user.caller, kind.name)
    by_name = {t.name: t for t in targets}
    target_type = by_name.get(str(form.get("to_type") or "")) or (targets[0] if targets else None)
    query = str(form.get("target_q") or "")[:200]
    found: list[Record] = []
    labels: list[AssociationType] = []
    if target_type is not None:
        found = _search(database, user, target_type, query)
        if action == "associate":
            labels = label_types(database, user, kind.name, target_type.name)
    count = count_selected(database, user, kind, selection)
    if count == 0 and error is None:
        error = f"Tick the {kind.plural.lower()} to change, or select all matching."
    return BulkPanel(
        kind,
        action,
        selection,
        count,
        targets,
        target_type,
        labels,
        found,
        query,
        _number(form, "to_id"),
        _number(form, "label"),
        error,
    )


def _search(database: Database, user: User, target: ObjectType, query: str) -> list[Record]:
    page = browse.index_page(database, user.caller, target.name, search=query, limit=SEARCH_SIZE)
    return page.records


@router.post("/{type_name}/bulk/{action}", response_class=HTMLResponse)
async def bulk_panel(
    request: Request, database: Db, user: SignedIn, type_name: str, action: str
) -> Response:
    """The panel of Associate or Remove association for the selection (opened from the
    toolbar, and again when the target's type changes)."""
    kind = browsable_type(database, user, type_name)
    panel = _panel(database, user, kind, _action(action), await request.form())
    return render(request, "_bulk_panel.html", panel=panel)


@router.get("/{type_name}/bulk/{action}/targets", response_class=HTMLResponse)
def bulk_targets(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    action: str,
    to_type: str = "",
    target_q: str = "",
) -> Response:
    """Search as you type for the record to associate with (or to remove from)."""
    kind = browsable_type(database, user, type_name)
    _action(action)
    targets = {t.name: t for t in bulk_associations.targets(database, user.caller, kind.name)}
    target = targets.get(to_type)
    if target is None:
        raise LiaisonError(ErrorCode.OBJECT_TYPE_NOT_FOUND, f"Unknown object type {to_type}.")
    found = _search(database, user, target, target_q[:200])
    return render(request, "_bulk_targets.html", found=found, target=target, chosen=None)


@router.post("/{type_name}/bulk/{action}/run", response_class=HTMLResponse)
async def bulk_run(
    request: Request, database: Db, user: SignedIn, type_name: str, action: str
) -> Response:
    """Do it: at once for a small selection (the result), as a job for a larger one (its
    progress bar). A refusal of the whole change shows in the panel and changes nothing."""
    kind = browsable_type(database, user, type_name)
    form = await request.form()
    target_id = _number(form, "to_id")
    if target_id is None:
        return _again(request, database, user, kind, action, form, "Choose a record.")
    ids = selected_ids(database, user, kind, Selection.of(form))
    change = BulkChange(ACTIONS[_action(action)], kind.name, target_id, _number(form, "label"))
    try:
        started = bulk_associations.start(database, user.caller, change, ids)
    except LiaisonError as error:
        return _again(request, database, user, kind, action, form, error.message)
    types = browse.object_types(database, user.caller)
    if started.job is not None:
        return render(request, "_bulk_started.html", view=view_of(started.job, types))
    summary = summary_of(started.result or {}, types)
    return render(request, "_bulk_result.html", summary=summary)


def _again(
    request: Request,
    database: Database,
    user: User,
    kind: ObjectType,
    action: str,
    form: FormData,
    error: str,
) -> Response:
    panel = _panel(database, user, kind, _action(action), form, error)
    return render(request, "_bulk_panel.html", panel=panel)

"""The association sidebar's editing flows (U2, U3): the **+ Add** panel of a card (Add existing:
search, choose, primary and labels, Save; Create new: Create or Create and add another), Edit
labels, and Remove association / Remove as primary naming the successor (P4).

Every change is one service call as the signed-in user; a refusal of the engine is shown in the
open panel and changes nothing. Each route answers the whole sidebar (`#associations`) except
the search, which answers only its results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import COMPANIES, ObjectType
from liaison.domain.records import Record
from liaison.services import associations, browse, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.records import NewAssociation
from liaison.services.users import User
from liaison.web.columns import Column, columns_of
from liaison.web.pages.record import Message, RecordContext, context_of
from liaison.web.session import Db, SignedIn
from liaison.web.templating import render

router = APIRouter()
SEARCH_SIZE = 10
MAX_CHOSEN = 100


@dataclass(frozen=True)
class AddPanel:
    """The + Add panel of one card: which tab and step it shows and what they need."""

    target: ObjectType
    tab: str = "existing"
    """`existing` or `create`."""
    query: str = ""
    found: list[Record] = field(default_factory=list)
    chosen: list[Record] = field(default_factory=list)
    """The records ticked: kept ticked above a new search's matches, then, in step two of Add
    existing, those to choose the primary and labels for."""
    labels: list[AssociationType] = field(default_factory=list)
    primary_type: int | None = None
    """The Primary type's ID when the chosen records are companies of a record with one."""
    current_primary: str | None = None
    fields: list[Column] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    done: str | None = None


@dataclass(frozen=True)
class LabelsPanel:
    """Edit labels of one association: the pair's labels, the current ones ticked."""

    to_id: int
    labels: list[AssociationType]
    current: set[int]
    keep: tuple[int, ...] = ()
    """The Primary type, if the association has it: Edit labels never takes it off."""
    error: str | None = None


def label_types(
    database: Database, user: User, from_type: str, to_type: str
) -> list[AssociationType]:
    return [
        t
        for t in labels.list_types(database, user.caller, from_type, to_type)
        if t.label and t.kind is not Kind.PRIMARY
    ]


def _primary_type(
    database: Database, user: User, page: RecordContext, target: ObjectType
) -> int | None:
    if target.id != COMPANIES or not page.object_type.can_have_primary_company:
        return None
    types = labels.list_types(database, user.caller, page.object_type.name, target.name)
    return next((t.id for t in types if t.kind is Kind.PRIMARY), None)


def _current_primary(page: RecordContext) -> str | None:
    for card in page.cards:
        if card.object_type.id == COMPANIES:
            for item in card.records:
                if item.primary:
                    return item.name or f"Company {item.id}"
    return None


def browsable_type(database: Database, user: User, type_name: str) -> ObjectType:
    """The type of records people browse named `type_name`; OBJECT_TYPE_NOT_FOUND else."""
    found = {t.name: t for t in browse.object_types(database, user.caller)}
    kind = found.get(type_name)
    if kind is None:
        raise LiaisonError(ErrorCode.OBJECT_TYPE_NOT_FOUND, f"Unknown object type {type_name}.")
    return kind


def _search(database: Database, user: User, target: ObjectType, query: str) -> list[Record]:
    page = browse.index_page(database, user.caller, target.name, search=query, limit=SEARCH_SIZE)
    return page.records


def _sidebar(request: Request, page: RecordContext) -> Response:
    return render(request, "_associations.html", page=page, oob=True)


def _ids(form: FormData, name: str) -> list[int]:
    values = [str(v) for v in form.getlist(name)]
    return [int(v) for v in values if v.isdigit()][:MAX_CHOSEN]


# -- + Add: the panel, its search and its two tabs --------------------------------------------
@router.get("/{type_name}/{record_id}/add/{to_type}", response_class=HTMLResponse)
def add_panel(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    to_type: str,
    tab: str = "existing",
) -> Response:
    page = context_of(database, user, type_name, record_id)
    target = browsable_type(database, user, to_type)
    if tab == "create":
        panel = AddPanel(target, "create", fields=_fields(target))
    else:
        panel = AddPanel(target, found=_search(database, user, target, ""))
    return _sidebar(request, page.with_panel(panel))


@router.get("/{type_name}/{record_id}/add/{to_type}/search", response_class=HTMLResponse)
def add_search(
    request: Request,
    database: Db,
    user: SignedIn,
    type_name: str,
    record_id: int,
    to_type: str,
    q: str = "",
    to_id: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> Response:
    """The matches of a new search, below the records ticked so far (the search sends them),
    which stay ticked."""
    page = context_of(database, user, type_name, record_id)
    target = browsable_type(database, user, to_type)
    ticked = [int(v) for v in to_id if v.isdigit()][:MAX_CHOSEN]
    chosen = (
        list(records.get_many(database, user.caller, target.name, ticked).values())
        if ticked
        else []
    )
    kept = {r.id for r in chosen}
    found = [r for r in _search(database, user, target, q[:200]) if r.id not in kept]
    panel = AddPanel(target, query=q, found=found, chosen=chosen)
    return render(request, "_add_results.html", page=page, panel=panel)


@router.post("/{type_name}/{record_id}/add/{to_type}/next", response_class=HTMLResponse)
async def add_next(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_type: str
) -> Response:
    """Step two of Add existing: the primary (companies) and the labels of the chosen records."""
    page = context_of(database, user, type_name, record_id)
    target = browsable_type(database, user, to_type)
    form = await request.form()
    chosen = records.get_many(database, user.caller, target.name, _ids(form, "to_id"))
    if not chosen:
        panel = AddPanel(
            target, found=_search(database, user, target, ""), error="Choose at least one record."
        )
        return _sidebar(request, page.with_panel(panel))
    panel = AddPanel(
        target,
        chosen=list(chosen.values()),
        labels=label_types(database, user, page.object_type.name, target.name),
        primary_type=_primary_type(database, user, page, target),
        current_primary=_current_primary(page),
    )
    return _sidebar(request, page.with_panel(panel))


@router.post("/{type_name}/{record_id}/add/{to_type}", response_class=HTMLResponse)
async def add_existing(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_type: str
) -> Response:
    """Save: every chosen record associated with the chosen labels, and the primary if one was
    chosen, in one service call (one operation); one refused record refuses them all."""
    page = context_of(database, user, type_name, record_id)
    target = browsable_type(database, user, to_type)
    form = await request.form()
    chosen = _ids(form, "to_id")
    label_ids = tuple(_ids(form, "label"))
    primary_type = _primary_type(database, user, page, target)
    primary = str(form.get("primary") or "")
    inputs = [
        AssociationInput(
            record_id,
            to_id,
            label_ids + ((primary_type,) if primary_type and primary == str(to_id) else ()),
        )
        for to_id in chosen
    ]

    def save() -> object:
        if not inputs:
            raise LiaisonError(ErrorCode.INVALID_INPUT, "Choose at least one record.")
        return associations.associate(
            database,
            user.caller,
            inputs,
            from_type=page.object_type.name,
            to_type=target.name,
            all_or_nothing=True,
        ).results

    def again(error: str) -> AddPanel:
        found = records.get_many(database, user.caller, target.name, chosen)
        return AddPanel(
            target,
            chosen=list(found.values()),
            labels=label_types(database, user, page.object_type.name, target.name),
            primary_type=primary_type,
            current_primary=_current_primary(page),
            error=error,
        )

    count = len(inputs)
    done = f"{count} {target.singular if count == 1 else target.plural.lower()} associated."
    return _change(request, database, user, page, save, again, done)


@router.post("/{type_name}/{record_id}/add/{to_type}/create", response_class=HTMLResponse)
async def add_new(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_type: str
) -> Response:
    """Create a record of the card's type associated with this one at once; *Create and add
    another* keeps the panel open with an empty form."""
    page = context_of(database, user, type_name, record_id)
    target = browsable_type(database, user, to_type)
    form = await request.form()
    fields = _fields(target)
    values = {f.name: str(form.get(f.name) or "").strip() for f in fields}
    properties = {k: v for k, v in values.items() if v}
    made: list[Record] = []

    def create() -> object:
        made.append(
            records.create(
                database, user.caller, target.name, properties, [NewAssociation(record_id)]
            )
        )
        return made

    def again(error: str) -> AddPanel:
        return AddPanel(target, "create", fields=fields, values=values, error=error)

    ok = _run(create)
    if ok is not None:
        return _sidebar(request, page.with_panel(again(ok)))
    name = made[0].name or f"{target.singular} {made[0].id}"
    message = f"{target.singular.capitalize()} {name} created and associated."
    fresh = context_of(database, user, type_name, record_id, Message(message))
    if form.get("another"):
        return _sidebar(
            request, fresh.with_panel(AddPanel(target, "create", fields=fields, done=message))
        )
    return _sidebar(request, fresh)


def _fields(target: ObjectType) -> list[Column]:
    """The main properties to fill in: the name's properties, the required ones, the columns."""
    names: list[str] = []
    for name in (*target.display_properties[:2], *target.required, *target.required_any):
        if name in target.properties and name not in names:
            names.append(name)
    for column in columns_of(target):
        if column.name not in names:
            names.append(column.name)
    return [Column(n, target.properties[n].label) for n in names]


# -- the per-association menu (U3) ------------------------------------------------------------
@router.get("/{type_name}/{record_id}/associations/{to_id}/labels", response_class=HTMLResponse)
def labels_panel(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    page = context_of(database, user, type_name, record_id)
    return _sidebar(request, page.with_labels(_labels_panel(database, user, page, to_id)))


@router.post("/{type_name}/{record_id}/associations/{to_id}/labels", response_class=HTMLResponse)
async def edit_labels(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    """Save the association's whole set of labels; the base type and P3's primary stay."""
    page = context_of(database, user, type_name, record_id)
    form = await request.form()
    chosen = tuple(_ids(form, "label"))
    panel = _labels_panel(database, user, page, to_id)
    item = AssociationInput(record_id, to_id, panel.keep + chosen)

    def save() -> object:
        return associations.associate(database, user.caller, [item], replace_labels=True).check()

    def again(error: str) -> LabelsPanel:
        return LabelsPanel(to_id, panel.labels, set(chosen), panel.keep, error)

    ok = _run(save)
    if ok is not None:
        return _sidebar(request, page.with_labels(again(ok)))
    return _sidebar(
        request, context_of(database, user, type_name, record_id, Message("Labels saved."))
    )


def _labels_panel(database: Database, user: User, page: RecordContext, to_id: int) -> LabelsPanel:
    view = associations.between(database, user.caller, page.record.id, to_id)
    if view is None:
        raise LiaisonError(ErrorCode.NOT_ASSOCIATED, f"Record {to_id} is not associated.")
    types = label_types(database, user, view.from_type, view.to_type)
    keep = tuple(t.id for t in view.types if t.kind is Kind.PRIMARY)
    return LabelsPanel(to_id, types, {t.id for t in view.types}, keep)


@router.post(
    "/{type_name}/{record_id}/associations/{to_id}/remove-primary", response_class=HTMLResponse
)
async def remove_primary(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    """Remove as primary; a contact with other companies names the successor (P4)."""
    page = context_of(database, user, type_name, record_id)
    successor = _successor(await request.form())
    return _plain(
        request,
        database,
        user,
        page,
        lambda: associations.remove_primary(
            database, user.caller, record_id, to_id, successor=successor
        ),
        "Primary company removed." if successor is None else "Primary company changed.",
    )


@router.post(
    "/{type_name}/{record_id}/associations/{to_id}/remove-with", response_class=HTMLResponse
)
async def remove_with_successor(
    request: Request, database: Db, user: SignedIn, type_name: str, record_id: int, to_id: int
) -> Response:
    """Remove association; removing the primary of a contact names the successor (P4)."""
    page = context_of(database, user, type_name, record_id)
    item = AssociationInput(record_id, to_id, successor=_successor(await request.form()))
    return _plain(
        request,
        database,
        user,
        page,
        lambda: associations.remove(database, user.caller, [item]).check(),
        "Association removed.",
    )


def _successor(form: FormData) -> int | None:
    value = str(form.get("successor") or "")
    return int(value) if value.isdigit() else None


# -- running a change --------------------------------------------------------------------------
def _run(change: Callable[[], object]) -> str | None:
    """Run the change; the engine's refusal as a message, or None when it was done."""
    try:
        change()
    except LiaisonError as error:
        return error.message
    return None


def _change(
    request: Request,
    database: Database,
    user: User,
    page: RecordContext,
    change: Callable[[], object],
    again: Callable[[str], AddPanel],
    done: str,
) -> Response:
    refused = _run(change)
    if refused is not None:
        return _sidebar(request, page.with_panel(again(refused)))
    fresh = context_of(database, user, page.object_type.name, page.record.id, Message(done))
    return _sidebar(request, fresh)


def _plain(
    request: Request,
    database: Database,
    user: User,
    page: RecordContext,
    change: Callable[[], object],
    done: str,
) -> Response:
    refused = _run(change)
    if refused is not None:
        return _sidebar(request, page.with_message(Message(refused, True)))
    fresh = context_of(database, user, page.object_type.name, page.record.id, Message(done))
    return _sidebar(request, fresh)

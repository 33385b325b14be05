"""Settings: Association labels (A4, A5, P6): pick a pair of object types, see its types (the
built-in ones read-only), create a single or paired label, rename one, delete one after a
confirmation that says how many associations carry it (they lose it, as the engine does with
`force`, recorded in history)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import labels
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web.pages.settings_shared import From, Notice, Pair, To, chrome_of, form_of, pair_of
from liaison.web.session import Admin, Db
from liaison.web.templating import Chrome, render

router = APIRouter()


@dataclass(frozen=True)
class LabelRow:
    type: AssociationType
    inverse_label: str | None
    """The name seen from the other side (a paired label's other name)."""
    uses: int

    @property
    def editable(self) -> bool:
        return self.type.kind is Kind.LABEL and not self.type.builtin

    @property
    def name(self) -> str:
        return self.type.label or "Unlabeled (the association itself)"


@dataclass(frozen=True)
class LabelsPage:
    chrome: Chrome
    pair: Pair
    rows: list[LabelRow]
    notice: Notice | None = None
    values: dict[str, str] | None = None
    """What the create form holds after a refusal."""
    undefined: str | None = None
    """Why the pair has no labels: it cannot be associated (A2)."""


@dataclass(frozen=True)
class DeletePage:
    chrome: Chrome
    pair: Pair
    row: LabelRow


def _page(
    database: Database,
    user: User,
    pair: Pair,
    notice: Notice | None = None,
    values: dict[str, str] | None = None,
) -> LabelsPage:
    caller = user.caller
    try:
        types = labels.list_types(database, caller, pair.source.name, pair.target.name)
        back = labels.list_types(database, caller, pair.target.name, pair.source.name)
        uses = labels.label_uses(database, caller, pair.source.name, pair.target.name)
    except LiaisonError as error:
        return LabelsPage(chrome_of(database, user), pair, [], notice, values, error.message)
    inverse = {t.id: t.label for t in back}
    rows = [LabelRow(t, inverse.get(t.inverse_id), uses.get(t.id, 0)) for t in types]
    return LabelsPage(chrome_of(database, user), pair, rows, notice, values)


def _row(database: Database, user: User, pair: Pair, type_id: int) -> LabelRow:
    """A label of the pair that admins may rename or delete."""
    for row in _page(database, user, pair).rows:
        if row.type.id == type_id and row.editable:
            return row
    raise LiaisonError(
        ErrorCode.ASSOCIATION_TYPE_NOT_FOUND,
        f"{pair.source.plural} to {pair.target.plural} has no label {type_id} of its own.",
        associationTypeId=type_id,
    )


@router.get("/settings/labels", response_class=HTMLResponse)
def labels_page(
    request: Request, database: Db, user: Admin, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)
    return render(request, "settings_labels.html", page=_page(database, user, pair))


@router.post("/settings/labels", response_class=HTMLResponse)
async def create_label(
    request: Request, database: Db, user: Admin, source: From = "", target: To = ""
) -> Response:
    """A single label (`label`), or a paired one when `inverse_label` is given (A4); `primary`
    makes it one per record on the from side (P6)."""
    pair = pair_of(database, user, source, target)
    form = await form_of(request)

    def create() -> str:
        made = labels.create_label(
            database,
            user.caller,
            pair.source.name,
            pair.target.name,
            label=form.get("label", ""),
            inverse_label=form.get("inverse_label") or None,
            primary=form.get("primary") == "1",
        )
        return f"Label '{made[0].label}' created."

    return _answer(request, database, user, pair, create, form)


@router.post("/settings/labels/{type_id}/rename", response_class=HTMLResponse)
async def rename_label(
    request: Request, database: Db, user: Admin, type_id: int, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)
    form = await form_of(request)

    def rename() -> str:
        renamed = labels.rename_label(
            database,
            user.caller,
            pair.source.name,
            pair.target.name,
            type_id,
            label=form.get("label", ""),
            inverse_label=form.get("inverse_label") or None,
        )
        return f"Label renamed to '{renamed[0].label}'."

    return _answer(request, database, user, pair, rename)


@router.get("/settings/labels/{type_id}/delete", response_class=HTMLResponse)
def confirm_delete(
    request: Request, database: Db, user: Admin, type_id: int, source: From = "", target: To = ""
) -> Response:
    """Confirm first: how many associations carry the label, and that they will lose it."""
    pair = pair_of(database, user, source, target)
    page = DeletePage(chrome_of(database, user), pair, _row(database, user, pair, type_id))
    return render(request, "settings_label_delete.html", page=page)


@router.post("/settings/labels/{type_id}/delete", response_class=HTMLResponse)
def delete_label(
    request: Request, database: Db, user: Admin, type_id: int, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)

    def delete() -> str:
        name = _row(database, user, pair, type_id).name
        removed = labels.delete_label(
            database, user.caller, pair.source.name, pair.target.name, type_id, force=True
        )
        return f"Label '{name}' deleted" + (
            f"; removed from {removed} association{'s' if removed != 1 else ''}."
            if removed
            else "."
        )

    return _answer(request, database, user, pair, delete)


def _answer(
    request: Request,
    database: Database,
    user: User,
    pair: Pair,
    change: Callable[[], str],
    values: dict[str, str] | None = None,
) -> Response:
    """Run the change; its refusal is shown on the page (400) with what was typed kept."""
    try:
        done = change()
    except LiaisonError as error:
        page = _page(database, user, pair, Notice(error.message, True), values)
        return render(request, "settings_labels.html", page=page, status_code=400)
    return render(request, "settings_labels.html", page=_page(database, user, pair, Notice(done)))

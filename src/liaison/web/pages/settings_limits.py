"""Settings: Limits (A6): per pair and direction, and per label, the most records of the target
type one record may be associated with; set or remove each, the engine's refusals shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.association_types import MAX_LIMIT, AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import labels, limits
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web.pages.settings_shared import From, Notice, Pair, To, chrome_of, form_of, pair_of
from liaison.web.session import Admin, Db
from liaison.web.templating import Chrome, render

router = APIRouter()


@dataclass(frozen=True)
class LimitRow:
    type: AssociationType
    max_to: int | None
    """None: "many" (no limit)."""

    @property
    def is_pair(self) -> bool:
        return self.type.kind is Kind.UNLABELED


@dataclass(frozen=True)
class LimitsPage:
    chrome: Chrome
    pair: Pair
    rows: list[LimitRow]
    notice: Notice | None = None
    undefined: str | None = None
    max_limit: int = MAX_LIMIT


def _page(database: Database, user: User, pair: Pair, notice: Notice | None = None) -> LimitsPage:
    source, target = pair.source.name, pair.target.name
    try:
        types = labels.list_types(database, user.caller, source, target)
        found = {
            lim.type.id: lim.max_to
            for lim in limits.get_limits(database, user.caller, source, target)
        }
    except LiaisonError as error:
        return LimitsPage(chrome_of(database, user), pair, [], notice, error.message)
    # a Primary type is one per record already (P1, P6)
    rows = [LimitRow(t, found.get(t.id)) for t in types if not t.exclusive]
    return LimitsPage(chrome_of(database, user), pair, rows, notice)


@router.get("/settings/limits", response_class=HTMLResponse)
def limits_page(
    request: Request, database: Db, user: Admin, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)
    return render(request, "settings_limits.html", page=_page(database, user, pair))


@router.post("/settings/limits/{type_id}", response_class=HTMLResponse)
async def set_limit(
    request: Request, database: Db, user: Admin, type_id: int, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)
    form = await form_of(request)

    def set_it() -> str:
        max_to = _whole_number(form.get("max", ""))
        done = limits.set_limits(
            database, user.caller, pair.source.name, pair.target.name, {type_id: max_to}
        )
        return f"Limit of {_name(done[0].type)} set to {max_to}."

    return _answer(request, database, user, pair, set_it)


@router.post("/settings/limits/{type_id}/remove", response_class=HTMLResponse)
def remove_limit(
    request: Request, database: Db, user: Admin, type_id: int, source: From = "", target: To = ""
) -> Response:
    pair = pair_of(database, user, source, target)

    def remove() -> str:
        limits.remove_limits(database, user.caller, pair.source.name, pair.target.name, [type_id])
        return "Limit removed: back to many."

    return _answer(request, database, user, pair, remove)


def _answer(
    request: Request, database: Database, user: User, pair: Pair, change: Callable[[], str]
) -> Response:
    try:
        done = change()
    except LiaisonError as error:
        page = _page(database, user, pair, Notice(error.message, True))
        return render(request, "settings_limits.html", page=page, status_code=400)
    return render(request, "settings_limits.html", page=_page(database, user, pair, Notice(done)))


def _whole_number(text: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise LiaisonError(
            ErrorCode.INVALID_LIMIT,
            f"A limit is a whole number between 1 and {MAX_LIMIT}; got '{text}'.",
        )
    return int(text)


def _name(assoc_type: AssociationType) -> str:
    return f"'{assoc_type.label}'" if assoc_type.label else "the pair"

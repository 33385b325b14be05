"""What the settings pages share (admins only): their address, the chrome around them, the
pair of object types a labels or limits page is about, and reading their plain forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from liaison.domain.object_types import ObjectType
from liaison.services import browse, object_types
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import urls
from liaison.web.session import Admin
from liaison.web.templating import Chrome

router = APIRouter()
From = Annotated[str, Query(alias="from", max_length=100)]
To = Annotated[str, Query(alias="to", max_length=100)]
"""The pair's two types, as the page's `?from=…&to=…` (names, IDs or singular names)."""
SETTINGS = "settings"
"""`Chrome.current` of the settings pages, to highlight their link in the navigation."""


@dataclass(frozen=True)
class Notice:
    text: str
    error: bool = False


@dataclass(frozen=True)
class Pair:
    """The direction a labels or limits page shows: from `source` records to `target` ones."""

    types: list[ObjectType]
    """Every object type, to pick from (activities included)."""
    source: ObjectType
    target: ObjectType

    def url(self, page: str) -> str:
        return urls.settings(page, **{"from": self.source.name, "to": self.target.name})

    def swapped_url(self, page: str) -> str:
        return urls.settings(page, **{"from": self.target.name, "to": self.source.name})


@router.get("/settings", include_in_schema=False)
def settings_home(user: Admin) -> Response:
    del user
    return RedirectResponse(urls.settings("labels"), status_code=303)


def chrome_of(database: Database, user: User) -> Chrome:
    return Chrome(user, browse.object_types(database, user.caller), SETTINGS)


def pair_of(database: Database, user: User, source: str, target: str) -> Pair:
    """The pair named by the page's `from` and `to` (default contacts to companies); an unknown
    name is the 404 page."""
    types = object_types.list_object_types(database, user.caller)
    by_name = {name.lower(): t for t in types for name in t.names()}
    chosen = []
    for name, default in ((source, "contacts"), (target, "companies")):
        found = by_name.get((name or default).lower())
        if found is None:
            found = object_types.get_object_type(database, user.caller, name)  # its 404
        chosen.append(found)
    return Pair(types, chosen[0], chosen[1])


async def form_of(request: Request) -> dict[str, str]:
    """A plain form's fields, each stripped (a repeated field keeps its last value)."""
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}

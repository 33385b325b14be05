"""Rendering pages: Jinja2 with autoescaping always on (S1: everything users typed is escaped),
and what every page shows around its content (navigation, user, CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from liaison.domain.object_types import ObjectType
from liaison.services.users import User
from liaison.web import urls

TEMPLATES = Path(__file__).parent / "templates"
CSRF_FIELD = "csrftoken"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # the templates are part of the package: no check of their files per use
)
_env.globals["urls"] = urls


@dataclass(frozen=True)
class Chrome:
    """What surrounds every signed-in page."""

    user: User
    object_types: list[ObjectType]
    current: str | None = None
    """The name of the object type whose pages are shown, to highlight it in the navigation."""


def csrf_token(request: Request) -> str:
    """The CSRF token for forms and htmx requests (asgi-csrf's double-submit cookie)."""
    make: Callable[[], str] | None = request.scope.get("csrftoken")
    return make() if make is not None else ""


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The template rendered as the response's body, encoded piece by piece: a page holding one
    character beyond ASCII (the title's "·") would otherwise be one wide string, copied and
    encoded character by character, where ASCII pieces (most of them, the rows of an index
    page among them: see `index_rows`) are encoded as they are."""
    values = {"request": request, "csrf_token": csrf_token(request), **context}
    pieces = _env.get_template(template).generate(values)
    return HTMLResponse(b"".join([piece.encode() for piece in pieces]), status_code)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"

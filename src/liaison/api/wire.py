"""Shapes HubSpot's clients expect: times, list parameters, batch bodies (207 on errors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from liaison.api.errors import category_of, status_of, wire_context
from liaison.api.responses import Json
from liaison.domain.errors import LiaisonError


def iso(moment: datetime) -> str:
    """`2026-11-29T03:30:17.883Z`, as HubSpot writes times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now() -> datetime:
    return datetime.now(UTC)


def split(values: Iterable[str] | None) -> list[str]:
    """A list parameter sent repeated (`?a=x&a=y`, as the SDK does) or comma-separated
    (`?a=x,y`), or both; blanks dropped, order kept."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def item_error(error: LiaisonError, *, ids: Sequence[str] = ()) -> dict[str, Any]:
    """One failed input of a batch, as HubSpot's `StandardError`."""
    context = wire_context(error.context)
    if ids:
        context["ids"] = list(ids)
    return {
        "status": "error",
        "category": category_of(status_of(error.code)),
        "subCategory": error.code.value,
        "message": error.message,
        "context": context,
        "errors": [],
        "links": {},
    }


def batch(
    results: list[Any],
    errors: list[Mapping[str, Any]],
    started: datetime,
    *,
    status: int = 200,
) -> Json:
    """A batch response: `status` when every input worked, 207 with `numErrors` otherwise."""
    shaped: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(now()),
    }
    if errors:
        shaped["numErrors"] = len(errors)
        shaped["errors"] = list(errors)
        return Json(shaped, status_code=207)
    return Json(shaped, status_code=status)

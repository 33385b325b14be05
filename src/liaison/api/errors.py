"""Errors on the wire: HubSpot's error body, one HTTP status per error code (S3)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from liaison.api.responses import Json
from liaison.domain.errors import ErrorCode, LiaisonError

log = logging.getLogger("liaison.api")

_NOT_FOUND = {
    ErrorCode.ACCOUNT_NOT_FOUND,
    ErrorCode.OBJECT_TYPE_NOT_FOUND,
    ErrorCode.RECORD_NOT_FOUND,
    ErrorCode.ASSOCIATION_TYPE_NOT_FOUND,
    ErrorCode.OPERATION_NOT_FOUND,
    ErrorCode.TOKEN_NOT_FOUND,
}
_CONFLICT = {
    ErrorCode.OBJECT_TYPE_EXISTS,
    ErrorCode.OBJECT_TYPE_IN_USE,
    ErrorCode.ASSOCIATION_DEFINITION_EXISTS,
    ErrorCode.LABEL_EXISTS,
    ErrorCode.LABEL_IN_USE,
}


def status_of(code: ErrorCode) -> int:
    """404 for what does not exist, 409 for what clashes with what exists, else 400."""
    if code in _NOT_FOUND:
        return 404
    if code in _CONFLICT:
        return 409
    return 400


def category_of(status: int) -> str:
    return {
        401: "INVALID_AUTHENTICATION",
        403: "MISSING_SCOPES",
        404: "OBJECT_NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        409: "CONFLICT",
    }.get(status, "VALIDATION_ERROR")


def body(
    status: int,
    message: str,
    *,
    category: str | None = None,
    sub_category: str | None = None,
    context: Mapping[str, Any] | None = None,
    errors: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """HubSpot's error body; `context` values become lists of strings, as HubSpot sends them."""
    shaped: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category or category_of(status),
    }
    if sub_category:
        shaped["subCategory"] = sub_category
    shaped["context"] = wire_context(context or {})
    shaped["errors"] = list(errors)
    shaped["links"] = {}
    return shaped


def wire_context(context: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        key: [str(v) for v in value] if isinstance(value, list | tuple | set) else [str(value)]
        for key, value in context.items()
    }


def of_liaison_error(error: LiaisonError) -> tuple[int, dict[str, Any]]:
    status = status_of(error.code)
    return status, body(status, error.message, sub_category=error.code.value, context=error.context)


class ApiError(Exception):
    """A refusal made by the API layer itself (authentication, scopes, request limits)."""

    def __init__(
        self, status: int, message: str, *, category: str | None = None, **context: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.category = category
        self.context = context


def install(app: FastAPI) -> None:
    """Every error leaves the app as HubSpot's error body; nothing leaves as a bare 500."""

    @app.exception_handler(LiaisonError)
    async def liaison_error(_: Request, error: LiaisonError) -> Json:
        status, shaped = of_liaison_error(error)
        return Json(shaped, status_code=status)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> Json:
        shaped = body(error.status, error.message, category=error.category, context=error.context)
        return Json(shaped, status_code=error.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> Json:
        details = [_detail(e) for e in error.errors()]
        first = details[0]["message"] if details else "The request is not valid."
        message = f"Invalid input: {first}" + (
            f" (and {len(details) - 1} more)" if len(details) > 1 else ""
        )
        return Json(body(400, message, errors=details), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Json:
        message = str(error.detail) if error.detail else "Request failed."
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 404 and message == "Not Found":
            message = "There is no such route. See /docs for the API."
        if error.status_code == 405:
            allowed = _allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; this path takes {', '.join(allowed)}."
        status = error.status_code
        return Json(body(status, message), status_code=status, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _: Exception) -> Json:
        log.exception("Unexpected error on %s %s", request.method, request.url.path)
        return Json(
            body(
                500,
                "Liaison failed unexpectedly; the error is in the server log.",
                category="INTERNAL_ERROR",
            ),
            status_code=500,
        )


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path takes (Starlette names only the first route's)."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.routes
        )
    ]


def _detail(error: Mapping[str, Any]) -> dict[str, Any]:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
    message = str(error.get("msg", "invalid"))
    return {
        "message": f"{where}: {message}" if where else message,
        "code": str(error.get("type", "invalid")).upper(),
        "in": where,
    }

"""The OpenAPI document as Liaison answers: errors are HubSpot's body with 400 (never 422),
and every route may answer 401, 403 and 404."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

_ERROR = "#/components/schemas/Error"
_STANDARD = {
    "400": "Invalid input, or a refusal by the rules",
    "401": "No valid API token",
    "403": "The token lacks a scope (named in the body)",
    "404": "No such object type, record, association type or operation",
}
_METHODS = {"get", "put", "post", "patch", "delete"}


class Error(BaseModel):
    """HubSpot's error body; `subCategory` is Liaison's error code."""

    status: str
    message: str
    correlationId: str
    category: str
    subCategory: str | None = None
    context: dict[str, list[str]] = {}
    errors: list[dict[str, Any]] = []
    links: dict[str, str] = {}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _with_errors(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _with_errors(document: dict[str, Any]) -> dict[str, Any]:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    for path in document.get("paths", {}).values():
        for method, operation in path.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, description in _STANDARD.items():
                responses.setdefault(status, {"description": description})
            for status, answer in responses.items():
                if status.startswith("4"):
                    answer["content"] = {"application/json": {"schema": {"$ref": _ERROR}}}
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return document

"""Large JSON bodies parsed and validated in one pass by pydantic-core (`validate_json`), as a
dependency, without FastAPI's stdlib `json.loads` and per-object models: the fast path for
2,000-input batches. The body's schema still appears in the OpenAPI document (`openapi_body`).
A malformed or invalid body is FastAPI's usual 400 `VALIDATION_ERROR`, naming where it is."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError


def json_body(shape: Any) -> Any:
    """`Depends` that gives the request body validated as `shape` (a TypedDict)."""
    adapter: TypeAdapter[Any] = TypeAdapter(shape)

    async def parse(request: Request) -> Any:
        return validated(adapter, await request.body())

    parse.__name__ = f"parse_{getattr(shape, '__name__', 'body')}"
    return Depends(parse)


def validated(adapter: TypeAdapter[Any], raw: bytes) -> Any:
    """`raw` validated by `adapter`, or FastAPI's 400 naming where it is wrong."""
    try:
        return adapter.validate_json(raw)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


def openapi_body(shape: Any) -> dict[str, Any]:
    """`openapi_extra` declaring the JSON request body (its schema inlined, no `$ref`s)."""
    schema = TypeAdapter(shape).json_schema()
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline(schema, definitions)}},
        }
    }


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(value, definitions) for value in node]
    return node

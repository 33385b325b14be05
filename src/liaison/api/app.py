"""The FastAPI app: `create_app(database)` builds it around an opened database.

Every HubSpot route is served under each path family HubSpot's SDK and docs use; the first
prefix of each family is the one in the OpenAPI document, the others are aliases.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse

from liaison.api import (
    associations,
    errors,
    extensions,
    imports,
    labels,
    limits,
    objects,
    openapi,
    schemas,
    settings,
)
from liaison.api.responses import Json
from liaison.services import collector
from liaison.services.database import Database
from liaison.web import urls
from liaison.web.app import create_web_app

DATED = ("2026-03", "2025-09", "2026-09")
"""HubSpot's date-versioned API families, served like v3/v4."""

OBJECT_PREFIXES = ("/crm/v3/objects", *(f"/crm/objects/{d}" for d in DATED))
RECORD_ASSOCIATION_PREFIXES = ("/crm/v4/objects", *(f"/crm/objects/{d}" for d in DATED))
ASSOCIATION_PREFIXES = (
    "/crm/v4/associations",
    "/crm/associations/v4",
    *(f"/crm/associations/{d}" for d in DATED),
)
SCHEMA_PREFIXES = ("/crm-object-schemas/v3/schemas", "/crm/v3/schemas")


def create_app(database: Database) -> FastAPI:
    app = FastAPI(
        title="Liaison",
        summary="A self-hosted CRM whose heart is associations, with a HubSpot-compatible API.",
        version="0.1.0",
        default_response_class=Json,
    )
    app.state.database = database
    errors.install(app)
    openapi.install(app)
    _mount(app, associations.batch_router, ASSOCIATION_PREFIXES)
    _mount(app, labels.router, ASSOCIATION_PREFIXES)
    _mount(app, limits.router, ASSOCIATION_PREFIXES)
    _mount(app, associations.records_router, RECORD_ASSOCIATION_PREFIXES)
    _mount(app, objects.router, OBJECT_PREFIXES)
    _mount(app, schemas.router, SCHEMA_PREFIXES)
    app.include_router(imports.router, prefix="/crm/v3/imports")
    app.include_router(extensions.router, prefix="/liaison/v1")
    app.include_router(settings.router, prefix="/liaison/v1")

    @app.get("/health", tags=["Liaison extensions"])
    def health() -> dict[str, str]:
        """Whether the app is up, and which kind of database it uses."""
        return {"status": "ok", "database": "postgresql" if database.is_postgres else "sqlite"}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        """The web UI's home (which asks to sign in first)."""
        return RedirectResponse(urls.home(), status_code=303)

    app.mount(urls.PREFIX, create_web_app(database))
    app.add_middleware(CollectorHeldBack)

    return app


class CollectorHeldBack:
    """The cycle collector held back while a request is served, body and answer included, as
    in a unit of work (decision 0022): a batch's thousands of parsed inputs and answered
    results otherwise set off full collections of the whole heap."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # not the lifespan, which lasts as long as the server
            await self.app(scope, receive, send)
            return
        with collector.held_back():
            await self.app(scope, receive, send)


def _mount(app: FastAPI, router: APIRouter, prefixes: tuple[str, ...]) -> None:
    first, *aliases = prefixes
    app.include_router(router, prefix=first)
    for prefix in aliases:
        app.include_router(router, prefix=prefix, include_in_schema=False)

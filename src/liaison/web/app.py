"""The web UI as its own ASGI app, mounted at /app by the API's `create_app`: its sessions and
CSRF protection apply to its pages only, never to the API (which uses bearer tokens)."""

from __future__ import annotations

from pathlib import Path

from asgi_csrf import asgi_csrf
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope, Send

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services.database import Database
from liaison.services.secret_key import web_signing_key
from liaison.web import urls
from liaison.web.multipart_csrf import guard_multipart
from liaison.web.pages import (
    activity_rules,
    bulk,
    bulk_deletion,
    deletion,
    domains,
    export,
    history,
    imports,
    index,
    jobs,
    merge,
    panels,
    record,
    recycle_bin,
    settings_labels,
    settings_limits,
    settings_shared,
    settings_types,
    signin,
    timeline,
)
from liaison.web.session import AdminRequired, SignInRequired, sign_in_url
from liaison.web.settings import WebSettings
from liaison.web.templating import is_htmx, render

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "liaison_session"
_NOT_FOUND = {ErrorCode.RECORD_NOT_FOUND, ErrorCode.OBJECT_TYPE_NOT_FOUND}


def create_web_app(database: Database, settings: WebSettings | None = None) -> ASGIApp:
    settings = settings or WebSettings.from_environment()
    key = web_signing_key(database)
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.database = database
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(signin.router)
    for pages in (settings_shared, settings_labels, settings_limits, settings_types):
        app.include_router(pages.router)  # before the type pages, which would take their paths
    app.include_router(activity_rules.router)
    app.include_router(domains.router)
    app.include_router(jobs.router)  # before the index: /jobs is not an object type
    app.include_router(imports.router)  # before the index: /imports is not an object type
    app.include_router(bulk_deletion.router)  # before bulk's /{type}/bulk/{action}
    app.include_router(bulk.router)  # before the record page: /{type}/bulk is not a record
    app.include_router(index.router)
    app.include_router(export.router)  # before record's /{type}/{id}
    app.include_router(recycle_bin.router)  # before record's /{type}/{id}
    app.include_router(timeline.router)
    app.include_router(record.router)
    app.include_router(deletion.router)
    app.include_router(merge.router)
    app.include_router(panels.router)
    app.include_router(history.router)
    _install_error_pages(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        path=urls.PREFIX,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    protected: ASGIApp = asgi_csrf(
        app,
        signing_secret=f"{key}/csrf",
        always_protect={urls.SIGN_IN},
        cookie_path=urls.PREFIX,
        cookie_secure=settings.secure_cookies,
        send_csrf_failed=_csrf_failed,
    )
    return guard_multipart(protected, f"{key}/csrf", _csrf_failed)


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    def signed_out(request: Request, error: SignInRequired) -> Response:
        target = sign_in_url(error.next_path)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(AdminRequired)
    def not_admin(request: Request, error: AdminRequired) -> HTMLResponse:
        del error
        message = "Only admins can open the settings."
        return render(request, "error.html", status_code=403, message=message)

    @app.exception_handler(LiaisonError)
    def refused(request: Request, error: LiaisonError) -> HTMLResponse:
        status = 404 if error.code in _NOT_FOUND else 400
        return render(request, "error.html", status_code=status, message=error.message)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, error: RequestValidationError) -> HTMLResponse:
        del error
        message = "This address is not valid: check the link."
        return render(request, "error.html", status_code=400, message=message)


async def _csrf_failed(scope: Scope, send: Send, message_id: object) -> None:
    """asgi-csrf's refusal, as a short HTML page."""
    del scope, message_id
    body = (
        b"<!doctype html><title>Refused</title><p>This form has expired or did not come "
        b"from Liaison (CSRF check failed). Reload the page and try again.</p>"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/html; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Settings: Association by domain (L4): on or off, "create companies", and the domains to
leave out (free-mail domains always are). Admins only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.email_domains import FREE_MAIL_DOMAINS
from liaison.domain.errors import LiaisonError
from liaison.services import browse, domains
from liaison.services.database import Database
from liaison.services.domains import DomainSettings
from liaison.services.users import User
from liaison.web import urls
from liaison.web.admin import refusal
from liaison.web.pages.record import Message
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, render

router = APIRouter()
PATH = "/settings/domains"
URL = urls.PREFIX + PATH


@dataclass(frozen=True)
class DomainsPage:
    chrome: Chrome
    settings: DomainSettings
    excluded_text: str
    message: Message | None = None
    url: str = URL
    free_mail_count: int = len(FREE_MAIL_DOMAINS)


def _page(
    database: Database, user: User, message: Message | None = None, text: str | None = None
) -> DomainsPage:
    chrome = Chrome(user, browse.object_types(database, user.caller))
    settings = domains.get_settings(database, user.caller)
    shown = "\n".join(settings.excluded_domains) if text is None else text
    return DomainsPage(chrome, settings, shown, message)


@router.get(PATH, response_class=HTMLResponse)
def domains_page(request: Request, database: Db, user: SignedIn) -> Response:
    return refusal(request, user) or render(request, "domains.html", page=_page(database, user))


@router.post(PATH, response_class=HTMLResponse)
async def save_domains(request: Request, database: Db, user: SignedIn) -> Response:
    refused = refusal(request, user)
    if refused:
        return refused
    form = await request.form()
    text = str(form.get("excluded_domains") or "")
    try:
        domains.set_settings(
            database,
            user.caller,
            enabled=form.get("enabled") == "on",
            create_companies=form.get("create_companies") == "on",
            excluded_domains=[d for d in re.split(r"[\s,;]+", text) if d],
        )
    except LiaisonError as error:
        page = _page(database, user, Message(error.message, True), text)
        return render(request, "domains.html", page=page, status_code=400)
    page = _page(database, user, Message("Association by domain saved."))
    return render(request, "domains.html", page=page)

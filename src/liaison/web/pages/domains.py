"""Settings: Association by domain (L4): on or off, "create companies", and the domains to
leave out (free-mail domains always are). Admins only."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.email_domains import FREE_MAIL_DOMAINS
from liaison.domain.errors import LiaisonError
from liaison.services import browse, domain_run, domains
from liaison.services.database import Database
from liaison.services.domains import DomainSettings
from liaison.services.users import User
from liaison.web import urls
from liaison.web.pages.jobs import JobView, view_of
from liaison.web.pages.settings_shared import Notice, chrome_of, form_of
from liaison.web.session import Admin, Db
from liaison.web.templating import Chrome, render

router = APIRouter()
PATH = "/settings/domains"


@dataclass(frozen=True)
class DomainsPage:
    chrome: Chrome
    settings: DomainSettings
    excluded_text: str
    notice: Notice | None = None
    url: str = urls.settings("domains")
    free_mail_count: int = len(FREE_MAIL_DOMAINS)
    run: JobView | None = None
    """The run over existing contacts just started, with its progress bar."""
    offer_run: bool = False
    """Offer the run prominently: the setting was just turned on."""

    @property
    def run_url(self) -> str:
        return f"{self.url}/run"


def _page(
    database: Database, user: User, notice: Notice | None = None, text: str | None = None
) -> DomainsPage:
    settings = domains.get_settings(database, user.caller)
    shown = "\n".join(settings.excluded_domains) if text is None else text
    return DomainsPage(chrome_of(database, user), settings, shown, notice)


@router.get(PATH, response_class=HTMLResponse)
def domains_page(request: Request, database: Db, user: Admin) -> Response:
    return render(request, "domains.html", page=_page(database, user))


@router.post(PATH, response_class=HTMLResponse)
async def save_domains(request: Request, database: Db, user: Admin) -> Response:
    form = await form_of(request)
    text = form.get("excluded_domains", "")
    was_on = domains.get_settings(database, user.caller).enabled
    try:
        domains.set_settings(
            database,
            user.caller,
            enabled=form.get("enabled") == "on",
            create_companies=form.get("create_companies") == "on",
            excluded_domains=[d for d in re.split(r"[\s,;]+", text) if d],
        )
    except LiaisonError as error:
        page = _page(database, user, Notice(error.message, True), text)
        return render(request, "domains.html", page=page, status_code=400)
    page = _page(database, user, Notice("Association by domain saved."))
    page = replace(page, offer_run=page.settings.enabled and not was_on)
    return render(request, "domains.html", page=page)


@router.post(PATH + "/run", response_class=HTMLResponse)
def run_over_existing(request: Request, database: Db, user: Admin) -> Response:
    """Start the run over existing contacts as a job (L4); the page shows its progress."""
    job = domain_run.start(database, user.caller)
    run = view_of(job, browse.object_types(database, user.caller))
    page = _page(database, user, Notice("The run over existing contacts started."))
    return render(request, "domains.html", page=replace(page, run=run))

"""The jobs pages: the account's recent jobs, and one job with its live progress bar (htmx polls
it while the job runs) and its result; Stop for a job that has not finished."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.domain.errors import LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.services import browse, jobs
from liaison.services.jobs import Job
from liaison.web import urls
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, render

router = APIRouter()
PREFIX = "/jobs"

_COUNTS = (
    ("associated", "associated"),
    ("alreadyAssociated", "already associated"),
    ("removed", "removed"),
    ("notAssociated", "not associated"),
    ("deleted", "deleted"),
    ("alreadyDeleted", "deleted already"),
    ("contacts", "contacts looked at"),
    ("companiesCreated", "companies created"),
    ("refused", "refused"),
)


@dataclass(frozen=True)
class Refusal:
    record_id: int
    url: str | None
    reason: str


@dataclass(frozen=True)
class Summary:
    """A bulk change's result as people read it: counts, then each refused record's reason."""

    title: str
    counts: list[tuple[int, str]]
    refusals: list[Refusal] = field(default_factory=list)
    unlisted: int = 0
    """Refused records counted but not listed (the result keeps the first ones)."""


def summary_of(result: dict[str, Any], types: list[ObjectType]) -> Summary:
    kind = next((t for t in types if t.id == result.get("objectType")), None)
    counts = [(int(result[key]), text) for key, text in _COUNTS if key in result]
    refusals = [
        Refusal(int(r["id"]), urls.record(kind, int(r["id"])) if kind else None, str(r["reason"]))
        for r in result.get("refusals", [])
    ]
    unlisted = int(result.get("refused", 0)) - len(refusals)
    return Summary(str(result.get("title", "")), counts, refusals, unlisted)


@dataclass(frozen=True)
class JobView:
    job: Job
    summary: Summary

    @property
    def url(self) -> str:
        return job_url(self.job.id)


@dataclass(frozen=True)
class JobsPage:
    chrome: Chrome
    jobs: list[JobView]


@dataclass(frozen=True)
class JobPage:
    chrome: Chrome
    view: JobView


def job_url(job_id: int, step: str = "") -> str:
    return f"{urls.PREFIX}{PREFIX}/{job_id}" + (f"/{step}" if step else "")


def view_of(job: Job, types: list[ObjectType]) -> JobView:
    return JobView(job, summary_of(job.result, types))


@router.get(PREFIX, response_class=HTMLResponse)
def jobs_page(request: Request, database: Db, user: SignedIn) -> Response:
    types = browse.object_types(database, user.caller)
    views = [view_of(j, types) for j in jobs.recent(database, user.caller)]
    return render(request, "jobs.html", page=JobsPage(Chrome(user, types), views))


@router.get(PREFIX + "/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, database: Db, user: SignedIn, job_id: int) -> Response:
    types = browse.object_types(database, user.caller)
    view = view_of(jobs.get(database, user.caller, job_id), types)
    return render(request, "job.html", page=JobPage(Chrome(user, types), view))


@router.get(PREFIX + "/{job_id}/progress", response_class=HTMLResponse)
def job_progress(request: Request, database: Db, user: SignedIn, job_id: int) -> Response:
    """The progress bar and result: what htmx polls while the job runs."""
    types = browse.object_types(database, user.caller)
    view = view_of(jobs.get(database, user.caller, job_id), types)
    return render(request, "_job_progress.html", view=view)


@router.post(PREFIX + "/{job_id}/stop", response_class=HTMLResponse)
def stop_job(request: Request, database: Db, user: SignedIn, job_id: int) -> Response:
    """Stop the job after its current chunk; a job that has finished meanwhile is shown as is."""
    types = browse.object_types(database, user.caller)
    try:
        job = jobs.stop(database, user.caller, job_id)
    except LiaisonError:
        job = jobs.get(database, user.caller, job_id)
    return render(request, "_job_progress.html", view=view_of(job, types))

"""Imports from the web UI (issue 6): the list of past imports and New import (upload one CSV
or XLSX file, choose its objects and mode), the mapping (a select per column, the importer's
guess chosen), the preview (the service's dry run: nothing written), the run as a job with its
live progress bar, and the import's summary with its refused rows and their error file."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.import_mapping import Mode
from liaison.domain.object_types import ObjectType
from liaison.services import browse, import_job, import_uploads, imports, jobs
from liaison.services.import_uploads import Choice, Column
from liaison.services.imports import DryRun, ImportFile, ImportInfo
from liaison.services.jobs import Job
from liaison.services.users import User
from liaison.web import urls
from liaison.web.session import Db, SignedIn
from liaison.web.templating import Chrome, is_htmx, render

router = APIRouter()
PREFIX = "/imports"
LISTED = 50
SHOWN_ERRORS = 20
MODES = (
    (Mode.CREATE_OR_UPDATE.value, "Create and update"),
    (Mode.CREATE.value, "Create only"),
    (Mode.UPDATE.value, "Update only"),
)


def imports_url(step: str = "") -> str:
    return f"{urls.PREFIX}{PREFIX}" + (f"/{step}" if step else "")


@dataclass(frozen=True)
class Draft:
    """An uploaded file and the choices made about it so far (carried in each step's form)."""

    key: str
    objects: list[str]
    mode: str
    columns: list[Column]
    choices: list[Choice]
    chosen: dict[int, str | None] = field(default_factory=dict)
    """Column index -> the target chosen on the mapping page (absent: the guess)."""

    @property
    def file_name(self) -> str:
        return import_uploads.display_name(self.key)

    def target(self, column: Column) -> str | None:
        return self.chosen.get(column.index, column.guess)

    def mapping(self) -> dict[str, Any]:
        columns = {c.header: self.target(c) for c in self.columns}
        return {"files": [{"columns": columns, "guess": False}], "mode": self.mode}

    def files(self, path: Path) -> list[ImportFile]:
        return [ImportFile(self.file_name, path, tuple(self.objects))]


@dataclass(frozen=True)
class ListPage:
    chrome: Chrome
    imports: list[tuple[ImportInfo, Job | None]]
    types: list[ObjectType]
    modes: tuple[tuple[str, str], ...] = MODES
    error: str | None = None
    max_mb: int = import_uploads.MAX_BYTES // (1024 * 1024)


@dataclass(frozen=True)
class DraftPage:
    chrome: Chrome
    draft: Draft
    preview: DryRun | None = None
    error: str | None = None


@dataclass(frozen=True)
class ImportPage:
    chrome: Chrome
    info: ImportInfo
    job: Job | None
    errors: list[dict[str, Any]]
    types: list[ObjectType]

    @property
    def url(self) -> str:
        return imports_url(str(self.info.id))

    @property
    def finished(self) -> bool:
        return self.info.done or (self.job is not None and self.job.state.finished)

    @property
    def objects(self) -> list[ObjectType]:
        names = {o for f in self.info.mapping.get("files", []) for o in f.get("objects", [])}
        return [t for t in self.types if t.name in names]


def _chrome(database: Db, user: User) -> Chrome:
    return Chrome(user, browse.object_types(database, user.caller), "imports")


@router.get(PREFIX, response_class=HTMLResponse)
def imports_page(request: Request, database: Db, user: SignedIn) -> Response:
    return _list(request, database, user)


def _list(
    request: Request, database: Db, user: User, error: str | None = None, status: int = 200
) -> Response:
    found, _ = imports.list_imports(database, user.caller, limit=LISTED)
    by_id = jobs.of_operations(database, user.caller, [i.id for i in found])
    chrome = _chrome(database, user)
    listed = [(i, by_id.get(i.id)) for i in found]
    page = ListPage(chrome, listed, chrome.object_types, error=error)
    return render(request, "imports.html", page=page, status_code=status)


@router.post(PREFIX + "/upload", response_class=HTMLResponse)
async def upload(request: Request, database: Db, user: SignedIn) -> Response:
    """Keep the file and show the mapping; a refused file shows the list again with why. Sent
    by htmx (the CSRF token in its header), whose answer replaces the page's main."""
    form = await request.form()
    upload_file = form.get("file")
    refused = 200 if is_htmx(request) else 400  # htmx swaps in only a 2xx answer
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        return _list(request, database, user, "Choose a CSV or XLSX file to upload.", refused)
    try:
        key = import_uploads.save(user.caller, upload_file.filename, upload_file.file)
        draft = _draft(database, user, form, key)
    except LiaisonError as error:
        return _list(request, database, user, error.message, refused)
    finally:
        await upload_file.close()
    page = DraftPage(_chrome(database, user), draft)
    return render(request, "imports_mapping.html", page=page)


@router.post(PREFIX + "/preview", response_class=HTMLResponse)
async def preview(request: Request, database: Db, user: SignedIn) -> Response:
    """The dry run of the mapping chosen: what a run would do, nothing written."""
    form = await request.form()
    draft = _draft(database, user, form, str(form.get("key") or ""), chosen=True)
    path = import_uploads.path_of(user.caller, draft.key)
    chrome = _chrome(database, user)
    try:
        dry = imports.dry_run(database, user.caller, draft.files(path), draft.mapping())
    except LiaisonError as error:
        page = DraftPage(chrome, draft, error=error.message)
        return render(request, "imports_mapping.html", page=page, status_code=400)
    return render(request, "imports_preview.html", page=DraftPage(chrome, draft, dry))


@router.post(PREFIX + "/run", response_class=HTMLResponse)
async def run(request: Request, database: Db, user: SignedIn) -> Response:
    """Start the import as a job and show its page (its progress bar)."""
    form = await request.form()
    draft = _draft(database, user, form, str(form.get("key") or ""), chosen=True)
    path = import_uploads.path_of(user.caller, draft.key)
    try:
        started = import_job.start(database, user.caller, draft.files(path), draft.mapping())
    except LiaisonError as error:
        page = DraftPage(_chrome(database, user), draft, error=error.message)
        return render(request, "imports_mapping.html", page=page, status_code=400)
    return RedirectResponse(imports_url(str(started.id)), status_code=303)


@router.get(PREFIX + "/{import_id}", response_class=HTMLResponse)
def import_page(request: Request, database: Db, user: SignedIn, import_id: int) -> Response:
    return render(request, "import.html", page=_import(database, user, import_id))


@router.get(PREFIX + "/{import_id}/progress", response_class=HTMLResponse)
def import_progress(request: Request, database: Db, user: SignedIn, import_id: int) -> Response:
    """The progress bar and, once finished, the summary: what htmx polls while it runs."""
    return render(request, "_import_progress.html", page=_import(database, user, import_id))


@router.get(PREFIX + "/{import_id}/errors.csv")
def import_errors(database: Db, user: SignedIn, import_id: int) -> Response:
    """The refused rows with their line and reason, then their cells (as `liaison import`)."""
    out = io.StringIO()
    imports.write_errors(database, user.caller, import_id, out)
    disposition = f'attachment; filename="import-{import_id}-errors.csv"'
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _import(database: Db, user: User, import_id: int) -> ImportPage:
    info, errors, _ = imports.error_page(database, user.caller, import_id, limit=SHOWN_ERRORS)
    job = jobs.find(database, user.caller, import_id)
    chrome = _chrome(database, user)
    return ImportPage(chrome, info, job, errors, chrome.object_types)


def _draft(database: Db, user: User, form: FormData, key: str, *, chosen: bool = False) -> Draft:
    path = import_uploads.path_of(user.caller, key)
    types = {t.name for t in browse.object_types(database, user.caller)}
    wanted = [str(form.get("object") or ""), str(form.get("with") or "")]
    objects = list(dict.fromkeys(o for o in wanted if o in types))
    if not objects:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "Choose what each row of the file is.")
    mode = str(form.get("mode") or Mode.CREATE_OR_UPDATE.value)
    if mode not in {m for m, _ in MODES}:
        mode = Mode.CREATE_OR_UPDATE.value
    columns = import_uploads.columns(database, user.caller, path, objects)
    choices = import_uploads.choices(database, user.caller, objects)
    picked: dict[int, str | None] = {}
    if chosen:
        allowed = {c.value for c in choices}
        for column in columns:
            value = str(form.get(f"col{column.index}") or "")
            picked[column.index] = value if value in allowed else None
    return Draft(key, objects, mode, columns, choices, picked)

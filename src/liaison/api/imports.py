"""HubSpot's imports API (`/crm/v3/imports`), as far as its shape fits: a multipart
`importRequest` (JSON) with its `files`, run in the background as a job (decision 0013); an
import and a page of imports.

The request's column mappings become an import mapping (docs/import-export.md): each mapped
column a property of its `columnObjectTypeId`, `HUBSPOT_OBJECT_ID` the Record ID,
`HUBSPOT_ALTERNATE_ID` the matching property, `FLEXIBLE_ASSOCIATION_LABEL` the labels; columns
not mapped are ignored. Starting an import needs the write scope of every object type it maps;
reading one (and its refused rows) the read scope of each.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as PathParam

from liaison.api.deps import Access, Auth, Db
from liaison.api.errors import ApiError
from liaison.api.response_models import Model, NextPage, Time
from liaison.api.wire import iso
from liaison.domain import scopes
from liaison.domain.id_properties import RECORD_ID
from liaison.domain.records import MAX_RECORD_ID
from liaison.services import import_job, import_uploads, imports, jobs
from liaison.services.database import Database
from liaison.services.imports import ImportFile, ImportInfo
from liaison.services.jobs import State

router = APIRouter(tags=["Imports"])
_MODES = {"UPSERT": "create_or_update", "CREATE": "create", "UPDATE": "update"}
_JOB_STATES = {
    State.QUEUED: "STARTED",
    State.RUNNING: "PROCESSING",
    State.DONE: "DONE",
    State.FAILED: "FAILED",
    State.STOPPED: "CANCELED",
}
"""HubSpot's state of an import, from its job's (an import done at once has no job: DONE)."""
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILES = 20


class ImportMetadata(Model):
    counters: dict[str, int]
    file_ids: list[str]
    object_lists: list[Any]


class PublicImportResponse(Model):
    id: str
    state: str
    created_at: Time
    updated_at: Time
    import_name: str | None = None
    mapped_object_type_ids: list[str]
    metadata: ImportMetadata
    opt_out_import: bool


class ImportErrorSource(Model):
    file_name: str
    line_number: int
    values: dict[str, str]


class PublicImportError(Model):
    id: str
    error_type: str
    message: str
    source_data: ImportErrorSource


class ImportPaging(Model):
    next: NextPage


class CollectionResponsePublicImportResponse(Model):
    results: list[PublicImportResponse]
    paging: ImportPaging | None = None


class CollectionResponsePublicImportError(Model):
    results: list[PublicImportError]
    paging: ImportPaging | None = None


ImportId = Annotated[int, PathParam(alias="importId", ge=1, le=MAX_RECORD_ID)]


@router.post(
    "",
    summary="Start an import (it runs in the background)",
    response_model=None,
    responses={200: {"model": PublicImportResponse}},
)
def start_import(
    database: Db,
    access: Auth,
    import_request: Annotated[str | None, Form(alias="importRequest", max_length=1_000_000)] = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> dict[str, Any]:
    """Start importing the files with the request's column mappings, as a job of the server's
    job runner; the answer is the import, `STARTED`. Follow it with `GET /crm/v3/imports/{id}`
    (its state and counters) and `/errors` (the rows it refused)."""
    _can_at_all(access, write=True)
    if import_request is None or not files:
        raise _bad("Send the multipart fields importRequest (JSON) and files.")
    request = _request(import_request)
    described = _files(request, files)
    mapping, objects = _mapping(described)
    caller = access.write(*objects)
    folder = import_uploads.folder()
    saved = _save(folder, caller.account_id, [d["upload"] for d in described])
    try:
        import_files = [
            ImportFile(name, path, file_objects)
            for (name, file_objects), path in zip(
                ((d["fileName"], d["objects"]) for d in described), saved, strict=True
            )
        ]
        mapping.update(_options(request, objects))
        name = request.get("name")
        started = import_job.start(
            database, caller, import_files, mapping, name=name if isinstance(name, str) else None
        )
    except Exception:
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    return _shape(started, State.QUEUED)


@router.get(
    "",
    summary="A page of imports, newest first",
    response_model=None,
    responses={200: {"model": CollectionResponsePublicImportResponse}},
)
def list_imports(
    database: Db,
    access: Auth,
    after: Annotated[int, Query(ge=0, le=MAX_RECORD_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    found, next_after = imports.list_imports(
        database, access.token.caller, after=after, limit=limit
    )
    readable = [i for i in found if _readable(access, i)]
    states = _job_states(database, access, readable)
    answer: dict[str, Any] = {"results": [_shape(i, states.get(i.id)) for i in readable]}
    if next_after is not None:
        answer["paging"] = {"next": {"after": str(next_after)}}
    return answer


@router.get(
    "/{importId}",
    summary="An import: its state and counters",
    response_model=None,
    responses={200: {"model": PublicImportResponse}},
)
def get_import(database: Db, access: Auth, import_id: ImportId) -> dict[str, Any]:
    """Needs the read scope of every object type the import maps."""
    _can_at_all(access, write=False)
    found = imports.get(database, access.token.caller, import_id)
    access.read(*_objects(found))
    return _shape(found, _job_states(database, access, [found]).get(found.id))


@router.get(
    "/{importId}/errors",
    summary="The rows an import refused, with their line and reason",
    response_model=None,
    responses={200: {"model": CollectionResponsePublicImportError}},
)
def import_errors(
    database: Db,
    access: Auth,
    import_id: ImportId,
    after: Annotated[str, Query(max_length=40, pattern=r"^(\d{1,9}-\d{1,12})?$")] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """`after` is the `paging.next.after` of the previous page (`{file}-{line}`)."""
    _can_at_all(access, write=False)
    cursor = tuple(int(p) for p in after.split("-")) if after else (-1, -1)
    found, page, next_after = imports.error_page(
        database, access.token.caller, import_id, after=(cursor[0], cursor[1]), limit=limit
    )
    access.read(*_objects(found))
    names = [f["name"] for f in found.files]
    results = [
        {
            "id": f"{e['file_index']}-{e['line']}",
            "errorType": e["code"],
            "message": e["message"],
            "sourceData": {
                "fileName": names[e["file_index"]],
                "lineNumber": e["line"],
                "values": e["cells"],
            },
        }
        for e in page
    ]
    answer: dict[str, Any] = {"results": results}
    if next_after is not None:
        answer["paging"] = {"next": {"after": f"{next_after[0]}-{next_after[1]}"}}
    return answer


def _can_at_all(access: Access, *, write: bool) -> None:
    """A token with no scope to read (or write) records of any type is refused before the
    request is read: imports are about records."""
    wanted = "write" if write else "read"
    if not any(s.startswith("crm.objects.") and s.endswith(wanted) for s in access.token.scopes):
        access.need(f"crm.objects.contacts.{wanted}")


def _readable(access: Access, info: ImportInfo) -> bool:
    return all(scopes.objects(o, write=False) in access.token.scopes for o in _objects(info))


def _objects(info: ImportInfo) -> list[str]:
    """The object types (names) the import maps."""
    files = info.mapping.get("files", [])
    return list(dict.fromkeys(o for f in files for o in f.get("objects", [])))


# -- the request -----------------------------------------------------------------------------------
def _request(text: str) -> dict[str, Any]:
    try:
        request = json.loads(text)
    except json.JSONDecodeError as error:
        raise _bad(f"importRequest is not valid JSON: {error}.") from None
    if not isinstance(request, dict):
        raise _bad("importRequest must be a JSON object.")
    return request


def _files(request: dict[str, Any], uploads: list[UploadFile]) -> list[dict[str, Any]]:
    """Each uploaded file with its request entry (by `fileName`, else by position)."""
    described = request.get("files")
    if not isinstance(described, list) or not described:
        raise _bad("importRequest.files must list the files and their column mappings.")
    if len(described) != len(uploads) or len(uploads) > MAX_FILES:
        raise _bad(
            f"Send as many files as importRequest.files lists (at most {MAX_FILES}); "
            f"got {len(uploads)} for {len(described)}."
        )
    by_name = {u.filename: u for u in uploads}
    entries = []
    for index, entry in enumerate(described):
        if not isinstance(entry, dict):
            raise _bad("Each importRequest.files entry must be an object.")
        name = str(entry.get("fileName") or uploads[index].filename or f"file{index + 1}.csv")
        if name not in by_name and len(uploads) > 1:
            raise _bad(f"No file named {name!r} was sent.")
        page = entry.get("fileImportPage")
        mappings = page.get("columnMappings") if isinstance(page, dict) else None
        if not isinstance(mappings, list) or not all(isinstance(m, dict) for m in mappings):
            raise _bad(f"importRequest.files[{index}].fileImportPage.columnMappings is missing.")
        upload = by_name.get(name, uploads[index]) if len(uploads) > 1 else uploads[0]
        entries.append({"fileName": name, "mappings": mappings, "objects": (), "upload": upload})
    return entries


def _mapping(described: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The import mapping of the request's column mappings, and the object types it maps."""
    files, match, everything = [], {}, []
    for entry in described:
        columns: dict[str, str] = {}
        objects: list[str] = []
        for mapping in entry["mappings"]:
            name, object_type = mapping.get("columnName"), mapping.get("columnObjectTypeId")
            if not isinstance(name, str) or not isinstance(object_type, str):
                raise _bad("Each column mapping needs columnName and columnObjectTypeId.")
            kind, prop = mapping.get("columnType"), mapping.get("propertyName")
            objects.append(object_type)
            if kind == "FLEXIBLE_ASSOCIATION_LABEL":
                columns[name] = "labels"
            elif kind == "HUBSPOT_OBJECT_ID":
                columns[name] = f"{object_type}.{RECORD_ID}"
            elif isinstance(prop, str) and prop:
                columns[name] = f"{object_type}.{prop}"
                if kind == "HUBSPOT_ALTERNATE_ID":
                    match[object_type] = prop
        if not objects:
            raise _bad(f"{entry['fileName']} maps no column.")
        entry["objects"] = tuple(dict.fromkeys(objects))
        everything += objects
        files.append({"columns": columns, "guess": False})
    return {"files": files, "match": match}, list(dict.fromkeys(everything))


def _options(request: dict[str, Any], objects: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    operations = request.get("importOperations")
    if isinstance(operations, dict) and objects and objects[0] in operations:
        mode = _MODES.get(str(operations[objects[0]]))
        if mode is None:
            raise _bad("importOperations values are UPSERT, CREATE or UPDATE.")
        options["mode"] = mode
    if request.get("recordIds") in ("existing", "file"):
        options["record_ids"] = request["recordIds"]
    return options


def _save(folder: Path, account_id: int, uploads: list[UploadFile]) -> list[Path]:
    """Keep the uploads where a resumed import finds them again."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for upload in uploads:
        name = _SAFE.sub("_", Path(upload.filename or "upload.csv").name)[-100:]
        path = folder / f"{account_id}-{secrets.token_hex(8)}-{name}"
        with path.open("wb") as out:
            while block := upload.file.read(1 << 20):
                out.write(block)
        saved.append(path)
    return saved


def _job_states(database: Database, access: Access, found: list[ImportInfo]) -> dict[int, State]:
    listed = jobs.of_operations(database, access.token.caller, [i.id for i in found])
    return {job_id: job.state for job_id, job in listed.items()}


def _shape(info: ImportInfo, job: State | None) -> dict[str, Any]:
    return {
        "id": str(info.id),
        "state": "DONE" if info.done else _JOB_STATES[job or State.RUNNING],
        "createdAt": iso(info.created_at),
        "updatedAt": iso(info.updated_at),
        "importName": info.mapping.get("name"),
        "mappedObjectTypeIds": _objects(info),
        "metadata": {
            "counters": info.counts,
            "fileIds": [f["name"] for f in info.files],
            "objectLists": [],
        },
        "optOutImport": False,
    }


def _bad(message: str) -> ApiError:
    return ApiError(400, message, category="VALIDATION_ERROR")

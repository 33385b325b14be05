"""What HubSpot's API lacks, under /liaison/v1: association history, restore, operations.

Reading history needs the read scope of every object type the answer shows; restoring a record
needs the write scope of its type.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from liaison.api.deps import Access, Auth, Db
from liaison.api.response_models import NextPage, SimplePublicObject
from liaison.api.wire import iso
from liaison.domain.history import HistoryEntry
from liaison.domain.records import MAX_RECORD_ID, Record
from liaison.services import history, jobs, records
from liaison.services.history import HistoryPage
from liaison.services.jobs import Job
from liaison.services.unit import Caller

router = APIRouter(tags=["Liaison extensions"])


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class RecordRef(Wire):
    object_type_id: str
    id: str
    name: str | None = None
    """The record's display name when the change was made."""


class Actor(Wire):
    kind: str
    id: str
    name: str | None = None


class HistoryEntryOut(Wire):
    id: str
    operation_id: str
    occurred_at: str
    change: str
    source: str
    actor: Actor
    record: RecordRef
    associated_record: RecordRef
    association_type_id: int
    label: str | None = None
    detail: dict[str, Any] | None = None


class Paging(Wire):
    next: NextPage


class HistoryPageOut(Wire):
    results: list[HistoryEntryOut]
    paging: Paging | None = None


class Skipped(Wire):
    to_object_id: str
    reason: str
    category: str


class RestoredOut(Wire):
    record: SimplePublicObject
    associations_restored: int
    skipped: list[Skipped]


class Progress(Wire):
    done: int
    total: int


class JobOut(Wire):
    """The state of an operation run as a job (decision 0013)."""

    state: str
    progress: Progress
    result: dict[str, Any]
    error: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class OperationOut(Wire):
    id: str
    kind: str
    source: str
    actor: Actor
    started_at: str
    job: JobOut | None = None
    results: list[HistoryEntryOut]
    paging: Paging | None = None


MAX_ID = MAX_RECORD_ID
"""IDs are 64-bit integers in both stores: a larger one is refused as invalid, not looked up."""

ObjectTypeRef = Annotated[
    str, Path(alias="objectType", description="ID (`0-1`), plural or singular name.")
]
ObjectId = Annotated[int, Path(alias="objectId", ge=1, le=MAX_ID)]
ToObjectType = Annotated[str, Path(alias="toObjectType")]
ToObjectId = Annotated[int, Path(alias="toObjectId", ge=1, le=MAX_ID)]
After = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="The cursor from `paging.next.after` of the previous page."),
]
Limit = Annotated[int, Query(ge=1, le=history.MAX_PAGE)]


class WhoAmI(Wire):
    """The token making the request."""

    account_id: int
    token_id: int
    name: str
    scopes: list[str]


@router.get("/whoami", response_model=None, responses={200: {"model": WhoAmI}})
def whoami(access: Auth) -> dict[str, Any]:
    """The token making the request: its account, name and scopes."""
    token = access.token
    return {
        "accountId": token.account_id,
        "tokenId": token.id,
        "name": token.name,
        "scopes": sorted(token.scopes),
    }


@router.get(
    "/objects/{objectType}/{objectId}/association-history",
    response_model=HistoryPageOut,
    response_model_exclude_none=True,
)
def record_history(
    database: Db,
    access: Auth,
    object_type: ObjectTypeRef,
    object_id: ObjectId,
    to_object_type: Annotated[
        str | None, Query(alias="toObjectType", description="Only changes with this type.")
    ] = None,
    after: After = None,
    limit: Limit = 100,
) -> HistoryPageOut:
    """Every change of the record's associations, newest first (H3), kept after deletions."""
    caller = access.read(object_type, *([to_object_type] if to_object_type else []))
    page = history.record_history(
        database,
        caller,
        object_type,
        object_id,
        other_type=to_object_type,
        before=after,
        limit=limit,
    )
    _need_types(access, page.entries)
    return _page(page)


@router.get(
    "/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}/history",
    response_model=HistoryPageOut,
    response_model_exclude_none=True,
)
def association_history(
    database: Db,
    access: Auth,
    object_type: ObjectTypeRef,
    object_id: ObjectId,
    to_object_type: ToObjectType,
    to_object_id: ToObjectId,
    after: After = None,
    limit: Limit = 100,
) -> HistoryPageOut:
    """Every change of one association, newest first, seen from the first record (H4)."""
    caller = access.read(object_type, to_object_type)
    page = history.association_history(
        database,
        caller,
        object_type,
        object_id,
        to_object_type,
        to_object_id,
        before=after,
        limit=limit,
    )
    return _page(page)


@router.post(
    "/objects/{objectType}/{objectId}/restore",
    response_model=RestoredOut,
    response_model_exclude_none=True,
)
def restore(
    database: Db, access: Auth, object_type: ObjectTypeRef, object_id: ObjectId
) -> RestoredOut:
    """Restore a deleted record with the associations its deletion removed (L2): 200 with the
    record, how many associations came back and which could not, with the reason."""
    caller = access.write(object_type)
    restored = records.restore(database, caller, object_type, object_id)
    return RestoredOut(
        record=_record(restored.record),
        associations_restored=restored.associations_restored,
        skipped=[
            Skipped(
                to_object_id=str(s["toObjectId"]),
                reason=str(s["reason"]),
                category=str(s["category"]),
            )
            for s in restored.skipped
        ],
    )


@router.get(
    "/operations/{operationId}", response_model=OperationOut, response_model_exclude_none=True
)
def operation(
    database: Db,
    access: Auth,
    operation_id: Annotated[int, Path(alias="operationId", ge=1, le=MAX_ID)],
    after: After = None,
    limit: Limit = 100,
) -> OperationOut:
    """One operation (H6): its kind, source, actor and time, with the history entries it
    wrote, oldest first, a page at a time (`results`, each seen from the record the change was
    made on; `paging.next.after` while there are more); for an operation run as a job, `job`:
    its state, progress and result."""
    found = history.operation(
        database, _any_caller(access), operation_id, after=after or 0, limit=limit
    )
    _need_types(access, found.entries)
    job = jobs.find(database, _any_caller(access), operation_id)
    return OperationOut(
        id=str(found.id),
        kind=found.kind,
        source=found.source.value,
        actor=Actor(kind=found.actor_kind.value, id=found.actor_id, name=found.actor_name),
        started_at=iso(found.started_at),
        job=None if job is None else _job(job),
        results=[_entry(e) for e in found.entries],
        paging=None
        if found.next_after is None
        else Paging(next=NextPage(after=str(found.next_after))),
    )


def _job(job: Job) -> JobOut:
    return JobOut(
        state=job.state.value,
        progress=Progress(done=job.done, total=job.total),
        result=job.result,
        error=job.error,
        created_at=iso(job.created_at),
        started_at=iso(job.started_at) if job.started_at else None,
        finished_at=iso(job.finished_at) if job.finished_at else None,
    )


def _any_caller(access: Access) -> Caller:
    """The caller, before the scopes of what it reads are known (checked on the answer)."""
    return access.token.caller


def _need_types(access: Access, entries: list[HistoryEntry]) -> None:
    """403 unless the token may read every object type the entries show."""
    types = dict.fromkeys(t for e in entries for t in (e.record_type, e.other_type))
    access.read(*types)


def _page(page: HistoryPage) -> HistoryPageOut:
    return HistoryPageOut(
        results=[_entry(e) for e in page.entries],
        paging=None
        if page.next_before is None
        else Paging(next=NextPage(after=str(page.next_before))),
    )


def _entry(entry: HistoryEntry) -> HistoryEntryOut:
    return HistoryEntryOut(
        id=str(entry.id),
        operation_id=str(entry.operation_id),
        occurred_at=iso(entry.at),
        change=entry.change.value,
        source=entry.source.value,
        actor=Actor(kind=entry.actor_kind.value, id=entry.actor_id, name=entry.actor_name),
        record=RecordRef(
            object_type_id=entry.record_type, id=str(entry.record_id), name=entry.record_name
        ),
        associated_record=RecordRef(
            object_type_id=entry.other_type, id=str(entry.other_id), name=entry.other_name
        ),
        association_type_id=entry.type_id,
        label=entry.label,
        detail=entry.detail,
    )


def _record(record: Record) -> SimplePublicObject:
    return SimplePublicObject(
        id=str(record.id),
        properties={**record.properties, "hs_object_id": str(record.id)},
        created_at=iso(record.created_at),
        updated_at=iso(record.updated_at),
        archived=record.archived,
    )

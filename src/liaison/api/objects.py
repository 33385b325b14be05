"""v3 objects: records of every type, by name or ID (HubSpot's CRM objects API).

Routes are relative to `/crm/v3/objects` (and the dated `/crm/objects/2026-03` etc.);
`{objectType}` is a type ID (`0-1`, `2-7`), plural or singular name. Documented in
docs/api/objects.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict

from liaison.api import object_shapes as shapes
from liaison.api import response_models as out
from liaison.api.deps import Auth, Db
from liaison.api.errors import ApiError
from liaison.api.response_models import answers
from liaison.api.responses import Json
from liaison.api.wire import batch, item_error, now, split
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import CONTACTS
from liaison.domain.records import parse_id
from liaison.domain.search import DEFAULT_LIMIT, Filter, Operator, Search, Sort
from liaison.services import record_reads, records
from liaison.services import search as search_service
from liaison.services.records import NewAssociation, NewRecord, PropertyChange

router = APIRouter(tags=["Objects (v3)"])

MAX_BATCH = 100
MAX_PAGE = 100


def _text(value: Any) -> Any:
    """IDs and filter values may come as JSON numbers or booleans; they are read as text."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]
PropertyValue = str | int | float | bool | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ObjectId(_Body):
    id: Text


class InlineAssociationSpec(_Body):
    """HubSpot's `AssociationSpec` as v3 creates take it: the category may be left out (the
    type ID alone names the type). Named apart from the v4 `AssociationSpec`, whose category
    is required, so that the OpenAPI document has one schema of each name."""

    associationCategory: str = "HUBSPOT_DEFINED"
    associationTypeId: int


class InlineAssociation(_Body):
    to: ObjectId
    types: list[InlineAssociationSpec] = []


class CreateInput(_Body):
    properties: dict[str, PropertyValue] = {}
    associations: list[InlineAssociation] = []
    objectWriteTraceId: str | None = None


class UpdateInput(_Body):
    properties: dict[str, PropertyValue] = {}


class BatchCreate(_Body):
    inputs: list[CreateInput]


class BatchRead(_Body):
    inputs: list[ObjectId]
    properties: list[str] = []
    propertiesWithHistory: list[str] = []
    idProperty: str | None = None


class BatchUpdateInput(_Body):
    id: Text
    properties: dict[str, PropertyValue] = {}
    idProperty: str | None = None
    objectWriteTraceId: str | None = None


class BatchUpdate(_Body):
    inputs: list[BatchUpdateInput]


class BatchUpsertInput(_Body):
    id: Text
    idProperty: str | None = None
    properties: dict[str, PropertyValue] = {}


class BatchUpsert(_Body):
    inputs: list[BatchUpsertInput]


class BatchArchive(_Body):
    inputs: list[ObjectId]


class FilterInput(_Body):
    propertyName: str
    operator: str
    value: Text | None = None
    highValue: Text | None = None
    values: list[Text] = []


class FilterGroupInput(_Body):
    filters: list[FilterInput] = []


class SortInput(_Body):
    propertyName: str
    direction: str = "ASCENDING"


class SearchInput(_Body):
    filterGroups: list[FilterGroupInput] = []
    sorts: list[str | SortInput] = []
    query: str | None = None
    properties: list[str] = []
    limit: int = DEFAULT_LIMIT
    after: Text | None = None


class MergeInput(_Body):
    primaryObjectId: Text
    objectIdToMerge: Text


class GdprDeleteInput(_Body):
    objectId: Text
    idProperty: str | None = None


ListParam = Annotated[list[str] | None, Query()]


# -- search, merge, GDPR delete (declared before the record routes) -------------------------------
@router.post(
    "/{objectType}/search",
    response_model=None,
    responses=answers(200, out.CollectionResponseWithTotalSimplePublicObjectForwardPaging),
)
def search(objectType: str, body: SearchInput, access: Auth, database: Db) -> dict[str, Any]:
    """Search records: filter groups (OR of ANDs), sorts, free text, paging by offset."""
    caller = access.read(objectType)
    page = search_service.search(database, caller, objectType, _search(body))
    shaped: dict[str, Any] = {
        "total": page.total,
        "results": [shapes.simple(r, kind=page.kind, wanted=body.properties) for r in page.results],
    }
    if page.next_after is not None:
        shaped["paging"] = {"next": {"after": str(page.next_after)}}
    return shaped


@router.post(
    "/{objectType}/merge", response_model=None, responses=answers(200, out.SimplePublicObject)
)
def merge(objectType: str, body: MergeInput, access: Auth, database: Db) -> dict[str, Any]:
    """L3: merge `objectIdToMerge` into `primaryObjectId`; answers the survivor."""
    caller = access.write(objectType)
    survivor = records.merge(
        database,
        caller,
        objectType,
        _record_id(body.primaryObjectId, "primaryObjectId"),
        _record_id(body.objectIdToMerge, "objectIdToMerge"),
    )
    return shapes.simple(survivor)


@router.post("/{objectType}/gdpr-delete", status_code=204)
def gdpr_delete(objectType: str, body: GdprDeleteInput, access: Auth, database: Db) -> Response:
    """L5: delete a contact for good (by ID, or by `idProperty` such as `email`)."""
    caller = access.write(objectType)
    if objectType.lower() not in ("contacts", "contact", CONTACTS):
        raise ApiError(400, "GDPR delete is for contacts only.", objectType=objectType)
    records.purge_by(database, caller, objectType, body.objectId, id_property=body.idProperty)
    return Response(status_code=204)


# -- batches -------------------------------------------------------------------------------------
@router.post(
    "/{objectType}/batch/create",
    status_code=201,
    responses=answers(
        201,
        out.BatchResponseSimplePublicObject,
        partial=out.BatchResponseSimplePublicObjectWithErrors,
    ),
)
def batch_create(objectType: str, body: BatchCreate, access: Auth, database: Db) -> Json:
    """Create up to 100 records with their associations: all or nothing, or input by input
    (207 for the refused ones) when every input has an `objectWriteTraceId`."""
    caller = access.write(objectType)
    _check_size(body.inputs)
    started = now()
    new = [_new(i) for i in body.inputs]
    traces = _traces(body.inputs)
    if traces is None:
        created = records.create_many(database, caller, objectType, new)
        return batch([shapes.simple(r) for r in created], [], started, status=201)
    each = records.create_each(database, caller, objectType, new)
    return _each(each, traces, started, status=201)


@router.post(
    "/{objectType}/batch/read",
    responses=answers(
        200,
        out.BatchResponseSimplePublicObject,
        partial=out.BatchResponseSimplePublicObjectWithErrors,
    ),
)
def batch_read(
    objectType: str, body: BatchRead, access: Auth, database: Db, archived: bool = False
) -> Json:
    """Read up to 100 records by ID or `idProperty`; missing ones are reported (207)."""
    caller = access.read(objectType)
    _check_size(body.inputs)
    started = now()
    refs = [i.id for i in body.inputs]
    kind, found = record_reads.read_many(
        database, caller, objectType, refs, id_property=body.idProperty, archived=archived
    )
    results = [shapes.simple(found[ref], kind=kind, wanted=body.properties) for ref in found]
    missing = [ref for ref in dict.fromkeys(refs) if ref not in found]
    errors: list[Mapping[str, Any]] = []
    if missing:
        error = LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"Could not get some {kind.plural}: they may be deleted or not exist. "
            "Check that the IDs are valid.",
        )
        errors.append(item_error(error, ids=missing))
    return batch(_unique_by_id(results), errors, started)


@router.post(
    "/{objectType}/batch/update",
    responses=answers(
        200,
        out.BatchResponseSimplePublicObject,
        partial=out.BatchResponseSimplePublicObjectWithErrors,
    ),
)
def batch_update(objectType: str, body: BatchUpdate, access: Auth, database: Db) -> Json:
    """Update up to 100 records (by ID or `idProperty`): all or nothing, or input by input
    (207 for the refused ones) when every input has an `objectWriteTraceId`."""
    caller = access.write(objectType)
    _check_size(body.inputs)
    started = now()
    changes = [PropertyChange(i.id, i.properties, i.idProperty) for i in body.inputs]
    traces = _traces(body.inputs)
    if traces is None:
        updated = records.update_many(database, caller, objectType, changes)
        return batch(_unique_by_id([shapes.simple(r) for r in updated]), [], started)
    each = records.update_each(database, caller, objectType, changes)
    return _each(each, traces, started, status=200)


@router.post(
    "/{objectType}/batch/upsert", responses=answers(200, out.BatchResponseSimplePublicUpsertObject)
)
def batch_upsert(objectType: str, body: BatchUpsert, access: Auth, database: Db) -> Json:
    """Create or update up to 100 records by `idProperty`, all or nothing."""
    caller = access.write(objectType)
    _check_size(body.inputs)
    started = now()
    id_properties = {i.idProperty for i in body.inputs}
    if None in id_properties or len(id_properties) > 1:
        raise ApiError(
            400,
            "Every upsert input needs the same idProperty (e.g. email for contacts).",
            category="VALIDATION_ERROR",
        )
    (id_property,) = id_properties or {"hs_object_id"}
    inputs = [(i.id, i.properties) for i in body.inputs]
    done = records.upsert_many(database, caller, objectType, str(id_property), inputs)
    return batch([{**shapes.simple(r), "new": new} for r, new in done], [], started)


@router.post("/{objectType}/batch/archive", status_code=204)
def batch_archive(objectType: str, body: BatchArchive, access: Auth, database: Db) -> Response:
    """L1 for up to 100 records; IDs that do not exist or are deleted already are skipped."""
    caller = access.write(objectType)
    _check_size(body.inputs)
    ids = [_record_id(i.id, "inputs[].id") for i in body.inputs]
    records.delete_many(database, caller, objectType, ids)
    return Response(status_code=204)


# -- one type, one record --------------------------------------------------------------------------
@router.post(
    "/{objectType}",
    status_code=201,
    response_model=None,
    responses=answers(201, out.SimplePublicObject),
)
def create(objectType: str, body: CreateInput, access: Auth, database: Db) -> dict[str, Any]:
    """Create a record, with associations (`to.id` and association `types`)."""
    caller = access.write(objectType)
    (record,) = records.create_many(database, caller, objectType, [_new(body)])
    return shapes.simple(record)


@router.get(
    "/{objectType}",
    response_model=None,
    responses=answers(200, out.CollectionResponseSimplePublicObjectWithAssociationsForwardPaging),
)
def list_records(
    objectType: str,
    access: Auth,
    database: Db,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_LIMIT,
    after: str | None = None,
    properties: ListParam = None,
    associations: ListParam = None,
    archived: bool = False,
) -> dict[str, Any]:
    """A page of records by ID; `paging.next.after` while there are more."""
    caller = access.read(objectType)
    wanted = split(properties)
    page = record_reads.list_page(
        database,
        caller,
        objectType,
        after=_cursor(after),
        limit=limit,
        archived=archived,
        associations=split(associations),
    )
    shaped: dict[str, Any] = {
        "results": [shapes.with_associations(v, wanted) for v in page.results]
    }
    if page.next_after is not None:
        shaped["paging"] = {"next": {"after": str(page.next_after)}}
    return shaped


@router.get(
    "/{objectType}/{objectId}",
    response_model=None,
    responses=answers(200, out.SimplePublicObjectWithAssociations),
)
def get(
    objectType: str,
    objectId: str,
    access: Auth,
    database: Db,
    properties: ListParam = None,
    associations: ListParam = None,
    archived: bool = False,
    idProperty: str | None = None,
) -> dict[str, Any]:
    """One record by ID (a merged record's ID reads the survivor) or by `idProperty`."""
    caller = access.read(objectType)
    view = record_reads.get(
        database,
        caller,
        objectType,
        objectId,
        id_property=idProperty,
        archived=archived,
        associations=split(associations),
    )
    return shapes.with_associations(view, split(properties))


@router.patch(
    "/{objectType}/{objectId}", response_model=None, responses=answers(200, out.SimplePublicObject)
)
def update(
    objectType: str,
    objectId: str,
    body: UpdateInput,
    access: Auth,
    database: Db,
    idProperty: str | None = None,
) -> dict[str, Any]:
    """Change some properties of a record (by ID or `idProperty`); an empty value clears one."""
    caller = access.write(objectType)
    record = records.update_by(
        database, caller, objectType, objectId, body.properties, id_property=idProperty
    )
    return shapes.simple(record)


@router.delete("/{objectType}/{objectId}", status_code=204)
def archive(objectType: str, objectId: str, access: Auth, database: Db) -> Response:
    """L1: archive the record (restorable) and remove its associations."""
    caller = access.write(objectType)
    records.delete_many(database, caller, objectType, [_record_id(objectId, "objectId")])
    return Response(status_code=204)


# -- input helpers ---------------------------------------------------------------------------------
def _new(item: CreateInput) -> NewRecord:
    links = [
        NewAssociation(
            _record_id(a.to.id, "associations[].to.id"),
            tuple(t.associationTypeId for t in a.types),
        )
        for a in item.associations
    ]
    return NewRecord(item.properties, links)


def _record_id(value: str, where: str) -> int:
    record_id = parse_id(value)
    if record_id is None:
        raise ApiError(
            400,
            f"{where} must be a record ID (a number); got {value!r}.",
            category="VALIDATION_ERROR",
            field=where,
        )
    return record_id


def _cursor(after: str | None) -> int:
    if after is None or after == "":
        return 0
    cursor = parse_id(after)
    if cursor is None:
        raise ApiError(
            400,
            f"after must be the cursor from paging.next.after; got {after!r}.",
            category="VALIDATION_ERROR",
        )
    return cursor


def _check_size(inputs: list[Any]) -> None:
    if len(inputs) > MAX_BATCH:
        raise ApiError(
            400,
            f"A batch takes at most {MAX_BATCH} inputs; got {len(inputs)}. Nothing was done: "
            "split the batch.",
            category="VALIDATION_ERROR",
            maxInputs=MAX_BATCH,
            inputs=len(inputs),
        )


def _traces(inputs: Sequence[CreateInput] | Sequence[BatchUpdateInput]) -> list[str] | None:
    """Every input's `objectWriteTraceId`, when each has one (then inputs succeed or fail
    alone, as on HubSpot); else None."""
    traces = [i.objectWriteTraceId for i in inputs]
    if not traces or any(t is None for t in traces):
        return None
    return [str(t) for t in traces]


def _each(each: records.EachResult, traces: list[str], started: datetime, *, status: int) -> Json:
    results = [
        {**shapes.simple(record), "objectWriteTraceId": traces[index]}
        for index, record in each.results
    ]
    errors: list[Mapping[str, Any]] = []
    for refused in each.refused:
        error = item_error(refused.error)
        error["context"]["objectWriteTraceId"] = [traces[refused.index]]
        error["objectWriteTraceId"] = traces[refused.index]
        errors.append(error)
    return batch(results, errors, started, status=status)


def _unique_by_id(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per record, when inputs named the same record twice."""
    return list({r["id"]: r for r in results}.values())


def _search(body: SearchInput) -> Search:
    return Search(
        groups=tuple(
            tuple(_filter(f) for f in group.filters) for group in body.filterGroups if group.filters
        ),
        sorts=tuple(_sort(s) for s in body.sorts),
        query=body.query,
        limit=body.limit,
        after=_cursor(body.after),
    )


def _filter(item: FilterInput) -> Filter:
    try:
        operator = Operator(item.operator.upper())
    except ValueError:
        raise ApiError(
            400,
            f"Unknown filter operator {item.operator!r}; use one of "
            + ", ".join(o.value for o in Operator)
            + ".",
            category="VALIDATION_ERROR",
            operator=item.operator,
        ) from None
    return Filter(item.propertyName, operator, item.value, item.highValue, tuple(item.values))


def _sort(item: str | SortInput) -> Sort:
    if isinstance(item, str):
        descending = item.startswith("-")
        return Sort(item.lstrip("-"), descending)
    direction = item.direction.upper()
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ApiError(
            400,
            f"A sort direction is ASCENDING or DESCENDING; got {item.direction!r}.",
            category="VALIDATION_ERROR",
        )
    return Sort(item.propertyName, direction == "DESCENDING")

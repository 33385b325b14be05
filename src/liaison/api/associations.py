"""v4 associations: one record's associations, and batches between two object types.

Each route checks scopes, parses its body, makes ONE service call with every input, and shapes
the answer as plain dicts written by orjson: HubSpot's numbers for `fromObjectId`/`toObjectId`,
strings for `{"id"}` objects, 201/200 as the SDK expects and 207 with per-input errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response

from liaison.api import association_bodies as bodies
from liaison.api import response_models as out
from liaison.api.deps import Auth, Db
from liaison.api.response_models import answers
from liaison.api.responses import Json
from liaison.api.wire import batch, item_error, now
from liaison.domain.association_types import BUILTIN_ASSOCIATION_TYPES, AssociationType, Kind
from liaison.domain.object_types import BUILTIN_TYPES
from liaison.services import association_reads, associations
from liaison.services.associations import (
    MAX_PAGE,
    Associated,
    AssociationInput,
    AssociationPage,
    AssociationView,
    BatchResult,
)

records_router = APIRouter(tags=["Associations (v4)"])
"""Paths under a record: `/{objectType}/{objectId}/associations/...`."""

batch_router = APIRouter(tags=["Associations (v4)"])
"""Paths between two types: `/{fromObjectType}/{toObjectType}/batch/...`."""

ObjectIdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


# -- one record ----------------------------------------------------------------------------------
@records_router.put(
    "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
    status_code=201,
    responses={**bodies.ERRORS, **answers(201, out.LabelsBetweenObjectPair)},
)
def create_labelled(
    objectType: str,
    objectId: ObjectIdPath,
    toObjectType: str,
    toObjectId: ObjectIdPath,
    specs: Annotated[list[bodies.AssociationSpec], Body()],
    database: Db,
    access: Auth,
) -> Json:
    """Associate two records with exactly these labels: the body is the whole set wanted; the
    unlabeled base type always stays, and so does the Primary label of a contact's only company
    (P3). Type 1, 5 or 26 (or a custom primary label) makes the company the record's primary,
    replacing the previous one (P2). → 201 LabelsBetweenObjectPair."""
    caller = access.write(objectType, toObjectType)
    view = associations.associate(
        database,
        caller,
        [AssociationInput(objectId, toObjectId, bodies.type_ids(specs))],
        from_type=objectType,
        to_type=toObjectType,
        replace_labels=True,
    ).single()
    return Json(_labels_between(view, view.labels), status_code=201)


@records_router.put(
    "/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
    responses={**bodies.ERRORS, **answers(200, out.BatchResponsePublicDefaultAssociation)},
)
def create_default(
    fromObjectType: str,
    fromObjectId: ObjectIdPath,
    toObjectType: str,
    toObjectId: ObjectIdPath,
    database: Db,
    access: Auth,
) -> Json:
    """Associate two records with the unlabeled type (no body); keeps any labels they have.
    → 200 with the association in both directions."""
    caller = access.write(fromObjectType, toObjectType)
    started = now()
    result = associations.associate(
        database,
        caller,
        [AssociationInput(fromObjectId, toObjectId)],
        from_type=fromObjectType,
        to_type=toObjectType,
    ).check()
    return batch(_default_results(result.results), [], started, status=200)


@records_router.get(
    "/{objectType}/{objectId}/associations/{toObjectType}",
    responses={
        **bodies.ERRORS,
        **answers(200, out.CollectionResponseMultiAssociatedObjectWithLabelForwardPaging),
    },
)
def list_page(
    objectType: str,
    objectId: ObjectIdPath,
    toObjectType: str,
    database: Db,
    access: Auth,
    after: Annotated[str | None, Query(pattern="^[0-9]{0,18}$")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = MAX_PAGE,
) -> Json:
    """One page of the record's associations to a type, by target ID; `paging.next.after`
    only when there are more."""
    caller = access.read(objectType, toObjectType)
    page = associations.list_associations(
        database,
        caller,
        objectType,
        objectId,
        toObjectType,
        after=bodies.cursor(after),
        limit=limit,
    )
    shaped: dict[str, Any] = {"results": _associated(page.results)}
    if page.next_after is not None:
        shaped["paging"] = _paging(page)
    return Json(shaped)


@records_router.delete(
    "/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}",
    status_code=204,
    responses=bodies.ERRORS,
)
def remove(
    objectType: str,
    objectId: ObjectIdPath,
    toObjectType: str,
    toObjectId: ObjectIdPath,
    database: Db,
    access: Auth,
) -> Response:
    """Remove the association with all its labels (A3); a no-op if there is none. A contact's
    primary company with two or more others left needs a new primary first (P4)."""
    caller = access.write(objectType, toObjectType)
    associations.remove(
        database,
        caller,
        [AssociationInput(objectId, toObjectId)],
        from_type=objectType,
        to_type=toObjectType,
    ).check()
    return Response(status_code=204)


# -- batches between two types -------------------------------------------------------------------
@batch_router.post(
    "/{fromObjectType}/{toObjectType}/batch/create",
    status_code=201,
    openapi_extra=bodies.MULTI_POST,
    responses={
        **bodies.ERRORS,
        **answers(
            201,
            out.BatchResponseLabelsBetweenObjectPair,
            partial=out.BatchResponseLabelsBetweenObjectPairWithErrors,
        ),
    },
)
def batch_create(
    fromObjectType: str,
    toObjectType: str,
    access: Auth,
    database: Db,
    body: bodies.MultiPostBody,
) -> Json:
    """Associate pairs and add the listed labels (existing labels stay). ≤ 2,000 inputs; each
    input is all or nothing: 201, or 207 with the refused inputs."""
    caller = access.write(fromObjectType, toObjectType)
    bodies.at_most(len(body), bodies.MAX_CREATE, "batch create")
    started = now()
    implied = _builtin_base(fromObjectType, toObjectType)
    make = tuple.__new__  # a NamedTuple's own __new__ costs a Python call per input
    inputs = [
        make(AssociationInput, (x, y, _without(types, implied), None)) for x, y, types in body
    ]
    result = associations.associate(
        database, caller, inputs, from_type=fromObjectType, to_type=toObjectType
    )
    return batch(_all_labels_between(result.results), _errors(result), started, status=201)


@batch_router.post(
    "/{fromObjectType}/{toObjectType}/batch/associate/default",
    openapi_extra=bodies.DEFAULT_POST,
    responses={
        **bodies.ERRORS,
        **answers(
            200,
            out.BatchResponsePublicDefaultAssociation,
            partial=out.BatchResponsePublicDefaultAssociationWithErrors,
        ),
    },
)
def batch_create_default(
    fromObjectType: str,
    toObjectType: str,
    access: Auth,
    database: Db,
    body: bodies.DefaultPostBody,
) -> Json:
    """Associate pairs with the unlabeled type. ≤ 2,000 inputs; 200, or 207 with the refused
    inputs. Each association is answered in both directions."""
    caller = access.write(fromObjectType, toObjectType)
    bodies.at_most(len(body["inputs"]), bodies.MAX_CREATE, "batch associate default")
    started = now()
    inputs = [AssociationInput(i["from"]["id"], i["to"]["id"]) for i in body["inputs"]]
    result = associations.associate(
        database, caller, inputs, from_type=fromObjectType, to_type=toObjectType
    )
    return batch(_default_results(result.results), _errors(result), started, status=200)


@batch_router.post(
    "/{fromObjectType}/{toObjectType}/batch/read",
    openapi_extra=bodies.FETCH,
    responses={
        **bodies.ERRORS,
        **answers(
            200,
            out.BatchResponsePublicAssociationMultiWithLabel,
            partial=out.BatchResponsePublicAssociationMultiWithLabelWithErrors,
        ),
    },
)
def batch_read(
    fromObjectType: str,
    toObjectType: str,
    access: Auth,
    database: Db,
    body: bodies.FetchBody,
) -> Json:
    """A page (up to 500) of each record's associations, from its own `after`. ≤ 1,000 inputs;
    200, or 207 listing the records that do not exist."""
    caller = access.read(fromObjectType, toObjectType)
    bodies.at_most(len(body["inputs"]), bodies.MAX_READ, "batch read")
    started = now()
    requests = [
        association_reads.PageRequest(i["id"], bodies.cursor(i.get("after")))
        for i in body["inputs"]
    ]
    found = association_reads.read_pages(database, caller, fromObjectType, toObjectType, requests)
    results = [_record_page(p) for p in found.pages]
    errors: list[Mapping[str, Any]] = [
        item_error(e.error, ids=[str(e.request.record_id)]) for e in found.errors
    ]
    return batch(results, errors, started, status=200)


@batch_router.post(
    "/{fromObjectType}/{toObjectType}/batch/archive",
    status_code=204,
    openapi_extra=bodies.ARCHIVE,
    responses={**bodies.ERRORS, **answers(204, None, partial=out.BatchResponseVoidWithErrors)},
)
def batch_archive(
    fromObjectType: str,
    toObjectType: str,
    access: Auth,
    database: Db,
    body: bodies.ArchiveBody,
) -> Response:
    """Remove each `from`'s associations with its `to` records, labels included. ≤ 2,000 pairs;
    204, or 207 with the refused ones (e.g. a contact's primary company, P4)."""
    caller = access.write(fromObjectType, toObjectType)
    inputs = [AssociationInput(i["from"]["id"], to["id"]) for i in body["inputs"] for to in i["to"]]
    bodies.at_most(len(inputs), bodies.MAX_ARCHIVE, "batch archive (pairs)")
    started = now()
    result = associations.remove(
        database, caller, inputs, from_type=fromObjectType, to_type=toObjectType
    )
    return _done_or_errors(result, started)


@batch_router.post(
    "/{fromObjectType}/{toObjectType}/batch/labels/archive",
    status_code=204,
    openapi_extra=bodies.MULTI_POST,
    responses={**bodies.ERRORS, **answers(204, None, partial=out.BatchResponseVoidWithErrors)},
)
def batch_archive_labels(
    fromObjectType: str,
    toObjectType: str,
    access: Auth,
    database: Db,
    body: bodies.MultiPostBody,
) -> Response:
    """Remove only the listed labels; the unlabeled type among them removes the association
    (A3). ≤ 2,000 inputs; 204, or 207 with the refused ones."""
    caller = access.write(fromObjectType, toObjectType)
    bodies.at_most(len(body), bodies.MAX_ARCHIVE, "batch labels archive")
    started = now()
    inputs = [AssociationInput(x, y, types) for x, y, types in body]
    result = associations.remove_labels(
        database, caller, inputs, from_type=fromObjectType, to_type=toObjectType
    )
    return _done_or_errors(result, started)


def _without(type_ids: tuple[int, ...], implied: int | None) -> tuple[int, ...]:
    """The type IDs without `implied` (the pair's unlabeled type, which associating always
    gives), so that a batch of plain associations sent as `[{…, "associationTypeId": 279}]`
    takes the engine's fast path for plain ones."""
    if type_ids == (implied,):  # the commonest input: no tuple to build
        return ()
    return tuple(t for t in type_ids if t != implied)


_BUILTIN_TYPE_IDS = {name.lower(): kind.id for kind in BUILTIN_TYPES for name in kind.names()}
_BUILTIN_BASES = {
    (t.from_type, t.to_type): t.id for t in BUILTIN_ASSOCIATION_TYPES if t.kind is Kind.UNLABELED
}


def _builtin_base(from_ref: str, to_ref: str) -> int | None:
    """The unlabeled type of a pair of built-in object types named in a path (built into the
    code, the same in every account), or None. The engine still checks that each record is of
    the type named, so leaving this type out of a request changes nothing it would accept."""
    x, y = _BUILTIN_TYPE_IDS.get(from_ref.lower()), _BUILTIN_TYPE_IDS.get(to_ref.lower())
    return _BUILTIN_BASES.get((x, y)) if x and y else None


# -- shapes --------------------------------------------------------------------------------------
_type_shapes: dict[tuple[int, str, str | None], dict[str, Any]] = {}


def _type_shape(t: AssociationType) -> dict[str, Any]:
    """`AssociationSpecWithLabel`, built once per type (and label) and shared by responses."""
    key = (t.id, t.category.value, t.label)
    found = _type_shapes.get(key)
    if found is None:
        found = _type_shapes[key] = {"category": t.category.value, "typeId": t.id, "label": t.label}
    return found


def _all_labels_between(views: Sequence[AssociationView]) -> list[dict[str, Any]]:
    """`_labels_between` of each view; the label names listed once per types' tuple, which the
    views of one batch share (a batch has thousands of views and a handful of tuples)."""
    names: dict[int, list[str]] = {}
    shaped = []
    for view in views:
        labels = names.get(id(view.types))
        if labels is None:
            labels = names[id(view.types)] = view.labels
        shaped.append(_labels_between(view, labels))
    return shaped


def _labels_between(view: AssociationView, labels: list[str]) -> dict[str, Any]:
    """`LabelsBetweenObjectPair`: the label names (`view.labels`), without the unlabeled type."""
    return {
        "fromObjectTypeId": view.from_type,
        "fromObjectId": view.from_id,
        "toObjectTypeId": view.to_type,
        "toObjectId": view.to_id,
        "labels": labels,
    }


def _default_results(views: Sequence[AssociationView]) -> list[dict[str, Any]]:
    """`PublicDefaultAssociation` both ways for each association: its unlabeled type and the
    inverse."""
    shaped: list[dict[str, Any]] = []
    for view in views:
        base = view.types[0]
        category = base.category.value
        from_id, to_id = str(view.from_id), str(view.to_id)
        shaped.append(_default(from_id, to_id, category, base.id))
        shaped.append(_default(to_id, from_id, category, base.inverse_id))
    return shaped


def _default(from_id: str, to_id: str, category: str, type_id: int) -> dict[str, Any]:
    return {
        "from": {"id": from_id},
        "to": {"id": to_id},
        "associationSpec": {"associationCategory": category, "associationTypeId": type_id},
    }


def _associated(found: Sequence[Associated]) -> list[dict[str, Any]]:
    """`MultiAssociatedObjectWithLabel` items: the unlabeled type first, `label: null`."""
    return [
        {"toObjectId": a.to_id, "associationTypes": [_type_shape(t) for t in a.types]}
        for a in found
    ]


def _paging(page: AssociationPage) -> dict[str, Any]:
    return {"next": {"after": str(page.next_after)}}


def _record_page(page: AssociationPage) -> dict[str, Any]:
    """`PublicAssociationMultiWithLabel`: one record's page in a batch read."""
    shaped: dict[str, Any] = {"from": {"id": str(page.from_id)}, "to": _associated(page.results)}
    if page.next_after is not None:
        shaped["paging"] = _paging(page)
    return shaped


def _errors(result: BatchResult[AssociationView]) -> list[Mapping[str, Any]]:
    return [
        item_error(e.error, ids=[str(e.input.from_id), str(e.input.to_id)]) for e in result.errors
    ]


def _done_or_errors(result: BatchResult[AssociationView], started: Any) -> Response:
    if result.errors:
        return batch([], _errors(result), started)
    return Response(status_code=204)

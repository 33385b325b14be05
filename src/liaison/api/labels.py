"""v4 association labels of a pair of object types: list, create, rename, delete (A4, A5, P6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from liaison.api import association_bodies as bodies
from liaison.api import response_models as out
from liaison.api.deps import Access, Auth, Db
from liaison.api.response_models import answers
from liaison.api.responses import Json
from liaison.domain import scopes
from liaison.domain.association_types import AssociationType
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import labels
from liaison.services.unit import Caller

router = APIRouter(tags=["Association labels (v4)"])

TypeIdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
_LABELS = {**bodies.ERRORS, **answers(200, out.CollectionResponseAssociationSpecWithLabelNoPaging)}


@router.get("/{fromObjectType}/{toObjectType}/labels", responses=_LABELS)
def list_labels(fromObjectType: str, toObjectType: str, database: Db, access: Auth) -> Json:
    """Every type from one object type to the other: the unlabeled type (`label: null`), Primary
    where it exists, then the labels."""
    caller = schema_access(access, fromObjectType, toObjectType, write=False)
    found = labels.list_types(database, caller, fromObjectType, toObjectType)
    return Json({"results": [spec_with_label(t) for t in found]})


@router.post("/{fromObjectType}/{toObjectType}/labels", responses=_LABELS)
def create_label(
    fromObjectType: str,
    toObjectType: str,
    body: bodies.LabelCreate,
    database: Db,
    access: Auth,
) -> Json:
    """Define a label: single (`label`), or paired (`label` seen from the from side,
    `inverseLabel` from the other side). → 200 with the new type of each direction of a paired
    label, the from→to type of a single one."""
    caller = schema_access(access, fromObjectType, toObjectType, write=True)
    created = labels.create_label(
        database,
        caller,
        fromObjectType,
        toObjectType,
        label=body.label,
        inverse_label=body.inverseLabel,
        name=body.name,
        primary=body.primary,
    )
    shown = created if body.inverseLabel else created[:1]
    return Json({"results": [spec_with_label(t) for t in shown]})


@router.put("/{fromObjectType}/{toObjectType}/labels", status_code=204, responses=bodies.ERRORS)
def rename_label(
    fromObjectType: str,
    toObjectType: str,
    body: bodies.LabelUpdate,
    database: Db,
    access: Auth,
) -> Response:
    """Rename a label (and its other side with `inverseLabel`); its ID and name stay."""
    caller = schema_access(access, fromObjectType, toObjectType, write=True)
    labels.rename_label(
        database,
        caller,
        fromObjectType,
        toObjectType,
        body.associationTypeId,
        label=body.label,
        inverse_label=body.inverseLabel,
    )
    return Response(status_code=204)


@router.delete(
    "/{fromObjectType}/{toObjectType}/labels/{associationTypeId}",
    status_code=204,
    responses=bodies.ERRORS,
)
def delete_label(
    fromObjectType: str,
    toObjectType: str,
    associationTypeId: TypeIdPath,
    database: Db,
    access: Auth,
    force: bool = False,
) -> Response:
    """Delete a label, both sides of a paired one. Refused (409) while associations use it,
    unless `?force=true` (a Liaison extension), which first takes it off them, with history.
    A type ID that does not exist (e.g. the other side of a pair just deleted) is a no-op."""
    caller = schema_access(access, fromObjectType, toObjectType, write=True)
    try:
        labels.delete_label(
            database, caller, fromObjectType, toObjectType, associationTypeId, force=force
        )
    except LiaisonError as error:
        if error.code is not ErrorCode.ASSOCIATION_TYPE_NOT_FOUND:
            raise
    return Response(status_code=204)


def schema_access(access: Access, from_type: str, to_type: str, *, write: bool) -> Caller:
    """The caller, when the token may read (or change) the schema of both types."""
    return access.need(
        *dict.fromkeys(
            (scopes.schemas(from_type, write=write), scopes.schemas(to_type, write=write))
        )
    )


def spec_with_label(t: AssociationType) -> dict[str, Any]:
    """`AssociationSpecWithLabel`."""
    return {"category": t.category.value, "typeId": t.id, "label": t.label}

"""v4 association limits (definition configurations): read, create, update, purge (A6).

Declared under `/definitions/configurations/...`, clear of the label routes
`/{fromObjectType}/{toObjectType}/labels` that share the same prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Response

from liaison.api import association_bodies as bodies
from liaison.api import response_models as out
from liaison.api.deps import Auth, Db
from liaison.api.labels import schema_access
from liaison.api.response_models import answers
from liaison.api.responses import Json
from liaison.api.wire import batch, item_error, now
from liaison.domain import scopes
from liaison.services import limits
from liaison.services.limits import Limit, LimitError

router = APIRouter(tags=["Association limits (v4)"])

_BASE = "/definitions/configurations"
_CONFIGURATIONS = {
    **bodies.ERRORS,
    **answers(200, out.CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging),
}


@router.get(f"{_BASE}/all", responses=_CONFIGURATIONS)
def all_limits(database: Db, access: Auth) -> Json:
    """Every limit set in the account, of the pairs whose schema the token may read (both types'
    `crm.schemas.*.read`)."""
    readable = access.token.scopes
    found = limits.get_limits(database, access.token.caller)
    return Json(
        {
            "results": [
                _configuration(lim)
                for lim in found
                if {
                    scopes.schemas(lim.type.from_type, write=False),
                    scopes.schemas(lim.type.to_type, write=False),
                }
                <= readable
            ]
        }
    )


@router.get(f"{_BASE}/{{fromObjectType}}/{{toObjectType}}", responses=_CONFIGURATIONS)
def pair_limits(fromObjectType: str, toObjectType: str, database: Db, access: Auth) -> Json:
    """The limits set from one object type to the other (types without one allow "many")."""
    caller = schema_access(access, fromObjectType, toObjectType, write=False)
    found = limits.get_limits(database, caller, fromObjectType, toObjectType)
    return Json({"results": [_configuration(lim) for lim in found]})


@router.post(
    f"{_BASE}/{{fromObjectType}}/{{toObjectType}}/batch/create",
    status_code=201,
    responses={
        **bodies.ERRORS,
        **answers(
            201,
            out.BatchResponsePublicAssociationDefinitionUserConfiguration,
            partial=out.BatchResponsePublicAssociationDefinitionUserConfigurationWithErrors,
        ),
    },
)
def create_limits(
    fromObjectType: str, toObjectType: str, body: bodies.LimitBatch, database: Db, access: Auth
) -> Json:
    """Set limits (1-10,000) per type of the direction; a label's may not exceed the pair's.
    Each input is all or nothing: 201, or 207 with the refused ones."""
    done, errors, started = _set(fromObjectType, toObjectType, body, database, access)
    return batch([_configuration(lim) for lim in done], errors, started, status=201)


@router.post(
    f"{_BASE}/{{fromObjectType}}/{{toObjectType}}/batch/update",
    responses={
        **bodies.ERRORS,
        **answers(
            200,
            out.BatchResponsePublicAssociationDefinitionConfigurationUpdateResult,
            partial=out.BatchResponsePublicAssociationDefinitionConfigurationUpdateResultWithErrors,
        ),
    },
)
def update_limits(
    fromObjectType: str, toObjectType: str, body: bodies.LimitBatch, database: Db, access: Auth
) -> Json:
    """Change limits; the same rules as create (Liaison does not tell the two apart).
    Lowering a limit is not retroactive. 200, or 207 with the refused ones."""
    done, errors, started = _set(fromObjectType, toObjectType, body, database, access)
    return batch([_update_result(lim) for lim in done], errors, started, status=200)


@router.post(
    f"{_BASE}/{{fromObjectType}}/{{toObjectType}}/batch/purge",
    status_code=204,
    responses=bodies.ERRORS,
)
def purge_limits(
    fromObjectType: str, toObjectType: str, body: bodies.TypeSpecBatch, database: Db, access: Auth
) -> Response:
    """Remove limits: those types allow "many" again. All or nothing."""
    caller = schema_access(access, fromObjectType, toObjectType, write=True)
    limits.remove_limits(
        database,
        caller,
        fromObjectType,
        toObjectType,
        list(dict.fromkeys(i.typeId for i in body.inputs)),
    )
    return Response(status_code=204)


def _set(
    from_type: str, to_type: str, body: bodies.LimitBatch, database: Db, access: Auth
) -> tuple[list[Limit], list[Mapping[str, Any]], Any]:
    caller = schema_access(access, from_type, to_type, write=True)
    started = now()
    done, refused = limits.set_limits_each(
        database, caller, from_type, to_type, [(i.typeId, i.maxToObjectIds) for i in body.inputs]
    )
    return done, [_error(e) for e in refused], started


def _error(refused: LimitError) -> dict[str, Any]:
    return item_error(refused.error, ids=[str(refused.type_id)])


def _configuration(lim: Limit) -> dict[str, Any]:
    """`PublicAssociationDefinitionUserConfiguration`."""
    return {
        "category": lim.type.category.value,
        "typeId": lim.type.id,
        "label": lim.type.label,
        "userEnforcedMaxToObjectIds": lim.max_to,
    }


def _update_result(lim: Limit) -> dict[str, Any]:
    """`PublicAssociationDefinitionConfigurationUpdateResult`."""
    return {
        "category": lim.type.category.value,
        "typeId": lim.type.id,
        "userEnforcedMaxToObjectIds": lim.max_to,
    }

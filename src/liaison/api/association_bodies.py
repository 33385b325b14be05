"""Request bodies of the v4 associations, labels and limits routes, as HubSpot's SDK sends them.

Light Pydantic models: IDs arrive as strings (the SDK) or numbers (HubSpot's docs) and become
ints; anything else is a 400 before a service runs, so a bad body changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NamedTuple, NotRequired

import msgspec
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, WithJsonSchema
from typing_extensions import TypedDict

from liaison.api.errors import ApiError
from liaison.api.routing import json_body, openapi_body, validated

RecordId = Annotated[
    int,
    Field(ge=1, le=2**63 - 1),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"},
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
            ]
        }
    ),
]
"""A record ID: `"123"` as the SDK sends it, or `123`."""
Cursor = Annotated[
    str | None,
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": "^[0-9]{0,18}$"}, {"type": "null"}]}),
]
"""A page cursor: `paging.next.after` of the page before (checked by `cursor`)."""
TypeId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Category = Literal["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK"]
"""Accepted and not checked: the type ID alone names the association type."""

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid input or a refusal by the rules (HubSpot's error body)"},
    401: {"description": "No valid API token"},
    403: {"description": "The token lacks a scope (named in the body)"},
    404: {"description": "No such object type, record or association type"},
    409: {"description": "Conflicts with what exists (labels)"},
}
"""The error answers of every route, for the OpenAPI document."""

MAX_CREATE = 2_000
MAX_READ = 1_000
MAX_ARCHIVE = 2_000


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


# Batch bodies are TypedDicts, validated without building an object per input (2,000 inputs
# parse in a few milliseconds); their names are HubSpot's model names.
class PublicObjectId(TypedDict):
    id: RecordId


class AssociationSpec(TypedDict):
    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]
    # the same schema in requests and in responses (one `AssociationSpec` in the document)

    associationCategory: Category
    associationTypeId: TypeId


PublicAssociationMultiPost = TypedDict(
    "PublicAssociationMultiPost",
    {"from": PublicObjectId, "to": PublicObjectId, "types": list[AssociationSpec]},
)
"""Associate `from` with `to` with these types (or remove these types)."""


class BatchInputPublicAssociationMultiPost(TypedDict):
    inputs: list[PublicAssociationMultiPost]


PublicDefaultAssociationMultiPost = TypedDict(
    "PublicDefaultAssociationMultiPost", {"from": PublicObjectId, "to": PublicObjectId}
)
"""The unlabeled association of two records."""


class BatchInputPublicDefaultAssociationMultiPost(TypedDict):
    inputs: list[PublicDefaultAssociationMultiPost]


class PublicFetchAssociationsBatchRequest(TypedDict):
    """One record, and where its page starts (`paging.next.after` of its previous page)."""

    id: RecordId
    after: NotRequired[Cursor]


class BatchInputPublicFetchAssociationsBatchRequest(TypedDict):
    inputs: list[PublicFetchAssociationsBatchRequest]


PublicAssociationMultiArchive = TypedDict(
    "PublicAssociationMultiArchive", {"from": PublicObjectId, "to": list[PublicObjectId]}
)
"""Remove `from`'s associations with each of `to`."""


class BatchInputPublicAssociationMultiArchive(TypedDict):
    inputs: list[PublicAssociationMultiArchive]


class Pair(NamedTuple):
    """An input of a labelled batch: the two records and the type IDs named, each once, in order."""

    from_id: int
    to_id: int
    type_ids: tuple[int, ...]


_MULTI_POST: TypeAdapter[BatchInputPublicAssociationMultiPost] = TypeAdapter(
    BatchInputPublicAssociationMultiPost
)


async def _multi_post(request: Request) -> list[Pair]:
    """The inputs of a labelled batch (2,000 at most, checked by the route)."""
    raw = await request.body()
    pairs = fast_pairs(raw)
    return [_pair(i) for i in validated(_MULTI_POST, raw)["inputs"]] if pairs is None else pairs


def fast_pairs(raw: bytes) -> list[Pair] | None:
    """The inputs, decoded by msgspec (`_MultiPostBatch`) in under half pydantic's time; None
    for a body it does not take, which pydantic then takes (it accepts a superset: IDs as other
    numbers, type IDs as strings…) or refuses with its words."""
    try:
        body = _MULTI_POST_STRUCTS.decode(raw)
        make = tuple.__new__  # a NamedTuple's own __new__ costs a Python call per input
        return [
            make(Pair, (_record_id(i.from_.id), _record_id(i.to.id), _type_ids(i.types)))
            for i in body.inputs
        ]
    except (msgspec.MsgspecError, ValueError):
        return None


def _record_id(value: int | str) -> int:
    """An ID as the document gives it: an integer, or its digits (no sign, space or leading 0)."""
    if isinstance(value, int):  # msgspec gives no bool here: strict, `true` is not an int
        return value
    if value.isascii() and value.isdigit() and value[0] != "0" and len(value) < 19:
        return int(value)
    raise ValueError(value)


def _pair(item: PublicAssociationMultiPost) -> Pair:
    return Pair(item["from"]["id"], item["to"]["id"], type_ids(item["types"]))


def type_ids(specs: list[AssociationSpec]) -> tuple[int, ...]:
    """The type IDs of a body's specs, each once, in order."""
    return tuple(dict.fromkeys(s["associationTypeId"] for s in specs))


def _type_ids(specs: list[_Spec]) -> tuple[int, ...]:
    if len(specs) == 1:
        return (specs[0].associationTypeId,)
    return tuple(dict.fromkeys(s.associationTypeId for s in specs))


# The same body as msgspec structs, strict: IDs as integers or strings (`_record_id` checks
# those), type IDs as integers. A body they take means what pydantic makes of it.
class _Object(msgspec.Struct):
    id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | str


class _Spec(msgspec.Struct):
    associationCategory: Category
    associationTypeId: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class _MultiPost(msgspec.Struct):
    from_: _Object = msgspec.field(name="from")
    to: _Object
    types: list[_Spec]


class _MultiPostBatch(msgspec.Struct):
    inputs: list[_MultiPost]


_MULTI_POST_STRUCTS = msgspec.json.Decoder(_MultiPostBatch)
MultiPostBody = Annotated[list[Pair], Depends(_multi_post)]
DefaultPostBody = Annotated[
    BatchInputPublicDefaultAssociationMultiPost,
    json_body(BatchInputPublicDefaultAssociationMultiPost),
]
FetchBody = Annotated[
    BatchInputPublicFetchAssociationsBatchRequest,
    json_body(BatchInputPublicFetchAssociationsBatchRequest),
]
ArchiveBody = Annotated[
    BatchInputPublicAssociationMultiArchive, json_body(BatchInputPublicAssociationMultiArchive)
]
MULTI_POST = openapi_body(BatchInputPublicAssociationMultiPost)
DEFAULT_POST = openapi_body(BatchInputPublicDefaultAssociationMultiPost)
FETCH = openapi_body(BatchInputPublicFetchAssociationsBatchRequest)
ARCHIVE = openapi_body(BatchInputPublicAssociationMultiArchive)


class LabelCreate(_Body):
    """`PublicAssociationDefinitionCreateRequest`, plus Liaison's `primary` (P6)."""

    label: str
    name: str | None = None
    inverseLabel: str | None = None
    primary: bool = False


class LabelUpdate(_Body):
    associationTypeId: TypeId
    label: str
    inverseLabel: str | None = None


class LimitInput(_Body):
    """`PublicAssociationDefinitionConfigurationCreateRequest` (and the update request)."""

    category: Category
    typeId: TypeId
    maxToObjectIds: int


class LimitBatch(_Body):
    inputs: list[LimitInput]


class TypeSpec(_Body):
    """`PublicAssociationSpec`: a type to purge the limit of."""

    category: Category
    typeId: TypeId


class TypeSpecBatch(_Body):
    inputs: list[TypeSpec]


def at_most(count: int, most: int, what: str) -> None:
    """A 400 naming the cap when a batch is larger than HubSpot allows."""
    if count > most:
        raise ApiError(
            400,
            f"A {what} takes at most {most:,} inputs; this request has {count:,}. "
            "Split it into several requests.",
            maxInputs=most,
            inputs=count,
        )


def cursor(after: str | None) -> int:
    """A page cursor (`paging.next.after`): the last record ID of the page before."""
    if after is None or after == "":
        return 0
    if not (after.isascii() and after.isdigit()) or int(after) > 2**63 - 1:
        raise ApiError(
            400,
            f"Invalid paging cursor 'after={after}': pass the value of paging.next.after "
            "from the previous page.",
            after=after,
        )
    return int(after)

"""Response bodies of the v3 objects and v4 associations routes, for the OpenAPI document.

Named as HubSpot names them (its specs and the `hubspot-api-client` models) and typed as
Liaison sends them: v4 `fromObjectId`/`toObjectId` are JSON numbers, `{"id"}` objects and v3
record IDs strings, times ISO strings with `Z`, `label` present and null for the unlabeled type.
Routes return plain dicts through `Json` (orjson) and document these with
`responses={status: {"model": ...}}`: nothing is validated against them at runtime, so a
2,000-input batch costs what it did; the fuzzer (tests/api/test_fuzz.py) holds the routes to
them. Every model forbids other fields, so an undocumented field is a conformance failure.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from liaison.api.association_bodies import AssociationSpec

Time = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
"""`2026-11-29T03:30:17.883Z` (`wire.iso`)."""
Category = Literal["HUBSPOT_DEFINED", "USER_DEFINED"]
"""The categories Liaison's association types have."""
BatchStatus = Literal["PENDING", "PROCESSING", "CANCELED", "COMPLETE"]
"""HubSpot's batch statuses; Liaison's batches are always `COMPLETE`."""
Nothing = Annotated[list[Any], Field(max_length=0)]


class Model(BaseModel):
    """Fields in camelCase on the wire (settable by their snake_case names), no others."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# -- shared --------------------------------------------------------------------------------------
class NextPage(Model):
    after: str
    link: str | None = None


class ForwardPaging(Model):
    next: NextPage


class ErrorDetail(Model):
    message: str
    code: str | None = None
    in_: str | None = Field(default=None, alias="in")
    context: dict[str, list[str]] | None = None
    sub_category: str | None = None


class StandardError(Model):
    """One refused input of a batch; `subCategory` is Liaison's error code, `context.ids` the
    inputs' IDs. `objectWriteTraceId` (v3 batches by trace ID) is the refused input's trace."""

    status: str
    id: str | None = None
    category: str
    sub_category: str | None = None
    message: str
    context: dict[str, list[str]]
    errors: list[ErrorDetail]
    links: dict[str, str]
    object_write_trace_id: str | None = None


class _Batch(Model):
    status: BatchStatus
    started_at: Time
    completed_at: Time
    requested_at: Time | None = None
    links: dict[str, str] | None = None


class _WithErrors(Model):
    num_errors: int
    errors: list[StandardError]


class BatchResponseVoidWithErrors(_Batch, _WithErrors):
    """A 207 of a batch that answers 204 when every input worked: only the refused inputs."""

    results: Nothing


# -- v4 associations -----------------------------------------------------------------------------
class PublicObjectId(Model):
    id: str


class AssociationSpecWithLabel(Model):
    category: Category
    type_id: int
    label: str | None
    """Null for the unlabeled type."""


class LabelsBetweenObjectPair(Model):
    from_object_type_id: str
    from_object_id: int
    to_object_type_id: str
    to_object_id: int
    labels: list[str]
    """The label names, without the unlabeled type."""


class BatchResponseLabelsBetweenObjectPair(_Batch):
    results: list[LabelsBetweenObjectPair]


class BatchResponseLabelsBetweenObjectPairWithErrors(_Batch, _WithErrors):
    results: list[LabelsBetweenObjectPair]


class PublicDefaultAssociation(Model):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId
    association_spec: AssociationSpec


class BatchResponsePublicDefaultAssociation(_Batch):
    """Each association twice: from→to with its unlabeled type, to→from with the inverse."""

    results: list[PublicDefaultAssociation]


class BatchResponsePublicDefaultAssociationWithErrors(_Batch, _WithErrors):
    results: list[PublicDefaultAssociation]


class MultiAssociatedObjectWithLabel(Model):
    to_object_id: int
    association_types: list[AssociationSpecWithLabel]


class CollectionResponseMultiAssociatedObjectWithLabelForwardPaging(Model):
    results: list[MultiAssociatedObjectWithLabel]
    paging: ForwardPaging | None = None
    """Only when there are more."""


class PublicAssociationMultiWithLabel(Model):
    from_: PublicObjectId = Field(alias="from")
    to: list[MultiAssociatedObjectWithLabel]
    paging: ForwardPaging | None = None


class BatchResponsePublicAssociationMultiWithLabel(_Batch):
    results: list[PublicAssociationMultiWithLabel]


class BatchResponsePublicAssociationMultiWithLabelWithErrors(_Batch, _WithErrors):
    results: list[PublicAssociationMultiWithLabel]


# -- v4 labels and limits ------------------------------------------------------------------------
class CollectionResponseAssociationSpecWithLabelNoPaging(Model):
    results: list[AssociationSpecWithLabel]


class PublicAssociationDefinitionUserConfiguration(Model):
    category: Category
    type_id: int
    label: str | None
    user_enforced_max_to_object_ids: int


class CollectionResponsePublicAssociationDefinitionUserConfigurationNoPaging(Model):
    results: list[PublicAssociationDefinitionUserConfiguration]


class BatchResponsePublicAssociationDefinitionUserConfiguration(_Batch):
    results: list[PublicAssociationDefinitionUserConfiguration]


class BatchResponsePublicAssociationDefinitionUserConfigurationWithErrors(_Batch, _WithErrors):
    results: list[PublicAssociationDefinitionUserConfiguration]


class PublicAssociationDefinitionConfigurationUpdateResult(Model):
    category: Category
    type_id: int
    user_enforced_max_to_object_ids: int


class BatchResponsePublicAssociationDefinitionConfigurationUpdateResult(_Batch):
    results: list[PublicAssociationDefinitionConfigurationUpdateResult]


class BatchResponsePublicAssociationDefinitionConfigurationUpdateResultWithErrors(
    _Batch, _WithErrors
):
    results: list[PublicAssociationDefinitionConfigurationUpdateResult]


# -- v3 objects ----------------------------------------------------------------------------------
class SimplePublicObject(Model):
    """A record; `properties` holds values as strings (null: a known property without one)."""

    id: str
    properties: dict[str, str | None]
    created_at: Time
    updated_at: Time
    archived: bool
    archived_at: Time | None = None
    """Only on an archived record."""
    object_write_trace_id: str | None = None
    """The input's trace ID, in a batch where every input has one."""


class SimplePublicUpsertObject(SimplePublicObject):
    new: bool
    """True when the upsert created the record."""


class AssociatedId(Model):
    id: str
    type: str
    """The association type's v3 name, e.g. `contact_to_company_unlabeled`."""


class CollectionResponseAssociatedId(Model):
    results: list[AssociatedId]
    paging: ForwardPaging | None = None


class SimplePublicObjectWithAssociations(SimplePublicObject):
    associations: dict[str, CollectionResponseAssociatedId] | None = None
    """Keyed by the type named in `?associations=`; only when some were asked for."""


class CollectionResponseSimplePublicObjectWithAssociationsForwardPaging(Model):
    results: list[SimplePublicObjectWithAssociations]
    paging: ForwardPaging | None = None


class CollectionResponseWithTotalSimplePublicObjectForwardPaging(Model):
    total: int
    results: list[SimplePublicObject]
    paging: ForwardPaging | None = None


class BatchResponseSimplePublicObject(_Batch):
    results: list[SimplePublicObject]


class BatchResponseSimplePublicObjectWithErrors(_Batch, _WithErrors):
    results: list[SimplePublicObject]


class BatchResponseSimplePublicUpsertObject(_Batch):
    results: list[SimplePublicUpsertObject]


def answers(
    status: int, model: type[BaseModel] | None, *, partial: type[BaseModel] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` documenting a route's success body (none for a 204) and its 207 body, for
    the OpenAPI document only: the route still returns its `Json`, not validated."""
    documented: dict[int | str, dict[str, Any]] = {}
    if model is not None:
        documented[status] = {"model": model}
    if partial is not None:
        documented[207] = {
            "model": partial,
            "description": "Some inputs were refused: `numErrors` and `errors` list them",
        }
    return documented

"""Association limits per pair, direction and label (A6). Never retroactive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from liaison.domain.association_types import MAX_LIMIT, AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.services.unit import Caller, reading, unit_of_work
from liaison.storage import association_types as store


@dataclass(frozen=True)
class Limit:
    type: AssociationType
    max_to: int


def get_limits(
    database: Database, caller: Caller, from_type: str | None = None, to_type: str | None = None
) -> list[Limit]:
    """The limits set, all of them or those of one direction."""
    with reading(database, caller) as unit:
        schema = unit.schema
        wanted = None
        if from_type and to_type:
            wanted = (schema.object_type(from_type).id, schema.object_type(to_type).id)
        found = [Limit(schema.types[t], m) for t, m in schema.limits.items() if t in schema.types]
        return sorted(
            (lim for lim in found if wanted in (None, (lim.type.from_type, lim.type.to_type))),
            key=lambda lim: (lim.type.from_type, lim.type.to_type, lim.type.id),
        )


def set_limits(
    database: Database, caller: Caller, from_type: str, to_type: str, limits: Mapping[int, int]
) -> list[Limit]:
    """Set the most records of `to_type` one record may have, per type ID of the direction.
    A label's limit may not exceed the pair's (its base type's) limit."""
    with unit_of_work(database, caller, "set_limits") as unit:
        schema = unit.schema
        x, y = schema.object_type(from_type).id, schema.object_type(to_type).id
        types = {t: schema.association_type(t, x, y) for t in limits}
        merged = {**schema.limits, **limits}
        for type_id, max_to in limits.items():
            _check(schema, types[type_id], max_to, merged)
        store.set_limits(unit.conn, unit.account_id, dict(limits))
        return [Limit(types[t], m) for t, m in limits.items()]


@dataclass(frozen=True)
class LimitError:
    index: int
    type_id: int
    error: LiaisonError


def set_limits_each(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    limits: Sequence[tuple[int, int]],
) -> tuple[list[Limit], list[LimitError]]:
    """`set_limits` where each (type ID, limit) is all or nothing on its own (a 207 batch):
    the valid ones are set, in order, each checked against those set before it."""
    with unit_of_work(database, caller, "set_limits") as unit:
        schema = unit.schema
        x, y = schema.object_type(from_type).id, schema.object_type(to_type).id
        merged = dict(schema.limits)
        accepted: dict[int, int] = {}
        done: list[Limit] = []
        errors: list[LimitError] = []
        for index, (type_id, max_to) in enumerate(limits):
            try:
                assoc_type = schema.association_type(type_id, x, y)
                _check(schema, assoc_type, max_to, {**merged, type_id: max_to})
            except LiaisonError as error:
                errors.append(LimitError(index, type_id, error))
                continue
            merged[type_id] = accepted[type_id] = max_to
            done.append(Limit(assoc_type, max_to))
        if accepted:
            store.set_limits(unit.conn, unit.account_id, accepted)
        return done, errors


def remove_limits(
    database: Database, caller: Caller, from_type: str, to_type: str, type_ids: Sequence[int]
) -> None:
    """Back to "many" for these types."""
    with unit_of_work(database, caller, "remove_limits") as unit:
        x, y = unit.schema.object_type(from_type).id, unit.schema.object_type(to_type).id
        for type_id in type_ids:
            unit.schema.association_type(type_id, x, y)
        store.delete_limits(unit.conn, unit.account_id, type_ids)


def _check(
    schema: Schema, assoc_type: AssociationType, max_to: int, limits: dict[int, int]
) -> None:
    if not 1 <= max_to <= MAX_LIMIT:
        raise LiaisonError(
            ErrorCode.INVALID_LIMIT,
            f"A limit must be between 1 and {MAX_LIMIT}; got {max_to}.",
            associationTypeId=assoc_type.id,
            maxToObjectIds=max_to,
        )
    base = schema.unlabeled_id(assoc_type.from_type, assoc_type.to_type)
    pair_limit = limits.get(base, MAX_LIMIT)
    if assoc_type.kind is Kind.UNLABELED:
        labels = [
            t
            for t in schema.types_between(assoc_type.from_type, assoc_type.to_type)
            if t.id != base and t.id in limits and limits[t.id] > max_to
        ]
        if labels:
            raise LiaisonError(
                ErrorCode.INVALID_LIMIT,
                f"The label '{labels[0].label}' has a limit of {limits[labels[0].id]}, above "
                f"{max_to}: lower it first.",
                associationTypeId=assoc_type.id,
                maxToObjectIds=max_to,
            )
    elif max_to > pair_limit:
        raise LiaisonError(
            ErrorCode.INVALID_LIMIT,
            f"The limit of '{assoc_type.label}' must be between 1 and {pair_limit}, the limit of "
            "the pair.",
            associationTypeId=assoc_type.id,
            maxToObjectIds=max_to,
        )

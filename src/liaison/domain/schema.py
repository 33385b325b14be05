"""One account's schema: its object types, association types and limits, with lookups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from liaison.domain.association_types import (
    BUILTIN_ASSOCIATION_TYPES,
    AssociationType,
    Kind,
)
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import BUILTIN_TYPES, COMPANIES, ObjectType


@dataclass
class Schema:
    object_types: dict[str, ObjectType]
    types: dict[int, AssociationType]
    limits: dict[int, int] = field(default_factory=dict)
    """Association type ID -> the most records one record may be associated with through it."""
    _unlabeled: dict[tuple[str, str], int] = field(init=False, repr=False)
    _primary: dict[tuple[str, str], int] = field(init=False, repr=False)
    _by_name: dict[str, ObjectType] = field(init=False, repr=False)
    _inverse_sets: dict[frozenset[int], frozenset[int]] = field(init=False, repr=False)
    _ordered: dict[frozenset[int], tuple[AssociationType, ...]] = field(init=False, repr=False)
    derived: dict[object, object] = field(init=False, repr=False, compare=False)
    """What callers work out from this schema alone and keep with it (a changed schema is a
    new object, so nothing kept here goes stale)."""

    def __post_init__(self) -> None:
        self._unlabeled = {
            (t.from_type, t.to_type): t.id for t in self.types.values() if t.kind is Kind.UNLABELED
        }
        self._primary = {
            (t.from_type, t.to_type): t.id
            for t in self.types.values()
            if t.kind is Kind.PRIMARY and t.exclusive
        }
        self._by_name = {}
        self._inverse_sets = {}
        self._ordered = {}
        self.derived = {}
        for object_type in self.object_types.values():
            for name in object_type.names():
                self._by_name[name.lower()] = object_type

    @classmethod
    def build(
        cls,
        custom_types: Iterable[ObjectType] = (),
        custom_association_types: Iterable[AssociationType] = (),
        limits: Mapping[int, int] | None = None,
    ) -> Schema:
        object_types = {t.id: t for t in (*BUILTIN_TYPES, *custom_types)}
        types = {t.id: t for t in (*BUILTIN_ASSOCIATION_TYPES, *custom_association_types)}
        return cls(object_types, types, dict(limits or {}))

    def object_type(self, ref: str) -> ObjectType:
        """Find a type by ID (`0-1`), plural name (`contacts`) or singular name (`contact`)."""
        found = self._by_name.get(str(ref).lower())
        if found is None:
            raise LiaisonError(
                ErrorCode.OBJECT_TYPE_NOT_FOUND, f"There is no object type '{ref}'.", objectType=ref
            )
        return found

    def unlabeled_id(self, from_type: str, to_type: str) -> int:
        """The base type ID of the pair; NO_ASSOCIATION_DEFINITION for an undefined pair (A2)."""
        type_id = self._unlabeled.get((from_type, to_type))
        if type_id is None:
            raise LiaisonError(
                ErrorCode.NO_ASSOCIATION_DEFINITION,
                f"{self.object_types[from_type].plural} and {self.object_types[to_type].plural} "
                "cannot be associated: define the association between them first.",
                fromObjectType=from_type,
                toObjectType=to_type,
            )
        return type_id

    def plain_base(self, from_type: str, to_type: str) -> int | None:
        """The pair's base type if it is defined and neither direction has a limit."""
        base = self._unlabeled.get((from_type, to_type))
        if base is None or base in self.limits or self.inverse(base) in self.limits:
            return None
        return base

    def is_defined(self, from_type: str, to_type: str) -> bool:
        return (from_type, to_type) in self._unlabeled

    def primary_id(self, from_type: str) -> int | None:
        """The built-in Primary type from `from_type` to companies (P1), if it has one."""
        return self._primary.get((from_type, COMPANIES))

    def association_type(self, type_id: int, from_type: str, to_type: str) -> AssociationType:
        """Type `type_id`, checked to belong to this pair and direction (A3)."""
        found = self.types.get(type_id)
        if found is None:
            raise LiaisonError(
                ErrorCode.ASSOCIATION_TYPE_NOT_FOUND,
                f"There is no association type {type_id}.",
                associationTypeId=type_id,
            )
        if (found.from_type, found.to_type) != (from_type, to_type):
            raise LiaisonError(
                ErrorCode.LABEL_NOT_FOR_PAIR,
                f"Association type {type_id} ({found.label or 'unlabeled'}) goes from "
                f"{self.object_types[found.from_type].plural} to "
                f"{self.object_types[found.to_type].plural}, not from "
                f"{self.object_types[from_type].plural} to {self.object_types[to_type].plural}.",
                associationTypeId=type_id,
                fromObjectType=from_type,
                toObjectType=to_type,
            )
        return found

    def types_between(self, from_type: str, to_type: str) -> list[AssociationType]:
        """Every type of the direction from `from_type` to `to_type`, base type first."""
        found = [t for t in self.types.values() if (t.from_type, t.to_type) == (from_type, to_type)]
        return sorted(found, key=lambda t: (t.kind is not Kind.UNLABELED, t.id))

    def inverse(self, type_id: int) -> int:
        return self.types[type_id].inverse_id

    def ordered(self, type_ids: frozenset[int]) -> tuple[AssociationType, ...]:
        """The types of one association, its base type first, then by ID; computed once."""
        found = self._ordered.get(type_ids)
        if found is None:
            ranked = sorted(type_ids, key=lambda t: (self.types[t].kind is not Kind.UNLABELED, t))
            found = self._ordered[type_ids] = tuple(self.types[t] for t in ranked)
        return found

    def inverse_set(self, type_ids: frozenset[int]) -> frozenset[int]:
        """The types of the way back; the few sets in use are computed once."""
        found = self._inverse_sets.get(type_ids)
        if found is None:
            found = self._inverse_sets[type_ids] = frozenset(self.inverse(t) for t in type_ids)
        return found

    def label_of(self, type_id: int) -> str | None:
        found = self.types.get(type_id)
        return found.label if found else None

"""Searching records: filter groups, sorts, free text and paging, checked against HubSpot's
limits before anything is read (HubSpot's CRM search API)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from liaison.domain.errors import ErrorCode, LiaisonError

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
MAX_TOTAL = 10_000
"""No search pages beyond its first 10,000 results (HubSpot's limit)."""
ASSOCIATIONS_PREFIX = "associations."
"""`associations.company` EQ `123`: records associated with company 123."""


class Operator(StrEnum):
    EQ = "EQ"
    NEQ = "NEQ"
    LT = "LT"
    LTE = "LTE"
    GT = "GT"
    GTE = "GTE"
    BETWEEN = "BETWEEN"
    IN = "IN"
    NOT_IN = "NOT_IN"
    HAS_PROPERTY = "HAS_PROPERTY"
    NOT_HAS_PROPERTY = "NOT_HAS_PROPERTY"
    CONTAINS_TOKEN = "CONTAINS_TOKEN"
    NOT_CONTAINS_TOKEN = "NOT_CONTAINS_TOKEN"


COMPARISONS = (Operator.EQ, Operator.NEQ, Operator.LT, Operator.LTE, Operator.GT, Operator.GTE)
NEGATIONS = (Operator.NEQ, Operator.NOT_IN, Operator.NOT_CONTAINS_TOKEN)
"""Operators that also match records without a value (nothing equals a missing value)."""


@dataclass(frozen=True)
class Filter:
    property_name: str
    operator: Operator
    value: str | None = None
    high_value: str | None = None
    values: tuple[str, ...] = ()

    @property
    def association_type(self) -> str | None:
        """The object type of an `associations.{type}` pseudo-property, else None."""
        if self.property_name.lower().startswith(ASSOCIATIONS_PREFIX):
            return self.property_name[len(ASSOCIATIONS_PREFIX) :]
        return None


@dataclass(frozen=True)
class Sort:
    property_name: str
    descending: bool = False


@dataclass(frozen=True)
class Search:
    groups: tuple[tuple[Filter, ...], ...] = ()
    """OR of groups, AND of the filters in a group."""
    sorts: tuple[Sort, ...] = ()
    query: str | None = None
    limit: int = DEFAULT_LIMIT
    after: int = 0
    """The offset of the page's first result."""

    def check(self) -> Search:
        """Refuse a search beyond HubSpot's limits, or a filter missing its values."""
        if len(self.groups) > MAX_GROUPS:
            raise _invalid(
                f"A search takes at most {MAX_GROUPS} filterGroups; got {len(self.groups)}."
            )
        for group in self.groups:
            if len(group) > MAX_FILTERS_PER_GROUP:
                raise _invalid(
                    f"A filter group takes at most {MAX_FILTERS_PER_GROUP} filters; "
                    f"got {len(group)}."
                )
        total = sum(len(g) for g in self.groups)
        if total > MAX_FILTERS:
            raise _invalid(f"A search takes at most {MAX_FILTERS} filters in all; got {total}.")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise _invalid(f"limit must be between 1 and {MAX_LIMIT}; got {self.limit}.")
        if self.after < 0:
            raise _invalid(f"after must be a non-negative offset; got {self.after}.")
        if self.after >= MAX_TOTAL:
            raise _invalid(
                f"A search pages through its first {MAX_TOTAL:,} results only; after="
                f"{self.after} is beyond them. Narrow the filters (e.g. on hs_object_id) instead."
            )
        for group in self.groups:
            for one in group:
                _check_filter(one)
        texts = [self.query or ""] + [
            t
            for g in self.groups
            for f in g
            for t in (f.value or "", f.high_value or "", *f.values)
        ]
        if any("\x00" in t for t in texts):
            raise _invalid("Search values cannot hold a NUL character.")
        return self


def _check_filter(one: Filter) -> None:
    needs_value = (*COMPARISONS, Operator.BETWEEN, Operator.CONTAINS_TOKEN)
    if (one.operator in needs_value or one.operator is Operator.NOT_CONTAINS_TOKEN) and (
        one.value is None
    ):
        raise _invalid(f"The {one.operator} filter on '{one.property_name}' needs a value.")
    if one.operator is Operator.BETWEEN and one.high_value is None:
        raise _invalid(f"The BETWEEN filter on '{one.property_name}' needs a highValue.")
    if one.operator in (Operator.IN, Operator.NOT_IN) and not one.values:
        raise _invalid(f"The {one.operator} filter on '{one.property_name}' needs values.")


def _invalid(message: str) -> LiaisonError:
    return LiaisonError(ErrorCode.INVALID_INPUT, message)

"""An index page's address: its search, sort, association columns and filters as URL
parameters, read into the services' `IndexQuery` and `IndexColumns` and written back into links.

- `q`: the search; `sort=name|created`, `dir=asc|desc`.
- `cols`: the association columns, comma-separated (`assoc:companies,primary:companies`); the
  Edit columns form sends one `cols` per ticked box, plus an empty one so that none is a choice.
- `with=ID` (repeatable): associated with that record. `none=TYPE` (repeatable): has no record
  of that type. `pc=PROPERTY:eq:VALUE` or `pc=PROPERTY:contains:VALUE` (repeatable): the primary
  company's property is (or contains) the value, ignoring case. `count=TYPE:N` or
  `count=TYPE:N:LABEL_ID` (repeatable): at least N associated records of that type (with that
  label, by its association type ID), e.g. `count=contacts:3:10001`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from starlette.datastructures import ImmutableMultiDict, QueryParams

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.services.browse import (
    AssociatedWith,
    HasAtLeast,
    HasNo,
    IndexColumns,
    IndexFilter,
    IndexQuery,
    PrimaryCompanyHas,
    Sort,
)
from liaison.web import urls

MAX_TEXT = 200
MAX_FILTERS = 20
MAX_COUNT_DIGITS = 6
ASSOCIATION = "assoc:"
PRIMARY = "primary:companies"
EQUALS, CONTAINS = "eq", "contains"


@dataclass(frozen=True)
class IndexParams:
    search: str = ""
    sort: Sort = Sort.CREATED
    descending: bool = True
    columns: IndexColumns = field(default_factory=IndexColumns)
    filters: tuple[IndexFilter, ...] = ()

    @property
    def query(self) -> IndexQuery:
        return IndexQuery(self.search, self.filters)

    @cached_property
    def columns_value(self) -> str:
        keys = [f"{ASSOCIATION}{name}" for name in self.columns.associations]
        return ",".join([*keys, *([PRIMARY] if self.columns.primary_company else [])])

    def pairs(self, *, columns: bool = True) -> list[tuple[str, str]]:
        """Every parameter but paging, in a stable order."""
        return list(self._pairs if columns else self._pairs_but_columns)

    @cached_property
    def _pairs(self) -> tuple[tuple[str, str], ...]:
        """Made once per view: a page's links and forms ask for them a dozen times."""
        return self._found(columns=True)

    @cached_property
    def _pairs_but_columns(self) -> tuple[tuple[str, str], ...]:
        return self._found(columns=False)

    def _found(self, *, columns: bool) -> tuple[tuple[str, str], ...]:
        found = [("q", self.search), ("sort", self.sort.value), ("dir", self.direction)]
        if columns and self.columns_value:
            found.append(("cols", self.columns_value))
        found += [filter_pair(f) for f in self.filters]
        return tuple((k, v) for k, v in found if v)

    @property
    def direction(self) -> str:
        return "desc" if self.descending else "asc"

    def url(self, object_type: ObjectType, **extra: str | int | None) -> str:
        return urls.index(object_type, self._pairs, **extra)

    def sorted_by(self, sort: Sort) -> IndexParams:
        """Sorted by `sort`; the column already sorted flips its direction."""
        descending = not self.descending if sort is self.sort else sort is Sort.CREATED
        return replace(self, sort=sort, descending=descending)

    def with_filter(self, added: IndexFilter) -> IndexParams:
        if added in self.filters:
            return self
        return replace(self, filters=(*self.filters, added))

    def without_filter(self, removed: IndexFilter) -> IndexParams:
        return replace(self, filters=tuple(f for f in self.filters if f != removed))

    def with_columns(self, columns: IndexColumns) -> IndexParams:
        return replace(self, columns=columns)


def filter_pair(one: IndexFilter) -> tuple[str, str]:
    if isinstance(one, AssociatedWith):
        return "with", str(one.record_id)
    if isinstance(one, HasNo):
        return "none", one.object_type
    if isinstance(one, HasAtLeast):
        label = "" if one.label_id is None else f":{one.label_id}"
        return "count", f"{one.object_type}:{one.count}{label}"
    return "pc", f"{one.property}:{CONTAINS if one.contains else EQUALS}:{one.value}"


def parse(params: QueryParams, *, remembered_columns: str = "") -> IndexParams:
    """The index page's parameters; a malformed one is refused (LiaisonError, a 400 page).
    Without `cols`, the columns are `remembered_columns`."""
    sort = _one_of(params.get("sort") or Sort.CREATED.value, [s.value for s in Sort], "sort")
    direction = params.get("dir", "")
    if direction:
        _one_of(direction, ["asc", "desc"], "dir")
    descending = direction == "desc" if direction else sort == Sort.CREATED.value
    cols = params.getlist("cols")
    return IndexParams(
        _text(params.get("q", ""), "q", empty=True).strip(),
        Sort(sort),
        descending,
        parse_columns(cols if "cols" in params else [remembered_columns]),
        parse_filters(params),
    )


def parse_filters(params: ImmutableMultiDict[str, Any]) -> tuple[IndexFilter, ...]:
    """The `with`, `none`, `pc` and `count` filters of an address or of a form that carries
    them."""
    names = ("with", "none", "pc", "count")
    listed = {name: [str(v) for v in params.getlist(name)] for name in names}
    filters: list[IndexFilter] = [
        *(AssociatedWith(_id(v, "with")) for v in listed["with"]),
        *(HasNo(_text(v, "none")) for v in listed["none"]),
        *(_primary_filter(v) for v in listed["pc"]),
        *(_count_filter(v) for v in listed["count"]),
    ]
    if len(filters) > MAX_FILTERS:
        raise _invalid(f"An index page takes at most {MAX_FILTERS} filters.")
    return tuple(dict.fromkeys(filters))


def parse_columns(values: Sequence[str]) -> IndexColumns:
    names: list[str] = []
    primary = False
    for key in (k.strip() for v in values for k in v.split(",")):
        if key == PRIMARY:
            primary = True
        elif key.startswith(ASSOCIATION) and key.removeprefix(ASSOCIATION):
            names.append(_text(key.removeprefix(ASSOCIATION), "cols"))
        elif key:
            raise _invalid(f"There is no column '{key[:MAX_TEXT]}'.")
    return IndexColumns(tuple(dict.fromkeys(names)), primary)


def primary_filter(property_name: str, operator: str, value: str) -> PrimaryCompanyHas:
    """The filter the "Primary company" form describes (its three fields)."""
    _one_of(operator, [EQUALS, CONTAINS], "operator")
    return PrimaryCompanyHas(
        _text(property_name, "property"), _text(value, "value"), contains=operator == CONTAINS
    )


def count_filter(object_type: str, count: str, label: str) -> HasAtLeast:
    """The filter the "At least" form describes (its three fields; no label is any label)."""
    if not count.strip().isdigit() or len(count.strip()) > MAX_COUNT_DIGITS:
        raise _invalid("The number of associated records must be a whole number, 1 or more.")
    number = int(count.strip())
    if number < 1:
        raise _invalid("The number of associated records must be 1 or more.")
    if label and (not label.isdigit() or len(label) > MAX_COUNT_DIGITS):
        raise _invalid("The label must be an association label's ID.")
    label_id = int(label) if label else None
    return HasAtLeast(_text(object_type, "type"), number, label_id)


def _count_filter(value: str) -> HasAtLeast:
    object_type, _, rest = value.partition(":")
    count, _, label = rest.partition(":")
    return count_filter(object_type, count, label)


def _primary_filter(value: str) -> PrimaryCompanyHas:
    property_name, _, rest = value.partition(":")
    operator, _, compared = rest.partition(":")
    return primary_filter(property_name, operator, compared)


def _id(value: str, name: str) -> int:
    if not value.isdigit() or len(value) > 19:
        raise _invalid(f"'{name}' must be a record ID.")
    return int(value)


def _text(value: str, name: str, *, empty: bool = False) -> str:
    if (not value.strip() and not empty) or len(value) > MAX_TEXT:
        raise _invalid(f"'{name}' must be between 1 and {MAX_TEXT} characters.")
    return value


def _one_of(value: str, allowed: list[str], name: str) -> str:
    if value not in allowed:
        raise _invalid(f"'{name}' must be one of {', '.join(allowed)}.")
    return value


def _invalid(message: str) -> LiaisonError:
    return LiaisonError(ErrorCode.INVALID_INPUT, message)

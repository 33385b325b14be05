"""Searching records as SQL that runs on SQLite and PostgreSQL alike.

Properties live in the records' JSON column; each filter reads one property as a value of its
type (numbers as numbers, date-times as milliseconds since 1970, text case-insensitively), so
`amount GT 900` compares numbers and `hs_timestamp LT 1700000000000` compares instants. The
record ID and the created and modified times are columns. `associations.{type}` filters read
the associations table by its primary key, from the other record's side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    ColumnElement,
    Connection,
    Float,
    Row,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.properties import PropertyType
from liaison.domain.records import parse_id
from liaison.domain.schema import Schema
from liaison.domain.search import NEGATIONS, Filter, Operator, Search, Sort
from liaison.storage.tables import associations, records

CREATED = ("createdate", "hs_createdate")
MODIFIED = ("lastmodifieddate", "hs_lastmodifieddate")
ID = "hs_object_id"
_SEPARATORS = ("@", ".", ",", "-", "/", ":", ";", "(", ")", "+", "!", "?", "&")

_r, _a = records.c, associations.c


class ValueKind(Enum):
    """How a filter's values are read, to compare with a property of that kind."""

    ID = "id"
    NUMBER = "number"
    MILLIS = "millis"
    DATE = "date"
    BOOL = "bool"
    TEXT = "text"


@dataclass(frozen=True)
class Operand:
    """A property as SQL: its comparable value, and its raw text (for tokens and presence)."""

    value: ColumnElement[Any]
    kind: ValueKind
    text: ColumnElement[Any] | None
    """The stored text; None for the columns every record has (ID, times)."""


def where(
    conn: Connection, account_id: int, schema: Schema, kind: ObjectType, search: Search
) -> ColumnElement[bool]:
    """The live records of `kind` that `search` matches."""
    conditions: list[ColumnElement[bool]] = [
        _r.account_id == account_id,
        _r.type_id == kind.id,
        _r.archived.is_(False),
    ]
    if search.groups:
        conditions.append(
            or_(
                *(
                    and_(*(_filter(conn, account_id, schema, kind, f) for f in group))
                    for group in search.groups
                )
            )
        )
    if search.query and search.query.strip():
        conditions.append(_free_text(kind, search.query))
    return and_(*conditions)


def count(conn: Connection, condition: ColumnElement[bool]) -> int:
    return int(
        conn.execute(select(func.count()).select_from(records).where(condition)).scalar_one()
    )


def page(
    conn: Connection,
    kind: ObjectType,
    condition: ColumnElement[bool],
    sorts: Sequence[Sort],
    *,
    offset: int,
    limit: int,
) -> list[Row[Any]]:
    """One page of matching records, sorted (missing values last), then by ID."""
    order: list[Any] = []
    for sort in sorts:
        operand = operand_of(conn, kind, sort.property_name)
        if operand is None:
            continue  # HubSpot ignores a sort on a property the type does not have
        ordered = operand.value.desc() if sort.descending else operand.value.asc()
        order.append(ordered.nulls_last())
    order.append(_r.id.asc())
    statement = select(records).where(condition).order_by(*order).limit(limit).offset(offset)
    return list(conn.execute(statement))


# -- properties as SQL ---------------------------------------------------------------------------
def operand_of(conn: Connection, kind: ObjectType, name: str) -> Operand | None:
    """The property `name` of `kind` as SQL, or None if the type has no such property."""
    if name == ID:
        return Operand(_r.id, ValueKind.ID, None)
    if name in CREATED:
        return Operand(_r.created_at / 1000, ValueKind.MILLIS, None)
    if name in MODIFIED:
        return Operand(_r.updated_at / 1000, ValueKind.MILLIS, None)
    definition = kind.properties.get(name)
    if definition is None:
        return None
    text = _r.properties[name].as_string()
    if definition.type is PropertyType.NUMBER:
        return Operand(cast(text, Float), ValueKind.NUMBER, text)
    if definition.type is PropertyType.DATETIME:
        return Operand(_millis(conn, text), ValueKind.MILLIS, text)
    if definition.type is PropertyType.DATE:
        return Operand(text, ValueKind.DATE, text)
    if definition.type is PropertyType.BOOL:
        return Operand(text, ValueKind.BOOL, text)
    return Operand(func.lower(text), ValueKind.TEXT, text)


def _millis(conn: Connection, text: ColumnElement[Any]) -> ColumnElement[Any]:
    """An ISO date-time (any offset) as milliseconds since 1970, UTC."""
    if conn.dialect.name == "postgresql":
        seconds = func.extract("epoch", cast(text, TIMESTAMP(timezone=True)))
        return func.round(seconds * 1000)
    return func.round((func.julianday(text) - 2440587.5) * 86400000.0)


# -- filters --------------------------------------------------------------------------------------
def _filter(
    conn: Connection, account_id: int, schema: Schema, kind: ObjectType, one: Filter
) -> ColumnElement[bool]:
    other = one.association_type
    if other is not None:
        return _association_filter(account_id, schema, kind, one, other)
    operand = operand_of(conn, kind, one.property_name)
    if operand is None:
        raise LiaisonError(
            ErrorCode.UNKNOWN_PROPERTY,
            f"Cannot filter on '{one.property_name}': {kind.plural} have no such property.",
            property=one.property_name,
            objectType=kind.name,
        )
    return _compare(operand, one)


def _compare(operand: Operand, one: Filter) -> ColumnElement[bool]:
    op, expr = one.operator, operand.value
    present = _present(operand)
    if op is Operator.HAS_PROPERTY:
        return present
    if op is Operator.NOT_HAS_PROPERTY:
        return not_(present)
    if op in (Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN):
        matched = and_(present, _token(operand, str(one.value)))
    elif op in (Operator.IN, Operator.NOT_IN):
        matched = and_(present, expr.in_([_value(operand, one, v) for v in one.values]))
    elif op is Operator.BETWEEN:
        low, high = _value(operand, one, one.value), _value(operand, one, one.high_value)
        matched = and_(present, expr.between(low, high))
    else:
        value = _value(operand, one, one.value)
        comparisons: dict[Operator, Callable[[], ColumnElement[bool]]] = {
            Operator.EQ: lambda: expr == value,
            Operator.NEQ: lambda: expr == value,
            Operator.LT: lambda: expr < value,
            Operator.LTE: lambda: expr <= value,
            Operator.GT: lambda: expr > value,
            Operator.GTE: lambda: expr >= value,
        }
        matched = and_(present, comparisons[op]())
    return not_(matched) if op in NEGATIONS else matched


def _present(operand: Operand) -> ColumnElement[bool]:
    if operand.text is None:
        return true()
    return and_(operand.text.is_not(None), operand.text != "")


def _token(operand: Operand, token: str) -> ColumnElement[bool]:
    """CONTAINS_TOKEN: the value holds the token as a whole word (`*` is a wildcard); words are
    split at spaces and punctuation, so `acme.example` is a token of `ann@acme.example`."""
    text = operand.text if operand.text is not None else cast(operand.value, String)
    words = func.lower(text)
    for separator in _SEPARATORS:
        words = func.replace(words, separator, " ")
    padded = literal(" ") + words + literal(" ")
    wanted = token.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    for separator in _SEPARATORS:
        wanted = wanted.replace(separator, " ")
    pattern = "% " + " ".join(wanted.split()).replace("*", "%") + " %"
    return padded.like(pattern, escape="\\")


def _association_filter(
    account_id: int, schema: Schema, kind: ObjectType, one: Filter, other_ref: str
) -> ColumnElement[bool]:
    other = schema.object_type(other_ref)
    op = one.operator
    if op in (Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY):
        linked = exists().where(
            _a.account_id == account_id, _a.from_id == _r.id, _a.to_type == other.id
        )
        return linked if op is Operator.HAS_PROPERTY else not_(linked)
    if op in (Operator.EQ, Operator.NEQ):
        ids = [_record_id(one, one.value)]
    elif op in (Operator.IN, Operator.NOT_IN):
        ids = [_record_id(one, v) for v in one.values]
    else:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"'{one.property_name}' takes EQ, NEQ, IN, NOT_IN, HAS_PROPERTY or NOT_HAS_PROPERTY; "
            f"not {op}.",
            property=one.property_name,
            operator=str(op),
        )
    # From the other records' side: their rows to this type are one primary-key range each.
    linked_ids = select(_a.to_id).where(
        _a.account_id == account_id, _a.from_id.in_(ids), _a.to_type == kind.id
    )
    matched = _r.id.in_(linked_ids) if ids else false()
    return not_(matched) if op in NEGATIONS else matched


def _record_id(one: Filter, raw: str | None) -> int:
    found = parse_id(str(raw))
    if found is None:
        raise _bad_value(one, raw, "a record ID")
    return found


# -- filter values ------------------------------------------------------------------------------
def _value(operand: Operand, one: Filter, raw: str | None) -> Any:
    text = "" if raw is None else str(raw).strip()
    try:
        return _READERS[operand.kind](text)
    except (ValueError, InvalidOperation, KeyError, OverflowError):
        raise _bad_value(one, raw, _EXPECTED[operand.kind]) from None


def _millis_of(text: str) -> int:
    if text.lstrip("-").isdigit():
        millis = int(text)
        if abs(millis) > _MAX_MILLIS:
            raise ValueError(text)
        return millis
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


_MAX_MILLIS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z: the last instant a date-time property can hold."""


def _id_of(text: str) -> int:
    found = parse_id(text)
    if found is None:
        raise ValueError(text)
    return found


def _date_of(text: str) -> str:
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(_millis_of(text) / 1000, UTC).date().isoformat()
    return date.fromisoformat(text[:10]).isoformat()


def _number_of(text: str) -> float:
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError(text)
    return float(value)


_BOOLS = {"true": "true", "false": "false", "1": "true", "0": "false", "yes": "true", "no": "false"}
_READERS: dict[ValueKind, Callable[[str], Any]] = {
    ValueKind.ID: _id_of,
    ValueKind.NUMBER: _number_of,
    ValueKind.MILLIS: _millis_of,
    ValueKind.DATE: _date_of,
    ValueKind.BOOL: lambda text: _BOOLS[text.lower()],
    ValueKind.TEXT: lambda text: text.lower(),
}
_EXPECTED = {
    ValueKind.ID: "a record ID",
    ValueKind.NUMBER: "a number",
    ValueKind.MILLIS: "a date-time (milliseconds since 1970 or ISO 8601)",
    ValueKind.DATE: "a date (YYYY-MM-DD or milliseconds since 1970)",
    ValueKind.BOOL: "true or false",
    ValueKind.TEXT: "text",
}


def _bad_value(one: Filter, raw: str | None, expected: str) -> LiaisonError:
    return LiaisonError(
        ErrorCode.INVALID_INPUT,
        f"The {one.operator} filter on '{one.property_name}' needs {expected}; got {raw!r}.",
        property=one.property_name,
        value=str(raw),
    )


# -- free text ----------------------------------------------------------------------------------
def _free_text(kind: ObjectType, query: str) -> ColumnElement[bool]:
    """Every word of the query is in one of the type's searchable properties (or is the ID)."""
    searchable = searchable_properties(kind)
    conditions: list[ColumnElement[bool]] = []
    for term in query.lower().split():
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        alternatives: list[ColumnElement[bool]] = [
            func.lower(_r.properties[name].as_string()).like(pattern, escape="\\")
            for name in searchable
        ]
        record_id = parse_id(term)
        if record_id is not None:
            alternatives.append(_r.id == record_id)
        conditions.append(or_(*alternatives) if alternatives else false())
    return and_(*conditions)


_SEARCHABLE = {
    "0-1": ("firstname", "lastname", "email", "phone"),
    "0-2": ("name", "domain", "hs_additional_domains"),
    "0-3": ("dealname",),
    "0-5": ("subject", "content"),
}


def searchable_properties(kind: ObjectType) -> tuple[str, ...]:
    """What `query` searches: HubSpot's default searchable properties of the built-in types;
    for the others, their display property and every other text property."""
    known = _SEARCHABLE.get(kind.id)
    if known is not None:
        return known
    text = tuple(name for name, d in kind.properties.items() if d.type is PropertyType.STRING)
    return tuple(dict.fromkeys((*kind.display_properties, *text)))

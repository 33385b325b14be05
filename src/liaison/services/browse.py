"""What people browse in the web UI: an object type's records page by page (searched, filtered
by association and sorted, with association columns), every ID such a view matches, and a
record with its associations grouped by type (U1, U4, U6). Reads only; a fixed number of
statements per page, however many rows or associations it shows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS, ObjectType
from liaison.domain.records import Record
from liaison.domain.schema import Schema
from liaison.services import records
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading
from liaison.storage import browse as store
from liaison.storage import records as record_store
from liaison.storage.clock import to_datetime

MAX_PAGE = 100
CARD_SIZE = 10
"""How many associated records a card lists; the card says how many there are in all."""
CELL_SIZE = 2
"""How many associated records an index cell names; with more it says "N companies"."""
COUNT_CAP = 1_000
"""An index page counts the matching records up to this many; beyond, it says "1,000+"."""
MATCHING_BATCH = 1_000
"""How many IDs `matching_ids` reads at a time."""

_CARD_ORDER = {COMPANIES: 0, CONTACTS: 1, DEALS: 2, TICKETS: 3}


class Sort(StrEnum):
    NAME = "name"
    CREATED = "created"


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the record with this ID (and name, sorting by name)."""

    id: int
    name: str | None = None


@dataclass(frozen=True)
class AssociatedWith:
    """Records associated with record `record_id` (U6 "associated with X"; U4 View associated)."""

    record_id: int


@dataclass(frozen=True)
class HasNo:
    """Records with no association to any record of `object_type` (U6 "has no company")."""

    object_type: str


@dataclass(frozen=True)
class PrimaryCompanyHas:
    """Records whose primary company's `property` equals `value` (or contains it), ignoring
    case (U6 "primary company's industry is Software")."""

    property: str
    value: str
    contains: bool = False


@dataclass(frozen=True)
class HasAtLeast:
    """Records associated with at least `count` live records of `object_type`, carrying the
    label `label_id` when given (U6 "companies with at least 3 contacts labelled Decision
    maker")."""

    object_type: str
    count: int
    label_id: int | None = None


IndexFilter = AssociatedWith | HasNo | PrimaryCompanyHas | HasAtLeast


@dataclass(frozen=True)
class IndexQuery:
    """Which records an index view shows: the search and the filters, all of which must hold."""

    search: str = ""
    filters: tuple[IndexFilter, ...] = ()


@dataclass(frozen=True)
class IndexColumns:
    """The association columns of an index page: one per associated type (names or IDs) and
    the Primary company column."""

    associations: tuple[str, ...] = ()
    primary_company: bool = False


@dataclass(frozen=True)
class DescribedFilter:
    filter: IndexFilter
    text: str
    """What the filter keeps, in words ("Associated with Acme (company)")."""


class AssociatedRecord(NamedTuple):
    """A named tuple, as AssociationCard: an index page makes hundreds, a tuple is made in a
    third of a frozen dataclass's time."""

    id: int
    name: str
    labels: list[str]
    primary: bool


class AssociationCard(NamedTuple):
    object_type: ObjectType
    total: int
    records: list[AssociatedRecord]
    """The first CARD_SIZE (or CELL_SIZE): the primary first, then the most recently
    associated."""


@dataclass(frozen=True)
class IndexPage:
    object_type: ObjectType
    records: list[Record]
    total: int
    """How many records match the search and filters, on every page, up to COUNT_CAP."""
    next: Cursor | None
    query: IndexQuery = IndexQuery()
    filters: list[DescribedFilter] = field(default_factory=list)
    associable: list[ObjectType] = field(default_factory=list)
    """The types this type can be associated with: the association columns one may add."""
    columns: list[ObjectType] = field(default_factory=list)
    """The association columns shown."""
    primary_company: bool = False
    """Whether the Primary company column is shown."""
    cells: dict[tuple[int, str], AssociationCard] = field(default_factory=dict)
    primaries: dict[int, AssociatedRecord] = field(default_factory=dict)
    labels: dict[str, list[AssociationType]] = field(default_factory=dict)
    """The labels towards each associable type (by type ID), for the "At least" filter."""
    browsable: list[ObjectType] = field(default_factory=list)
    """Every type people browse (`object_types`), read with the page: the navigation."""

    @property
    def total_is_capped(self) -> bool:
        """More records match than COUNT_CAP (`total` is then COUNT_CAP)."""
        return self.total > COUNT_CAP

    def cell(self, record_id: int, object_type: ObjectType) -> AssociationCard:
        """The record's associations to the type: the first CELL_SIZE, and the total."""
        found = self.cells.get((record_id, object_type.id))
        return found if found is not None else AssociationCard(object_type, 0, [])


@dataclass(frozen=True)
class RecordWithAssociations:
    object_type: ObjectType
    record: Record
    cards: list[AssociationCard]


def object_types(database: Database, caller: Caller) -> list[ObjectType]:
    """The types people browse: the four core types, then the account's custom types."""
    with reading(database, caller) as unit:
        return _browsable(unit.schema)


def _browsable(schema: Schema) -> list[ObjectType]:
    return [t for t in schema.object_types.values() if not t.is_activity]


def page_type(database: Database, caller: Caller, name: str) -> ObjectType:
    """The object type named `name` (or with that ID); OBJECT_TYPE_NOT_FOUND if none."""
    with reading(database, caller) as unit:
        return unit.schema.object_type(name)


def index_page(
    database: Database,
    caller: Caller,
    object_type: str,
    query: IndexQuery = IndexQuery(),
    *,
    sort: Sort = Sort.CREATED,
    descending: bool = True,
    after: Cursor | None = None,
    limit: int = 25,
    columns: IndexColumns = IndexColumns(),
    search: str | None = None,
) -> IndexPage:
    """A page of the records matching `query`, with the association columns asked for: the
    page with its count in one statement, and one for all association cells and primary
    companies, whatever the page's size. `search` is short for `IndexQuery(search=…)`."""
    limit = max(1, min(limit, MAX_PAGE))
    if search is not None:
        query = replace(query, search=search)
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        matching, described = matching_of(unit, kind, query)
        conn = unit.conn
        if sort is Sort.NAME:
            key = None if after is None else (after.name or "", after.id)
            rows, total = store.page_by_name(
                conn, matching, after=key, descending=descending, limit=limit + 1, cap=COUNT_CAP
            )
        else:
            rows, total = store.page_by_id(
                conn,
                matching,
                after=None if after is None else after.id,
                descending=descending,
                limit=limit + 1,
                cap=COUNT_CAP,
            )
        found = [_record(row) for row in rows[:limit]]
        shown = _columns(unit.schema, kind, columns)
        primary_company = columns.primary_company and kind.can_have_primary_company
        cells, primaries = _cells(unit, kind, [r.id for r in found], shown, primary_company)
    more = len(rows) > limit
    last = found[-1] if found else None
    cursor = Cursor(last.id, last.name if sort is Sort.NAME else None) if more and last else None
    around = _around(unit.schema, kind)
    return IndexPage(
        kind,
        found,
        total,
        cursor,
        query,
        described,
        list(around.associable),
        shown,
        primary_company,
        cells,
        primaries,
        dict(around.labels),
        list(around.browsable),
    )


@dataclass(frozen=True)
class _Around:
    """What an index page of a type shows around its records that only the schema decides:
    the types it can be associated with, their labels, the navigation's types."""

    associable: tuple[ObjectType, ...]
    labels: dict[str, list[AssociationType]]
    browsable: tuple[ObjectType, ...]


def _around(schema: Schema, kind: ObjectType) -> _Around:
    """Made once per schema and type (kept with the schema) rather than on every page."""
    key = (_Around, kind.id)
    around = schema.derived.get(key)
    if not isinstance(around, _Around):
        others = associable(schema, kind)
        around = schema.derived[key] = _Around(
            tuple(others),
            {t.id: labels_of(schema, kind, t) for t in others},
            tuple(_browsable(schema)),
        )
    return around


def matching_ids(
    database: Database,
    caller: Caller,
    object_type: str,
    query: IndexQuery = IndexQuery(),
    *,
    batch: int = MATCHING_BATCH,
) -> Iterator[list[int]]:
    """The IDs of every record an index view shows (its search and filters, not its paging),
    ascending, `batch` at a time: one keyset statement per batch, each in its own read, so no
    transaction stays open while the caller works on a batch (select all matching, U5; export).
    A record created meanwhile is included if its ID is above the batches already read."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        matching, _ = matching_of(unit, kind, query)
    after = 0
    while True:
        with reading(database, caller) as unit:
            ids = store.ids_after(unit.conn, matching, after=after, limit=batch)
        if ids:
            yield ids
        if len(ids) < batch:
            return
        after = ids[-1]


def associable(schema: Schema, kind: ObjectType) -> list[ObjectType]:
    """The types records of `kind` can be associated with (activities aside), in card order."""
    found = [
        t
        for t in schema.object_types.values()
        if not t.is_activity and schema.is_defined(kind.id, t.id)
    ]
    return sorted(found, key=_card_order)


def labels_of(schema: Schema, kind: ObjectType, target: ObjectType) -> list[AssociationType]:
    """The labels (Primary among them) records of `kind` give records of `target`: what the
    "At least" filter may count."""
    return [
        t
        for t in schema.types_between(kind.id, target.id)
        if t.kind is not Kind.UNLABELED and t.label
    ]


def filter_labels(
    database: Database, caller: Caller, object_type: str, to_type: str
) -> tuple[ObjectType, list[AssociationType]]:
    """`to_type` and the labels records of `object_type` give its records."""
    with reading(database, caller) as unit:
        kind, target = unit.schema.object_type(object_type), unit.schema.object_type(to_type)
        return target, labels_of(unit.schema, kind, target)


def matching_of(
    unit: Unit, kind: ObjectType, query: IndexQuery
) -> tuple[store.Matching, list[DescribedFilter]]:
    """The query as SQL conditions, and each filter in words; a record, type or property that
    does not exist is refused (LiaisonError)."""
    schema, account = unit.schema, unit.account_id
    wanted = [f.record_id for f in query.filters if isinstance(f, AssociatedWith)]
    infos = record_store.get_infos(unit.conn, account, wanted) if wanted else []
    named = {row[0]: row for row in infos}
    conditions: list[ColumnElement[bool]] = []
    described: list[DescribedFilter] = []
    for one in query.filters:
        if isinstance(one, AssociatedWith):
            condition, text = _associated_with(schema, kind, account, one, named)
        elif isinstance(one, HasNo):
            target = schema.object_type(one.object_type)
            condition, text = store.has_none(target.id), f"No {target.plural.lower()}"
        elif isinstance(one, HasAtLeast):
            condition, text = _has_at_least(schema, kind, one)
        else:
            condition, text = _primary_company_has(schema, kind, one)
        conditions.append(condition)
        described.append(DescribedFilter(one, text))
    search = query.search.strip()
    return store.Matching(account, kind.id, search, tuple(conditions)), described


def _associated_with(
    schema: Schema,
    kind: ObjectType,
    account: int,
    one: AssociatedWith,
    named: dict[int, tuple[Any, ...]],
) -> tuple[ColumnElement[bool], str]:
    row = named.get(one.record_id)
    if row is None or row[3]:  # unknown, or archived
        raise LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"There is no record with ID {one.record_id}.",
            objectId=one.record_id,
        )
    _, type_id, name, _, _ = row
    of_type = schema.object_types.get(type_id)
    singular = of_type.singular.lower() if of_type else "record"
    shown = name or f"{singular} {one.record_id}"
    condition = store.associated_with(account, one.record_id, kind.id)
    return condition, f"Associated with {shown} ({singular})"


def _primary_company_has(
    schema: Schema, kind: ObjectType, one: PrimaryCompanyHas
) -> tuple[ColumnElement[bool], str]:
    primary = schema.primary_id(kind.id)
    if primary is None:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"{kind.plural} have no primary company to filter on.",
            objectType=kind.name,
        )
    companies = schema.object_types[COMPANIES]
    definition = companies.properties.get(one.property)
    if definition is None:
        raise LiaisonError(
            ErrorCode.INVALID_PROPERTY,
            f"Companies have no property '{one.property}'.",
            propertyName=one.property,
        )
    condition = store.primary_property(primary, one.property, one.value, contains=one.contains)
    verb = "contains" if one.contains else "is"
    return condition, f"Primary company's {definition.label} {verb} “{one.value}”"


def _has_at_least(
    schema: Schema, kind: ObjectType, one: HasAtLeast
) -> tuple[ColumnElement[bool], str]:
    try:
        target = schema.object_type(one.object_type)
    except LiaisonError as error:  # a malformed filter, not a missing page: a 400
        raise LiaisonError(ErrorCode.INVALID_INPUT, error.message) from error
    if not schema.is_defined(kind.id, target.id):
        raise LiaisonError(
            ErrorCode.NO_ASSOCIATION_DEFINITION,
            f"{kind.plural} cannot be associated with {target.plural.lower()}.",
            fromObjectType=kind.name,
            toObjectType=target.name,
        )
    if one.count < 1:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, "The number of associated records must be 1 or more."
        )
    named = target.singular if one.count == 1 else target.plural
    text = f"At least {one.count} {named.lower()}"
    if one.label_id is None:
        return store.at_least(target.id, one.count), text
    label = schema.association_type(one.label_id, kind.id, target.id)
    if label.kind is Kind.UNLABELED or not label.label:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Association type {one.label_id} is the unlabelled type, not a label.",
            associationTypeId=one.label_id,
        )
    condition = store.at_least(target.id, one.count, label_id=label.id)
    return condition, f"{text} labelled {label.label}"


def _columns(schema: Schema, kind: ObjectType, columns: IndexColumns) -> list[ObjectType]:
    """The association columns asked for, each once, in card order; a type `kind` cannot be
    associated with is refused."""
    wanted = {schema.object_type(name).id for name in columns.associations}
    allowed = {t.id: t for t in associable(schema, kind)}
    refused = wanted - allowed.keys()
    if refused:
        other = schema.object_types[sorted(refused)[0]]
        raise LiaisonError(
            ErrorCode.NO_ASSOCIATION_DEFINITION,
            f"{kind.plural} cannot be associated with {other.plural.lower()}.",
            fromObjectType=kind.name,
            toObjectType=other.name,
        )
    return [t for t in allowed.values() if t.id in wanted]


def _cells(
    unit: Unit,
    kind: ObjectType,
    record_ids: list[int],
    shown: Sequence[ObjectType],
    primary_company: bool,
) -> tuple[dict[tuple[int, str], AssociationCard], dict[int, AssociatedRecord]]:
    """Each record's cell per shown type: its total and, up to CELL_SIZE, its records (the
    primary company first; no labels, the popup shows them); and with `primary_company`, each
    record's primary company. One statement, which also gives the primary companies whenever
    companies are shown, to mark them in their cells."""
    if not record_ids or not (shown or primary_company):
        return {}, {}
    kinds = {t.id: t for t in shown}
    rows = store.cells(
        unit.conn,
        unit.account_id,
        record_ids,
        list(kinds),
        shown=CELL_SIZE,
        primary_type_id=unit.schema.primary_id(kind.id),
        primaries=primary_company or COMPANIES in kinds,
    )
    cells: dict[tuple[int, str], AssociationCard] = {}
    primaries: dict[int, AssociatedRecord] = {}
    # Cards and records made as plain tuples of their fields (`tuple.__new__`): a page makes
    # hundreds, and a NamedTuple's own __new__ costs more than the rest of this loop.
    make, record, card, primary_row = (
        tuple.__new__,
        AssociatedRecord,
        AssociationCard,
        store.PRIMARY_ROW,
    )
    for from_id, to_type, total, to_id, name in rows:
        if to_type == primary_row:
            primaries[from_id] = make(record, (to_id, name, [], True))
            continue
        key = (from_id, to_type)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = make(card, (kinds[to_type], total, []))
        if to_id is not None:
            cell[2].append(make(record, (to_id, name, [], False)))  # its records
    for from_id, primary in primaries.items():
        _put_first(cells.get((from_id, COMPANIES)), primary)
    return cells, primaries if primary_company else {}


def _put_first(cell: AssociationCard | None, primary: AssociatedRecord) -> None:
    """The primary company, if its cell names it, first and marked."""
    listed = cell.records if cell is not None else []
    for i, record in enumerate(listed):
        if record.id == primary.id:
            del listed[i]
            listed.insert(0, primary)
            return


def record_with_associations(
    database: Database, caller: Caller, object_type: str, record_id: int
) -> RecordWithAssociations:
    """The record (a merged record's ID gives its survivor) and one card per associated type."""
    record = records.get(database, caller, object_type, record_id)
    with reading(database, caller) as unit:
        schema = unit.schema
        rows = store.associated_by_type(unit.conn, unit.account_id, [record.id], per_type=CARD_SIZE)
    kind = schema.object_type(record.type_id)
    return RecordWithAssociations(kind, record, _cards(schema, kind, record.id, rows))


def _cards(
    schema: Schema, kind: ObjectType, record_id: int, rows: list[tuple[Any, ...]]
) -> list[AssociationCard]:
    grouped = _grouped(schema, rows)
    shown = [
        t
        for t in schema.object_types.values()
        if (record_id, t.id) in grouped or (not t.is_activity and schema.is_defined(kind.id, t.id))
    ]
    shown.sort(key=_card_order)
    return [AssociationCard(t, *grouped.get((record_id, t.id), (0, []))) for t in shown]


@dataclass
class _Listed:
    name: str
    labels: list[str] = field(default_factory=list)
    primary: bool = False


def _grouped(
    schema: Schema, rows: list[tuple[Any, ...]]
) -> dict[tuple[int, str], tuple[int, list[AssociatedRecord]]]:
    """Rows of `store.associated_by_type` per (record, type): the total and the records listed,
    in rank order, each with its labels and whether it is the Primary."""
    totals: dict[tuple[int, str], int] = {}
    found: dict[tuple[int, str], dict[int, _Listed]] = {}
    for from_id, to_type, total, _, to_id, name, label_id in rows:
        key = (from_id, to_type)
        totals[key] = total
        listed = found.setdefault(key, {}).setdefault(to_id, _Listed(name))
        label = schema.types.get(label_id) if label_id is not None else None
        if label is None:
            continue
        if label.kind is Kind.PRIMARY:
            listed.primary = True
        elif label.label:
            listed.labels.append(label.label)
    return {
        key: (
            totals[key],
            [AssociatedRecord(i, e.name, sorted(e.labels), e.primary) for i, e in listed.items()],
        )
        for key, listed in found.items()
    }


def _card_order(object_type: ObjectType) -> tuple[int, str]:
    rank = _CARD_ORDER.get(object_type.id, 4 if not object_type.is_activity else 5)
    return rank, object_type.plural


def _record(row: tuple[Any, ...]) -> Record:
    """A Record with the fields its __init__ would set, set at once: a frozen dataclass's
    __init__ sets each of its nine fields through `object.__setattr__`, which costs more than
    the rest of reading a row, and a page makes up to MAX_PAGE records (a test holds the two
    ways equal). The properties are the page's own dict (`store._records`)."""
    record_id, type_id, properties, name, created_at, updated_at = row
    record: Record = _new_object(Record)
    vars(record).update(
        id=record_id,
        type_id=type_id,
        properties=properties,
        created_at=to_datetime(created_at),
        updated_at=to_datetime(updated_at),
        archived=False,
        archived_at=None,
        merged_into=None,
        name=name,
    )
    return record


_new_object = object.__new__

"""Reads for people browsing: a searchable, filtered, sorted page of records (keyset paging),
all the IDs such a view matches (in batches), and records' associations grouped by type, each in
one statement whatever the page or record holds."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Select,
    TextClause,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    text,
)

from liaison.domain.object_types import COMPANIES
from liaison.storage import bulk, fetch
from liaison.storage.tables import association_labels, associations, records

Row = tuple[Any, ...]
Page = tuple[list[Row], int]
"""A page's records (ID, type, properties, name, created at, updated at) and how many match,
up to the cap + 1."""


@dataclass(frozen=True)
class Matching:
    """Which records of a type a view shows: the search on the display name (ignoring case) and
    any further conditions (see `associated_with`, `has_none`, `at_least`, `primary_property`)."""

    account_id: int
    type_id: str
    search: str = ""
    conditions: tuple[ColumnElement[bool], ...] = ()

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions, with the account, type and search as parameters (see `params`)."""
        return _where(searched=bool(self.search)) + list(self.conditions)

    def params(self) -> dict[str, Any]:
        escaped = self.search.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
        return {"account": self.account_id, "type_id": self.type_id, "pattern": f"%{escaped}%"}


def _where(*, searched: bool) -> list[ColumnElement[bool]]:
    r = records.c
    where = [
        r.account_id == bindparam("account"),
        r.type_id == bindparam("type_id"),
        r.archived.is_(False),
    ]
    if searched:
        where.append(func.lower(r.name).like(bindparam("pattern"), escape="/"))
    return where


def associated_with(account_id: int, record_id: int, type_id: str) -> ColumnElement[bool]:
    """The records of `type_id` associated with record `record_id`: its rows towards that type,
    one primary-key range."""
    a = associations.c
    theirs = select(a.to_id).where(
        a.account_id == account_id, a.from_id == record_id, a.to_type == type_id
    )
    return records.c.id.in_(theirs)


def has_none(to_type: str) -> ColumnElement[bool]:
    """Records with no association to any record of `to_type`."""
    a, r = associations.c, records.c
    return not_(
        exists().where(a.account_id == r.account_id, a.from_id == r.id, a.to_type == to_type)
    )


def at_least(to_type: str, count: int, *, label_id: int | None = None) -> ColumnElement[bool]:
    """Records associated with at least `count` live records of `to_type` (through label
    `label_id` when given): an `EXISTS` that finds the `count`-th such row and stops there, one
    range of the associations' (or the labels') primary key per record. Each associated record
    is one row either way: one association row per direction, one label row per label."""
    r = records.c
    counted = records.alias("counted")
    if label_id is None:
        a = associations.c
        via = [a.account_id == r.account_id, a.from_id == r.id, a.to_type == to_type]
        to_id = a.to_id
    else:
        lab = association_labels.c
        via = [
            lab.account_id == r.account_id,
            lab.from_id == r.id,
            lab.to_type == to_type,
            lab.type_id == label_id,
        ]
        to_id = lab.to_id
    live = [
        counted.c.account_id == r.account_id,
        counted.c.id == to_id,
        counted.c.archived.is_(False),
    ]
    nth = select(literal(1)).where(*via, *live).limit(1).offset(count - 1)
    return nth.exists()


def primary_property(
    primary_type_id: int, name: str, value: str, *, contains: bool
) -> ColumnElement[bool]:
    """Records whose primary company (association type `primary_type_id`) has property `name`
    equal to `value` or containing it, ignoring case."""
    lab, r = association_labels.c, records.c
    company = records.alias("primary_company")
    text = func.lower(company.c.properties[name].as_string())
    compared = text.contains(value.lower(), autoescape=True) if contains else text == value.lower()
    return exists().where(
        lab.account_id == r.account_id,
        lab.from_id == r.id,
        lab.type_id == primary_type_id,
        company.c.account_id == lab.account_id,
        company.c.id == lab.to_id,
        compared,
    )


def count_records(conn: Connection, matching: Matching, *, cap: int) -> int:
    """How many records match, counting no further than `cap` + 1: a page says "1,000+"
    rather than reading every index entry of a large type on each view."""
    statement = _count(matching)
    params = {**matching.params(), "cap": cap + 1}
    return int(_rows(conn, statement, params, matching)[0][0])


def ids_after(conn: Connection, matching: Matching, *, after: int, limit: int) -> list[int]:
    """The IDs of matching records above `after`, ascending: keyset batches of a whole view."""
    r = records.c
    statement = (
        select(r.id)
        .where(*matching.where(), r.id > bindparam("after"))
        .order_by(r.id)
        .limit(bindparam("limit"))
    )
    params = {**matching.params(), "after": after, "limit": limit}
    return [int(row[0]) for row in conn.execute(statement, params)]


def page_by_name(
    conn: Connection,
    matching: Matching,
    *,
    after: tuple[str, int] | None,
    descending: bool,
    limit: int,
    cap: int,
) -> Page:
    """Records ordered by display name then ID; `after` is the last (name, ID) seen."""
    statement = _page(matching, by_name=True, descending=descending, keyed=after is not None)
    params = {**matching.params(), "limit": limit, "cap": cap + 1}
    if after is not None:
        params["after_name"], params["after"] = after
    return _counted(conn, matching, _rows(conn, statement, params, matching), after, cap)


def page_by_id(
    conn: Connection,
    matching: Matching,
    *,
    after: int | None,
    descending: bool,
    limit: int,
    cap: int,
) -> Page:
    """Records in creation order (IDs are handed out in creation order); `after`: the last ID."""
    statement = _page(matching, by_name=False, descending=descending, keyed=after is not None)
    params = {**matching.params(), "limit": limit, "cap": cap + 1}
    if after is not None:
        params["after"] = after
    return _counted(conn, matching, _rows(conn, statement, params, matching), after, cap)


def _counted(conn: Connection, matching: Matching, rows: list[Row], after: Any, cap: int) -> Page:
    """The page's records and the count its statement carried on every row; a page past the
    last record has no row to carry it, so it is counted apart."""
    if rows:
        total = int(rows[0][-1])
    else:
        total = count_records(conn, matching, cap=cap) if after is not None else 0
    return _records([row[:-1] for row in rows]), total


def _page(matching: Matching, *, by_name: bool, descending: bool, keyed: bool) -> Select[Any]:
    if matching.conditions:
        return _page_statement(matching.where(), by_name, descending, keyed, walk_index=False)
    return _plain_page(bool(matching.search), by_name, descending, keyed)


def _count(matching: Matching) -> Select[Any]:
    if matching.conditions:
        return _count_statement(matching.where(), walk_index=False)
    return _plain_count(bool(matching.search))


@functools.cache
def _plain_page(searched: bool, by_name: bool, descending: bool, keyed: bool) -> Select[Any]:
    """A page with no conditions but the search: built once per shape, so it runs through the
    driver (`fetch.seen_rows`): this is every index page that is not filtered."""
    where = _where(searched=searched)
    return _page_statement(where, by_name, descending, keyed, walk_index=not searched)


@functools.cache
def _plain_count(searched: bool) -> Select[Any]:
    return _count_statement(_where(searched=searched), walk_index=not searched)


def _page_statement(
    where: list[ColumnElement[bool]],
    by_name: bool,
    descending: bool,
    keyed: bool,
    *,
    walk_index: bool,
) -> Select[Any]:
    r = records.c
    total = _count_statement(where, walk_index=walk_index).scalar_subquery().label("total")
    where = list(where)
    after: BindParameter[Any] = bindparam("after")
    after_name: BindParameter[Any] = bindparam("after_name")
    order: tuple[ColumnElement[Any], ...]
    if by_name:
        if keyed:
            before = or_(r.name < after_name, and_(r.name == after_name, r.id < after))
            beyond = or_(r.name > after_name, and_(r.name == after_name, r.id > after))
            where.append(before if descending else beyond)
        order = (r.name.desc(), r.id.desc()) if descending else (r.name, r.id)
    else:
        if keyed:
            where.append(r.id < after if descending else r.id > after)
        order = (r.id.desc(),) if descending else (r.id,)
    return select(*_COLUMNS, total).where(*where).order_by(*order).limit(bindparam("limit"))


def _count_statement(where: list[ColumnElement[bool]], *, walk_index: bool) -> Select[Any]:
    """At most `cap` matching records, counted; in a page's statement, a subquery that its own
    FROM keeps apart from the page's. With `walk_index` (a view with no search and no filter,
    whose conditions are the type's index), ordered by ID, so that PostgreSQL walks that index
    rather than scanning the table until it has met `cap` records of the type (after all the
    other types' rows, when the type's records came last). A search or a filter is left
    unordered: the index would not answer it, and an order would make PostgreSQL read every
    match to sort them when it underestimates how many there are."""
    some = select(literal(1)).select_from(records).where(*where)
    if walk_index:
        some = some.order_by(records.c.id)
    some = some.limit(bindparam("cap"))
    return select(func.count()).select_from(some.subquery()).correlate(None)


def _rows(
    conn: Connection, statement: Select[Any], params: dict[str, Any], matching: Matching
) -> list[Row]:
    """Plain views run prebuilt statements compiled once (`fetch.seen_rows`); filtered ones,
    built for their filters, through SQLAlchemy."""
    if matching.conditions:
        return [tuple(row) for row in conn.execute(statement, params)]
    return fetch.seen_rows(conn, statement, params)


def _records(rows: list[Row]) -> list[Row]:
    """Properties as a dict: the driver gives SQLite's JSON as text."""
    return [
        (i, t, orjson.loads(p) if isinstance(p, str) else p, n, c, u) for i, t, p, n, c, u in rows
    ]


_COLUMNS = (
    records.c.id,
    records.c.type_id,
    records.c.properties,
    records.c.name,
    records.c.created_at,
    records.c.updated_at,
)


def associated_by_type(
    conn: Connection,
    account_id: int,
    record_ids: Sequence[int],
    *,
    per_type: int,
    to_types: Sequence[str] | None = None,
) -> list[Row]:
    """The records' associations to each object type (or to `to_types` only): the first
    `per_type` of each record and type (exclusive labels such as Primary first, then the most
    recent), each with that record's total for the type, the associated record's name and one
    of its label type IDs per row (None when unlabelled).
    Rows: (from ID, to type, total, rank, to ID, to name, label type ID or None)."""
    a, lab, r = associations.c, association_labels.c, records.c
    holds_exclusive = exists().where(
        lab.account_id == a.account_id,
        lab.from_id == a.from_id,
        lab.to_id == a.to_id,
        lab.exclusive,
    )
    each = (a.from_id, a.to_type)
    where = [a.account_id == account_id, a.from_id.in_(record_ids)]
    if to_types is not None:
        where.append(a.to_type.in_(to_types))
    ranked = (
        select(
            a.from_id,
            a.to_type,
            a.to_id,
            func.count().over(partition_by=each).label("total"),
            func.row_number()
            .over(
                partition_by=each,
                order_by=(case((holds_exclusive, 0), else_=1), a.created_at.desc(), a.to_id),
            )
            .label("rank"),
        )
        .where(*where)
        .subquery()
    )
    named = ranked.join(records, and_(r.account_id == account_id, r.id == ranked.c.to_id))
    labelled = named.outerjoin(
        association_labels,
        and_(
            lab.account_id == account_id,
            lab.from_id == ranked.c.from_id,
            lab.to_id == ranked.c.to_id,
        ),
    )
    statement = (
        select(
            ranked.c.from_id,
            ranked.c.to_type,
            ranked.c.total,
            ranked.c.rank,
            ranked.c.to_id,
            r.name,
            lab.type_id,
        )
        .select_from(labelled)
        .where(ranked.c.rank <= per_type)
        .order_by(ranked.c.from_id, ranked.c.to_type, ranked.c.rank)
    )
    return [tuple(row) for row in conn.execute(statement)]


def _listed(dialect: str, name: str, sql_type: str) -> str:
    """`IN :name` with the whole list as one parameter (see `bulk.listed`): a PostgreSQL array
    or a JSON array for SQLite's json_each, so the statement text never changes."""
    if dialect == "postgresql":
        return f"= ANY(CAST(:{name} AS {sql_type}[]))"
    return f"IN (SELECT value FROM json_each(:{name}))"


PRIMARY_ROW = ""
"""The `to_type` of the rows that give a record's primary company, in `cells`' answer."""


def _cells_statement(dialect: str) -> TextClause:
    ids = _listed(dialect, "ids", "bigint")
    return text(
        f"""
        SELECT g.from_id, g.to_type, g.total, a.to_id, r.name
        FROM (
            SELECT from_id, to_type, count(*) AS total FROM associations
            WHERE account_id = :account AND from_id {ids}
              AND to_type {_listed(dialect, "types", "text")}
            GROUP BY from_id, to_type
        ) g
        LEFT JOIN associations a
          ON g.total <= :shown AND a.account_id = :account AND a.from_id = g.from_id
         AND a.to_type = g.to_type
        LEFT JOIN records r ON r.account_id = :account AND r.id = a.to_id
        UNION ALL
        SELECT p.from_id, '{PRIMARY_ROW}', 1, p.to_id, c.name
        FROM association_labels p
        JOIN records c ON c.account_id = p.account_id AND c.id = p.to_id
        WHERE :primaries AND p.account_id = :account AND p.from_id {ids}
          AND p.to_type = :companies AND p.type_id = :primary
        """
    )


_DIALECTS = ("sqlite", "postgresql")
_CELLS = {d: _cells_statement(d) for d in _DIALECTS}


def cells(
    conn: Connection,
    account_id: int,
    record_ids: Sequence[int],
    to_types: Sequence[str],
    *,
    shown: int,
    primary_type_id: int | None,
    primaries: bool,
) -> list[Row]:
    """Index cells: for each record and type of `to_types` with associations, how many there
    are and, when at most `shown`, the associated records' IDs and names; with `primaries`,
    also each record's primary company (association type `primary_type_id`), in rows whose
    type is PRIMARY_ROW. One statement, written out (it runs on every index page): the counts
    come from the primary key alone, the names only for the cells that show them, the
    primaries from the labels' primary key.
    Rows: (from ID, to type, total, to ID or None, to name or None)."""
    params = {
        "account": account_id,
        "ids": bulk.id_list(conn, record_ids),
        "types": list(to_types) if _is_postgres(conn) else json.dumps(list(to_types)),
        "shown": shown,
        "primary": primary_type_id if primary_type_id is not None else -1,
        "primaries": primaries and primary_type_id is not None,
        "companies": COMPANIES,
    }
    return fetch.seen_rows(conn, _CELLS[conn.dialect.name], params)


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"

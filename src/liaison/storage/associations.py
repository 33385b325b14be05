"""Associations: loading the part of the graph a change needs, writing the change back, paging.

Loading and writing are set-based: a batch of N associations costs a few statements, not N.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
import psycopg
from sqlalchemy import ColumnElement, Connection, bindparam, func, select, text
from sqlalchemy.exc import IntegrityError

from liaison.domain.association_types import Kind
from liaison.domain.graph import Graph, NewLink, Pair, RecordInfo
from liaison.domain.object_types import COMPANIES
from liaison.domain.schema import Schema
from liaison.storage import bulk, fetch
from liaison.storage.records import get_infos
from liaison.storage.tables import association_labels, associations, records

_a, _labels_c, _r = associations.c, association_labels.c, records.c
_new_tuple = tuple.__new__
Key = tuple[int, str, int]
"""(from ID, to object type, to ID): the primary key of one direction, account aside."""


@dataclass
class Needs:
    """What a change must see of the graph."""

    records: set[int] = field(default_factory=set)
    pairs: set[Pair] = field(default_factory=set)
    everything_of: set[int] = field(default_factory=set)
    """Records whose every association is loaded (deletion, merge)."""
    primary_rules: bool = False
    """Load every company of the contacts involved, to apply P3/P4 when companies go."""
    holder_links: bool = False
    """Load the association each involved record's primary points to, to replace it (P2)."""


def load_graph(conn: Connection, account_id: int, schema: Schema, needs: Needs) -> Graph:
    graph = Graph()
    _add_records(graph, schema, get_infos(conn, account_id, needs.records))
    rows: dict[Pair, tuple[str, int]] = {}
    if needs.everything_of:
        rows.update(_rows_from(conn, account_id, needs.everything_of))
    rows.update(_rows_for_pairs(conn, account_id, _keys(graph, needs.pairs)))
    if needs.primary_rules:
        contacts = _requiring_primary(graph, schema, rows)
        rows.update(_rows_from(conn, account_id, contacts, to_type=COMPANIES))
        graph.neighbors.update({(c, COMPANIES): set() for c in contacts})
    known = set(graph.records) | {to for _, to in rows}
    holders = _exclusive_holders(conn, account_id, known)
    graph.holders.update(holders)
    if needs.holder_links:
        missing = [
            (holder, schema.types[type_id].to_type, target)
            for (holder, type_id), target in holders.items()
            if (holder, target) not in rows
        ]
        rows.update(_rows_for_pairs(conn, account_id, missing))
    keys = [(f, to_type, t) for (f, t), (to_type, _) in rows.items()]
    labels = _labels(conn, account_id, keys, needs.everything_of)
    ids = {i for pair in rows for i in pair} | set(holders.values())
    _add_records(graph, schema, get_infos(conn, account_id, ids - graph.records.keys()))
    _add_links(graph, schema, rows, labels)
    for (from_id, to_id), (to_type, _) in rows.items():
        if (from_id, to_type) in graph.neighbors and (from_id, to_id) in graph.links:
            graph.neighbors[(from_id, to_type)].add(to_id)
    graph.counts.update(_counts(conn, account_id, schema, graph))
    return graph


def _keys(graph: Graph, pairs: Iterable[Pair]) -> list[Key]:
    """Primary keys of these directions, for the records that exist."""
    records = graph.records
    return [(f, records[t].type_id, t) for f, t in pairs if f in records and t in records]


def write_changes(conn: Connection, account_id: int, schema: Schema, graph: Graph) -> int:
    """Write what the planner changed in `graph`; return the number of directions changed."""
    changed = graph.changed_pairs()
    removed_pairs: list[tuple[int, int, str, int]] = []
    added_rows: list[tuple[int, int, str, int, int]] = []
    removed_labels: list[tuple[int, int, str, int, int]] = []
    added_labels: list[tuple[int, int, str, int, int, bool]] = []
    types = schema.types
    for (from_id, to_id), (before, after) in changed.items():
        key = (account_id, from_id, graph.records[to_id].type_id, to_id)
        if after is None:
            removed_pairs.append(key)
            continue
        if before is None:
            added_rows.append((*key, graph.since[(from_id, to_id)]))
            before = frozenset()
        for type_id in before - after:
            if types[type_id].kind is not Kind.UNLABELED:
                removed_labels.append((*key, type_id))
        for type_id in after - before:
            if types[type_id].kind is not Kind.UNLABELED:
                added_labels.append((*key, type_id, types[type_id].exclusive))
    pair_key = ("account_id", "from_id", "to_type", "to_id")
    bulk.delete(conn, association_labels, (*pair_key, "type_id"), removed_labels)
    bulk.delete(conn, association_labels, pair_key, removed_pairs)
    bulk.delete(conn, associations, pair_key, removed_pairs)
    bulk.insert(conn, associations, (*pair_key, "created_at"), added_rows)
    bulk.insert(conn, association_labels, (*pair_key, "type_id", "exclusive"), added_labels)
    return len(changed)


def load_for_new(
    conn: Connection,
    account_id: int,
    schema: Schema,
    pairs: Sequence[Pair],
    given: Mapping[int, RecordInfo] | None = None,
) -> Graph:
    """What `Planner.associate_new` reads: the records, and the exclusive types held by those
    that require a primary. Whether a pair is associated already is not read: `write_new`
    finds out by inserting (see `AlreadyAssociated`). `given`: records as the caller knows
    them in this transaction, taken as they are (not read), each either holding no label (made
    by it, or known to have no association with a company) or of a type that requires no
    primary company (whose labels are not read)."""
    graph = Graph()
    given = given or {}
    wanted = {i for pair in pairs for i in pair}.difference(given)
    ids = bulk.id_list(conn, wanted)
    params = {"account": account_id, "ids": ids}
    infos = fetch.all_rows(conn, _INFOS[conn.dialect.name], params) if wanted else []
    known, found = schema.object_types, graph.records
    for record_id, type_id, name, archived, merged_into in infos:
        if type_id in known:
            found[record_id] = _new_tuple(
                RecordInfo, (record_id, type_id, name, bool(archived), merged_into)
            )
    requiring = [r.id for r in found.values() if known[r.type_id].requires_primary_company]
    if requiring:
        graph.holders.update(_exclusive_holders(conn, account_id, requiring))
    found.update(given)
    return graph


_INFOS = {
    dialect: select(_r.id, _r.type_id, _r.name, _r.archived, _r.merged_into).where(
        _r.account_id == bindparam("account"), bulk.listed(dialect, _r.id, "ids")
    )
    for dialect in ("sqlite", "postgresql")
}
"""`records.get_infos`, as a prebuilt statement for `fetch`."""


class AlreadyAssociated(Exception):
    """`write_new` met an association that exists: part of the batch may be written, so the
    transaction must be rolled back (the batch then goes the general way)."""


def write_new(
    conn: Connection, account_id: int, schema: Schema, links: Sequence[NewLink], *, now: int
) -> None:
    """Write new associations (`Planner.associate_new`): both directions and their labels.
    Raises `AlreadyAssociated` if one of them exists (the primary key refuses it), which
    costs nothing when none does, unlike reading every pair first."""
    rows: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)  # by to_type
    labels: defaultdict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    labelled = {t.id for t in schema.types.values() if t.kind is not Kind.UNLABELED}
    for x, y, forward, back in links:
        rows[y.type_id].append((x.id, y.id))
        rows[x.type_id].append((y.id, x.id))
        if len(forward) > 1:
            for start, end, types in ((x, y, forward), (y, x, back)):
                for t in types:
                    if t in labelled:
                        labels[end.type_id, t].append((start.id, end.id))
    account: dict[str, int | str] = {"account_id": account_id}
    ends = ("from_id", "to_id")
    try:
        for to_type, pairs in rows.items():
            same = {**account, "to_type": to_type, "created_at": now}
            bulk.insert(conn, associations, ends, pairs, same=same)
    except (IntegrityError, psycopg.errors.UniqueViolation) as error:
        raise AlreadyAssociated from error
    for (to_type, type_id), pairs in labels.items():
        exclusive = schema.types[type_id].exclusive
        label = {**account, "to_type": to_type, "type_id": type_id, "exclusive": exclusive}
        bulk.insert(conn, association_labels, ends, pairs, same=label)


_PAGE = (
    select(_a.to_id)
    .where(
        _a.account_id == bindparam("account"),
        _a.from_id == bindparam("record"),
        _a.to_type == bindparam("to_type"),
        _a.to_id > bindparam("after"),
    )
    .order_by(_a.to_id)
    .limit(bindparam("limit"))
)
_PAGE_LABELS = select(_labels_c.to_id, _labels_c.type_id).where(
    _labels_c.account_id == bindparam("account"),
    _labels_c.from_id == bindparam("record"),
    _labels_c.to_type == bindparam("to_type"),
    _labels_c.to_id.between(bindparam("first"), bindparam("last")),
)


def page(
    conn: Connection,
    account_id: int,
    from_id: int,
    to_type: str,
    *,
    after: int,
    limit: int,
) -> list[tuple[int, list[int]]]:
    """One page of a record's associations to one object type, by target ID (A9): each target
    with its label type IDs (the base type is implied). Two index range scans whatever the
    record's total: the targets, then the labels between the first and last (cheaper than a
    probe per row). `record_page` is the same page in one statement."""
    params = _page_params(account_id, from_id, to_type, after, limit)
    targets = [t for (t,) in fetch.all_rows(conn, _PAGE, params)]
    if not targets:
        return []
    bounds = {"first": targets[0], "last": targets[-1]}
    labels = _by_target(fetch.all_rows(conn, _PAGE_LABELS, params | bounds))
    return [(t, labels.get(t, _NO_LABELS)) for t in targets]


_NO_LABELS: list[int] = []


def _page_params(
    account_id: int, from_id: int, to_type: str, after: int, limit: int
) -> dict[str, Any]:
    return {
        "account": account_id,
        "record": from_id,
        "to_type": to_type,
        "after": after,
        "limit": limit,
    }


def _by_target(pairs: Iterable[Sequence[int]]) -> dict[int, list[int]]:
    """(target, label type) pairs as each target's label type IDs."""
    labels: dict[int, list[int]] = {}
    for to_id, type_id in pairs:
        labels.setdefault(to_id, []).append(type_id)
    return labels


class RecordPage(NamedTuple):
    """`record_page`: what a read of one page of a record's associations needs, read at once."""

    record_type: str | None
    """None when there is no such record."""
    schema_version: int | None
    """The account's schema version (None when there is no such account)."""
    targets: list[int]
    labels: dict[int, list[int]]
    """Label type IDs of the targets that have labels (the base type is implied)."""


def record_page(
    conn: Connection,
    account_id: int,
    from_id: int,
    to_type: str,
    *,
    after: int,
    limit: int,
) -> RecordPage:
    """`page` with the record's type and the schema version, in one statement: the targets by
    one index range scan, and their labels by another, up to the last target."""
    params = _page_params(account_id, from_id, to_type, after, limit)
    postgres = conn.dialect.name == "postgresql"
    ((record_type, version, targets, pairs),) = fetch.all_rows(
        conn, _RECORD_PAGE[conn.dialect.name], params, binary=postgres
    )
    if not postgres:  # SQLite has no arrays: the lists come as JSON
        targets, pairs = orjson.loads(targets), orjson.loads(pairs)
        targets.sort()  # in order already, in fact; SQL does not promise an aggregate's order
    labels = _by_target(pairs or ())
    return RecordPage(record_type, None if version is None else int(version), targets, labels)


_RECORD_HEAD = """
    (SELECT type_id FROM records WHERE account_id = :account AND id = :record),
    (SELECT value FROM counters WHERE account_id = :account AND name = 'schema')"""
_TARGETS = """
    SELECT to_id FROM associations
    WHERE account_id = :account AND from_id = :record AND to_type = :to_type AND to_id > :after
    ORDER BY to_id LIMIT :limit"""
_LABELS_UP_TO = """
    FROM association_labels
    WHERE account_id = :account AND from_id = :record AND to_type = :to_type AND to_id > :after
      AND to_id <= """
_RECORD_PAGE = {
    # The page is read once, as an array (MATERIALIZED: else the planner copies it into the
    # labels' bound and reads it again); its last target bounds the labels' range scan.
    "postgresql": text(
        f"""
        WITH page AS MATERIALIZED (SELECT ARRAY({_TARGETS}) AS targets)
        SELECT {_RECORD_HEAD}, page.targets,
            (SELECT array_agg(ARRAY[to_id, type_id]) {_LABELS_UP_TO}
                page.targets[cardinality(page.targets)])
        FROM page
        """
    ),
    "sqlite": text(
        f"""
        WITH page AS ({_TARGETS})
        SELECT {_RECORD_HEAD},
            (SELECT json_group_array(to_id) FROM page),
            (SELECT json_group_array(json_array(to_id, type_id)) {_LABELS_UP_TO}
                (SELECT max(to_id) FROM page))
        """
    ),
}


def count_between_types(conn: Connection, account_id: int, from_type: str, to_type: str) -> int:
    """How many associations go from records of one type to records of another."""
    a, r = associations.c, records.c
    statement = (
        select(func.count())
        .select_from(
            associations.join(records, (r.account_id == a.account_id) & (r.id == a.from_id))
        )
        .where(a.account_id == account_id, a.to_type == to_type, r.type_id == from_type)
    )
    return int(conn.execute(statement).scalar_one())


# -- loading helpers ---------------------------------------------------------------------------
def _add_records(graph: Graph, schema: Schema, rows: list[tuple[Any, ...]]) -> None:
    known = schema.object_types
    for record_id, type_id, name, archived, merged_into in rows:
        if type_id in known:
            graph.records[record_id] = RecordInfo(
                record_id, type_id, name, bool(archived), merged_into
            )


def _association_rows(
    conn: Connection, account_id: int, *conditions: ColumnElement[bool]
) -> dict[Pair, tuple[str, int]]:
    a = associations.c
    rows = conn.execute(
        select(a.from_id, a.to_id, a.to_type, a.created_at).where(
            a.account_id == account_id, *conditions
        )
    ).all()
    return {(f, t): (to_type, at) for f, t, to_type, at in rows}


def _rows_from(
    conn: Connection, account_id: int, ids: Iterable[int], *, to_type: str | None = None
) -> dict[Pair, tuple[str, int]]:
    """Every association of these records (to one object type, if given)."""
    a = associations.c
    typed = [a.to_type == to_type] if to_type else []
    return _association_rows(conn, account_id, bulk.ids_in(conn, a.from_id, ids), *typed)


def _rows_for_pairs(
    conn: Connection, account_id: int, keys: Iterable[Key]
) -> dict[Pair, tuple[str, int]]:
    """The rows of these directions, each by its primary key."""
    columns = ("from_id", "to_id", "to_type", "created_at")
    rows = bulk.lookup(conn, associations, columns, account_id, list(keys))
    return {(f, t): (to_type, at) for f, t, to_type, at in rows}


def _requiring_primary(graph: Graph, schema: Schema, rows: dict[Pair, tuple[str, int]]) -> set[int]:
    def requires(type_id: str) -> bool:
        found = schema.object_types.get(type_id)
        return found is not None and found.requires_primary_company

    contacts = {r.id for r in graph.records.values() if requires(r.type_id)}
    return contacts | {to for (_, to), (to_type, _) in rows.items() if requires(to_type)}


def _exclusive_holders(
    conn: Connection, account_id: int, ids: Iterable[int]
) -> dict[tuple[int, int], int]:
    params = {"account": account_id, "ids": bulk.id_list(conn, ids)}
    rows = fetch.all_rows(conn, _EXCLUSIVE_HOLDERS[conn.dialect.name], params)
    return {(f, t): to for f, t, to in rows}


_EXCLUSIVE_HOLDERS = {
    dialect: select(_labels_c.from_id, _labels_c.type_id, _labels_c.to_id).where(
        _labels_c.account_id == bindparam("account"),
        bulk.listed(dialect, _labels_c.from_id, "ids"),
        _labels_c.exclusive,
    )
    for dialect in ("sqlite", "postgresql")
}


def _labels(
    conn: Connection, account_id: int, keys: Iterable[Key], everything_of: set[int]
) -> dict[Pair, set[int]]:
    """The labels on these directions, and on every association of `everything_of`."""
    labels = association_labels.c
    found: dict[Pair, set[int]] = defaultdict(set)
    rows = bulk.lookup(
        conn,
        association_labels,
        ("from_id", "to_id", "type_id"),
        account_id,
        [k for k in keys if k[0] not in everything_of],
    )
    if everything_of:
        rows += conn.execute(
            select(labels.from_id, labels.to_id, labels.type_id).where(
                labels.account_id == account_id, bulk.ids_in(conn, labels.from_id, everything_of)
            )
        ).all()
    for f, t, type_id in rows:
        found[(f, t)].add(type_id)
    return found


def _add_links(
    graph: Graph, schema: Schema, rows: dict[Pair, tuple[str, int]], labels: dict[Pair, set[int]]
) -> None:
    records, known = graph.records, schema.types
    for (from_id, to_id), (_, created_at) in rows.items():
        x, y = records.get(from_id), records.get(to_id)
        if x is None or y is None or not schema.is_defined(x.type_id, y.type_id):
            continue
        types = frozenset(
            t
            for t in (schema.unlabeled_id(x.type_id, y.type_id), *labels.get((from_id, to_id), ()))
            if t in known
        )
        graph.links[(from_id, to_id)] = types
        graph.links[(to_id, from_id)] = schema.inverse_set(types)
        graph.since[(from_id, to_id)] = graph.since[(to_id, from_id)] = created_at


def _counts(
    conn: Connection, account_id: int, schema: Schema, graph: Graph
) -> dict[tuple[int, int], int]:
    """Current counts of every limited type for the loaded records (A6)."""
    limited = [schema.types[t] for t in schema.limits if t in schema.types]
    if not limited:
        return {}
    counts: dict[tuple[int, int], int] = {}
    by_type: dict[str, list[int]] = defaultdict(list)
    for record in graph.records.values():
        by_type[record.type_id].append(record.id)
    for assoc_type in limited:
        ids = by_type.get(assoc_type.from_type, [])
        for record_id in ids:
            counts[(record_id, assoc_type.id)] = 0
        if not ids:
            continue
        if assoc_type.kind is Kind.UNLABELED:
            table, condition = associations, associations.c.to_type == assoc_type.to_type
        else:
            table, condition = association_labels, association_labels.c.type_id == assoc_type.id
        rows = conn.execute(
            select(table.c.from_id, func.count())
            .where(
                table.c.account_id == account_id,
                bulk.ids_in(conn, table.c.from_id, ids),
                condition,
            )
            .group_by(table.c.from_id)
        )
        counts.update({(f, assoc_type.id): n for f, n in rows})
    return counts


def associated_with(
    conn: Connection, account_id: int, from_ids: Sequence[int], to_type: str, to_id: int
) -> set[int]:
    """Which of `from_ids` are associated with record `to_id` (of type `to_type`): one
    primary-key lookup each."""
    a = associations.c
    rows = conn.execute(
        select(a.from_id).where(
            a.account_id == account_id,
            bulk.ids_in(conn, a.from_id, from_ids),
            a.to_type == to_type,
            a.to_id == to_id,
        )
    )
    return {int(row[0]) for row in rows}

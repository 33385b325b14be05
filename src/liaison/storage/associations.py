"""Associations: loading the part of the graph a change needs, writing the change back, paging.

Loading and writing are set-based: a batch of N associations costs a few statements, not N.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, select

from liaison.domain.association_types import Kind
from liaison.domain.graph import Graph, Pair, RecordInfo
from liaison.domain.object_types import COMPANIES
from liaison.domain.schema import Schema
from liaison.storage import bulk
from liaison.storage.records import chunked, get_infos
from liaison.storage.tables import association_labels, associations

_PAIR_CHUNK = 2_000


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
    for batch in chunked(needs.everything_of):
        rows.update(_association_rows(conn, account_id, associations.c.from_id.in_(batch)))
    rows.update(_rows_for_pairs(conn, account_id, needs.pairs))
    if needs.primary_rules:
        contacts = _requiring_primary(graph, schema, rows)
        for batch in chunked(contacts):
            rows.update(
                _association_rows(
                    conn,
                    account_id,
                    and_(associations.c.from_id.in_(batch), associations.c.to_type == COMPANIES),
                )
            )
        graph.neighbors.update({(c, COMPANIES): set() for c in contacts})
    known = set(graph.records) | {to for _, to in rows}
    holders = _exclusive_holders(conn, account_id, known)
    graph.holders.update(holders)
    if needs.holder_links:
        missing = {(f, t) for (f, _), t in holders.items()} - rows.keys()
        rows.update(_rows_for_pairs(conn, account_id, missing))
    labels = _labels(conn, account_id, rows.keys(), needs.everything_of)
    ids = {i for pair in rows for i in pair} | set(holders.values())
    _add_records(graph, schema, get_infos(conn, account_id, ids - graph.records.keys()))
    _add_links(graph, schema, rows, labels)
    for (from_id, to_id), (to_type, _) in rows.items():
        if (from_id, to_type) in graph.neighbors and (from_id, to_id) in graph.links:
            graph.neighbors[(from_id, to_type)].add(to_id)
    graph.counts.update(_counts(conn, account_id, schema, graph))
    return graph


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


def page(
    conn: Connection, account_id: int, from_id: int, to_type: str, *, after: int, limit: int
) -> list[tuple[int, set[int]]]:
    """One page of a record's associations to one object type, by target ID (A9).

    Two index range scans whatever the record's total: the rows, then the labels between the
    page's first and last target. The base type is not included in the returned sets.
    """
    targets = [
        int(to_id)
        for (to_id,) in conn.execute(
            select(associations.c.to_id)
            .where(
                associations.c.account_id == account_id,
                associations.c.from_id == from_id,
                associations.c.to_type == to_type,
                associations.c.to_id > after,
            )
            .order_by(associations.c.to_id)
            .limit(limit)
        )
    ]
    if not targets:
        return []
    labels: dict[int, set[int]] = defaultdict(set)
    for to_id, type_id in conn.execute(
        select(association_labels.c.to_id, association_labels.c.type_id).where(
            association_labels.c.account_id == account_id,
            association_labels.c.from_id == from_id,
            association_labels.c.to_type == to_type,
            association_labels.c.to_id.between(targets[0], targets[-1]),
        )
    ):
        labels[int(to_id)].add(int(type_id))
    return [(t, labels.get(t, set())) for t in targets]


def count(conn: Connection, account_id: int, from_id: int, to_type: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(associations)
            .where(
                associations.c.account_id == account_id,
                associations.c.from_id == from_id,
                associations.c.to_type == to_type,
            )
        ).scalar_one()
    )


# -- loading helpers ---------------------------------------------------------------------------
def _add_records(graph: Graph, schema: Schema, rows: list[Any]) -> None:
    for row in rows:
        if row.type_id in schema.object_types:
            graph.records[row.id] = RecordInfo(
                row.id, row.type_id, row.name, row.archived, row.merged_into
            )


def _association_rows(
    conn: Connection, account_id: int, condition: Any
) -> dict[Pair, tuple[str, int]]:
    rows = conn.execute(
        select(
            associations.c.from_id,
            associations.c.to_id,
            associations.c.to_type,
            associations.c.created_at,
        ).where(associations.c.account_id == account_id, condition)
    )
    return {(int(f), int(t)): (to_type, int(at)) for f, t, to_type, at in rows}


def _rows_for_pairs(
    conn: Connection, account_id: int, pairs: Iterable[Pair]
) -> dict[Pair, tuple[str, int]]:
    """The rows of these directions. Queried by both IN-lists (an index range per from record),
    which both stores plan well, then narrowed to the exact pairs."""
    wanted = set(pairs)
    found: dict[Pair, tuple[str, int]] = {}
    for batch in chunked(wanted, _PAIR_CHUNK):
        condition = and_(
            associations.c.from_id.in_({f for f, _ in batch}),
            associations.c.to_id.in_({t for _, t in batch}),
        )
        rows = _association_rows(conn, account_id, condition)
        found.update({pair: row for pair, row in rows.items() if pair in wanted})
    return found


def _requiring_primary(graph: Graph, schema: Schema, rows: dict[Pair, tuple[str, int]]) -> set[int]:
    def requires(type_id: str) -> bool:
        found = schema.object_types.get(type_id)
        return found is not None and found.requires_primary_company

    contacts = {r.id for r in graph.records.values() if requires(r.type_id)}
    return contacts | {to for (_, to), (to_type, _) in rows.items() if requires(to_type)}


def _exclusive_holders(
    conn: Connection, account_id: int, ids: Iterable[int]
) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = {}
    for batch in chunked(ids):
        rows = conn.execute(
            select(
                association_labels.c.from_id,
                association_labels.c.type_id,
                association_labels.c.to_id,
            ).where(
                association_labels.c.account_id == account_id,
                association_labels.c.from_id.in_(batch),
                association_labels.c.exclusive,
            )
        )
        found.update({(int(f), int(t)): int(to) for f, t, to in rows})
    return found


def _labels(
    conn: Connection, account_id: int, pairs: Iterable[Pair], everything_of: set[int]
) -> dict[Pair, set[int]]:
    found: dict[Pair, set[int]] = defaultdict(set)
    columns = (
        association_labels.c.from_id,
        association_labels.c.to_id,
        association_labels.c.type_id,
    )
    base = association_labels.c.account_id == account_id
    queries = [association_labels.c.from_id.in_(b) for b in chunked(everything_of)]
    wanted = {p for p in pairs if p[0] not in everything_of}
    queries += [
        and_(
            association_labels.c.from_id.in_({f for f, _ in b}),
            association_labels.c.to_id.in_({t for _, t in b}),
        )
        for b in chunked(wanted, _PAIR_CHUNK)
    ]
    for condition in queries:
        for f, t, type_id in conn.execute(select(*columns).where(base, condition)):
            if f in everything_of or (f, t) in wanted:
                found[(f, t)].add(type_id)
    return found


def _add_links(
    graph: Graph, schema: Schema, rows: dict[Pair, tuple[str, int]], labels: dict[Pair, set[int]]
) -> None:
    for (from_id, to_id), (_, created_at) in rows.items():
        x, y = graph.records.get(from_id), graph.records.get(to_id)
        if x is None or y is None or not schema.is_defined(x.type_id, y.type_id):
            continue
        types = frozenset(
            {schema.unlabeled_id(x.type_id, y.type_id), *labels.get((from_id, to_id), ())}
        )
        types = frozenset(t for t in types if t in schema.types)
        graph.links[(from_id, to_id)] = types
        graph.links[(to_id, from_id)] = frozenset(schema.inverse(t) for t in types)
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
        for batch in chunked(ids):
            if assoc_type.kind is Kind.UNLABELED:
                table, condition = associations, associations.c.to_type == assoc_type.to_type
            else:
                table, condition = association_labels, association_labels.c.type_id == assoc_type.id
            rows = conn.execute(
                select(table.c.from_id, func.count())
                .where(table.c.account_id == account_id, table.c.from_id.in_(batch), condition)
                .group_by(table.c.from_id)
            )
            counts.update({(int(f), assoc_type.id): int(n) for f, n in rows})
    return counts

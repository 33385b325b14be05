"""Associations: loading the part of the graph a change needs, writing the change back, paging.

Loading and writing are set-based: a batch of N associations costs a few statements, not N.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, tuple_

from liaison.domain.association_types import Kind
from liaison.domain.graph import Graph, Pair, RecordInfo
from liaison.domain.object_types import COMPANIES
from liaison.domain.schema import Schema
from liaison.storage.records import chunked, get_many
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
    _add_records(graph, schema, get_many(conn, account_id, needs.records))
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
    _add_records(graph, schema, get_many(conn, account_id, ids - graph.records.keys()))
    _add_links(graph, schema, rows, labels)
    for (from_id, to_id), (to_type, _) in rows.items():
        if (from_id, to_type) in graph.neighbors and (from_id, to_id) in graph.links:
            graph.neighbors[(from_id, to_type)].add(to_id)
    graph.counts.update(_counts(conn, account_id, schema, graph))
    return graph


def write_changes(conn: Connection, account_id: int, schema: Schema, graph: Graph) -> int:
    """Write what the planner changed in `graph`; return the number of directions changed."""
    changed = graph.changed_pairs()
    removed_pairs, added_rows, removed_labels, added_labels = [], [], [], []
    for (from_id, to_id), (before, after) in changed.items():
        to_type = graph.records[to_id].type_id
        key = {"account_id": account_id, "from_id": from_id, "to_type": to_type, "to_id": to_id}
        if after is None:
            removed_pairs.append(key)
            continue
        if before is None:
            added_rows.append({**key, "created_at": graph.since[(from_id, to_id)]})
            before = frozenset()
        for type_id in before - after:
            if schema.types[type_id].kind is not Kind.UNLABELED:
                removed_labels.append({**key, "type_id": type_id})
        for type_id in after - before:
            assoc_type = schema.types[type_id]
            if assoc_type.kind is not Kind.UNLABELED:
                added_labels.append({**key, "type_id": type_id, "exclusive": assoc_type.exclusive})
    _delete_rows(conn, association_labels, removed_labels, with_type=True)
    _delete_rows(conn, association_labels, removed_pairs, with_type=False)
    _delete_rows(conn, associations, removed_pairs, with_type=False)
    if added_rows:
        conn.execute(insert(associations), added_rows)
    if added_labels:
        conn.execute(insert(association_labels), added_labels)
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
def _add_records(graph: Graph, schema: Schema, rows: dict[int, Any]) -> None:
    for record_id, row in rows.items():
        object_type = schema.object_types.get(row.type_id)
        if object_type is None:
            continue
        graph.records[record_id] = RecordInfo(
            record_id,
            row.type_id,
            object_type.display_name(row.properties),
            row.archived,
            row.merged_into,
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
    found: dict[Pair, tuple[str, int]] = {}
    for batch in chunked(pairs, _PAIR_CHUNK):
        found.update(
            _association_rows(
                conn, account_id, tuple_(associations.c.from_id, associations.c.to_id).in_(batch)
            )
        )
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
    rest = [p for p in pairs if p[0] not in everything_of]
    queries += [
        tuple_(association_labels.c.from_id, association_labels.c.to_id).in_(b)
        for b in chunked(rest, _PAIR_CHUNK)
    ]
    for condition in queries:
        for f, t, type_id in conn.execute(select(*columns).where(base, condition)):
            found[(int(f), int(t))].add(int(type_id))
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


def _delete_rows(
    conn: Connection, table: Any, keys: list[dict[str, Any]], *, with_type: bool
) -> None:
    if not keys:
        return
    columns = ["account_id", "from_id", "to_type", "to_id"] + (["type_id"] if with_type else [])
    statement = delete(table).where(*(table.c[c] == bindparam(f"k_{c}") for c in columns))
    conn.execute(statement, [{f"k_{c}": key[c] for c in columns} for key in keys])

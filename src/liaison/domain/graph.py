"""The part of an account's association graph that one change needs, held in memory.

Storage loads it (a few set-based queries), the planner edits it, and storage writes the
difference back. Every edit is logged so that one batch input can be rolled back alone.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

Pair = tuple[int, int]
"""(from record ID, to record ID): one direction of an association."""


class RecordInfo(NamedTuple):
    """What the rules need to know of a record (a tuple: batches load thousands)."""

    id: int
    type_id: str
    name: str
    archived: bool = False
    merged_into: int | None = None


class NewLink(NamedTuple):
    """A new association (see `Planner.associate_new`), with its types both ways."""

    x: RecordInfo
    y: RecordInfo
    types: frozenset[int]
    """From x to y, the base type included."""
    back: frozenset[int]


_MISSING = object()


@dataclass
class Graph:
    records: dict[int, RecordInfo] = field(default_factory=dict)
    links: dict[Pair, frozenset[int]] = field(default_factory=dict)
    """Both directions of every loaded association: the type IDs on that row, base type included."""
    since: dict[Pair, int] = field(default_factory=dict)
    """When each loaded association was created (microseconds), for "most recently associated"."""
    holders: dict[tuple[int, int], int] = field(default_factory=dict)
    """(record, exclusive type ID) -> the record it points to: (contact, 1) -> primary company."""
    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    """(record, type ID) -> how many associations of that type it has; loaded for limited types."""
    neighbors: dict[tuple[int, str], set[int]] = field(default_factory=dict)
    """(record, object type) -> every associated record of that type; loaded where rules need it."""
    _undo: list[tuple[Any, ...]] = field(default_factory=list, repr=False)
    """Each edit's inverse: (dict, key, old value) or (set, element, was it present)."""
    _original: dict[Pair, frozenset[int] | None] = field(default_factory=dict, repr=False)

    # -- edits, each undoable -------------------------------------------------------------
    def _assign(self, table: dict[Any, Any], key: Hashable, value: Any) -> None:
        self._undo.append((table, key, table.get(key, _MISSING)))
        if value is _MISSING:
            table.pop(key, None)
        else:
            table[key] = value

    def set_link(self, pair: Pair, types: frozenset[int] | None) -> None:
        links = self.links
        if pair not in self._original:
            self._original[pair] = links.get(pair)
        self._undo.append((links, pair, links.get(pair, _MISSING)))
        if types is None:
            links.pop(pair, None)
        else:
            links[pair] = types

    def set_since(self, pair: Pair, at: int) -> None:
        """Not undone: a stale time of a pair that is not associated is never read."""
        self.since[pair] = at

    def add_new_link(
        self, x: RecordInfo, y: RecordInfo, types: frozenset[int], back: frozenset[int], at: int
    ) -> None:
        """A new association that nothing will undo (see `Planner.associate_plain`)."""
        for pair, value in (((x.id, y.id), types), ((y.id, x.id), back)):
            if pair not in self._original:
                self._original[pair] = None
            self.links[pair] = value
            self.since[pair] = at
        for record, other in ((x, y), (y, x)):
            known = self.neighbors.get((record.id, other.type_id))
            if known is not None:
                known.add(other.id)

    def set_holder(self, key: tuple[int, int], other: int | None) -> None:
        self._assign(self.holders, key, _MISSING if other is None else other)

    def bump(self, key: tuple[int, int], delta: int) -> int:
        value = self.counts.get(key, 0) + delta
        self._assign(self.counts, key, value)
        return value

    def set_neighbor(self, record: int, other_type: str, other: int, present: bool) -> None:
        current = self.neighbors.get((record, other_type))
        if current is None or (other in current) == present:
            return
        self._undo.append((current, other, not present))
        if present:
            current.add(other)
        else:
            current.discard(other)

    # -- savepoints -----------------------------------------------------------------------
    def mark(self) -> int:
        return len(self._undo)

    def rollback(self, mark: int) -> None:
        while len(self._undo) > mark:
            container, key, old = self._undo.pop()
            if isinstance(container, dict):
                _restore(container, key, old)
            elif old:
                container.add(key)
            else:
                container.discard(key)

    def changed_pairs(self) -> dict[Pair, tuple[frozenset[int] | None, frozenset[int] | None]]:
        """Each edited direction with its (before, after) types, leaving out the unchanged."""
        return {
            pair: (before, self.links.get(pair))
            for pair, before in self._original.items()
            if before != self.links.get(pair)
        }


def _restore(table: dict[Any, Any], key: Hashable, old: Any) -> None:
    if old is _MISSING:
        table.pop(key, None)
    else:
        table[key] = old

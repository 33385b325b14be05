"""The association rules (A1-A8, P1-P6, L1-L3), applied to a Graph in memory.

A Planner turns requests (associate, remove, label, set primary, delete, restore, merge) into
edits of the graph plus the history events that describe them. Each request is all or nothing:
`attempt` rolls back the graph when a rule refuses it, and the other requests go on.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from itertools import repeat
from typing import Any, Generic, NamedTuple, ParamSpec, TypeVar, cast

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.graph import Graph, NewLink, Pair, RecordInfo
from liaison.domain.history import Change, HistoryEvent, Source
from liaison.domain.object_types import COMPANIES
from liaison.domain.schema import Schema

T = TypeVar("T")
P = ParamSpec("P")
_new_tuple = tuple.__new__


class OnConflict(Enum):
    """What to do when an exclusive (primary) type is already held by another association."""

    REPLACE = "replace"  # P2: the new one wins, the old one stays associated without it
    REFUSE = "refuse"
    SKIP = "skip"  # L2, L3: the existing one wins, the new association comes without it


@dataclass
class Planner:
    schema: Schema
    graph: Graph
    source: Source
    now: int
    events: list[HistoryEvent] = field(default_factory=list)
    vanishing: set[int] = field(default_factory=set)
    """Records being deleted or merged away: their own primary rules no longer apply."""
    detail: dict[str, Any] | None = None

    # -- one request, all or nothing --------------------------------------------------------
    def attempt(
        self, request: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T | LiaisonError:
        """Run one request; if a rule refuses it, undo its edits and return the error."""
        mark, events = self.graph.mark(), len(self.events)
        try:
            return request(*args, **kwargs)
        except LiaisonError as error:
            self.graph.rollback(mark)
            del self.events[events:]
            return error

    # -- requests ---------------------------------------------------------------------------
    def associate(
        self,
        from_id: int,
        to_id: int,
        type_ids: Iterable[int] = (),
        *,
        on_conflict: OnConflict | Callable[[int], OnConflict] = OnConflict.REPLACE,
    ) -> None:
        """Associate two records (A1) and add labels (A3); idempotent (A7)."""
        x, y = self._live(from_id), self._live(to_id)
        if x.id == y.id:
            raise LiaisonError(
                ErrorCode.SELF_ASSOCIATION,
                f"{self._describe(x)} cannot be associated with itself.",
                objectId=x.id,
            )
        base = self.schema.unlabeled_id(x.type_id, y.type_id)
        wanted = [self.schema.association_type(t, x.type_id, y.type_id) for t in type_ids]
        if (x.id, y.id) not in self.graph.links:
            self._create(x, y, base)
            self._give_first_company_primary(x, y)
            self._give_first_company_primary(y, x)
        for assoc_type in wanted:
            if assoc_type.id != base:
                self._add_type(x, y, assoc_type, on_conflict)

    def associate_plain(self, from_id: int, to_id: int) -> None:
        """`associate(from_id, to_id)` with no labels, made fast for batches.

        The common case (two live records of a defined pair, not yet associated, no limit on
        the types involved) is applied directly, without the undo log: once checked, nothing
        in it can be refused, so there is nothing to undo. Every other case takes `associate`.
        """
        graph, schema = self.graph, self.schema
        x, y = graph.records.get(from_id), graph.records.get(to_id)
        plain = (
            x is not None
            and y is not None
            and from_id != to_id
            and not (x.archived or y.archived or x.merged_into or y.merged_into)
            and (from_id, to_id) not in graph.links
        )
        base = schema.plain_base(x.type_id, y.type_id) if plain and x and y else None
        if base is None or x is None or y is None:
            self.associate(from_id, to_id)
            return
        primaries = [
            (record, company, primary)
            for record, company in ((x, y), (y, x))
            if company.type_id == COMPANIES and self._requires_primary(record)
            for primary in (self._primary_type_of(record),)
            if (record.id, primary) not in graph.holders
        ]
        if any(schema.limits.keys() & {p, schema.inverse(p)} for _, _, p in primaries):
            self.associate(from_id, to_id)
            return
        types, back = frozenset((base,)), schema.inverse_set(frozenset((base,)))
        graph.add_new_link(x, y, types, back, self.now)
        self._event(Change.CREATED, x, y, base)
        for record, company, primary in primaries:
            graph.links[(record.id, company.id)] |= {primary}
            graph.links[(company.id, record.id)] |= {schema.inverse(primary)}
            graph.holders[(record.id, primary)] = company.id
            self._event(Change.PRIMARY_SET, record, company, primary)

    def associate_new(
        self,
        requests: Sequence[tuple[int, int, Sequence[int]]],
        details: Sequence[dict[str, Any]] | None = None,
    ) -> list[NewLink] | None:
        """`associate(from_id, to_id, type_ids)` for each request in turn, planned for the batch
        as a whole.

        Only for the commonest batch: every pair new (not associated, not repeated in either
        direction), of two live records of a defined pair, with no limit on the types involved,
        and no label asked for but the base type, labels that nothing can refuse (the pair's
        own, neither exclusive nor limited either way: `_free_label`), or the Primary that the
        from record gets anyway as its first company (P3). Then nothing can be refused, and the
        outcome is `associate`'s: the base type and the labels both ways, and each contact
        without a primary gets its first company of the batch as primary, with the same
        history events in the same order (CREATED, PRIMARY_SET, each label's LABEL_ADDED).
        Returns the new associations (the caller writes them; the graph is left as it was), or
        None, planning nothing, for any other batch: the caller then applies `associate` to
        each request. `details`: the history detail of each request's events (by default, the
        planner's `detail`).
        """
        records, links = self.graph.records, self.graph.links
        rules: dict[tuple[str, str], _NewPairRule | None] = {}  # by the two record types
        free_labels: dict[tuple[str, str, int], _EventTypes | None] = {}
        holders = set(self.graph.holders)
        seen: set[Pair] = set()
        new: list[NewLink] = []
        events: list[HistoryEvent] = []
        # Events and links are built as plain tuples of their fields (a NamedTuple's own
        # __new__ costs more per pair than the rest of the plan): see `_event_of`.
        make, source = _new_tuple, self.source
        created, primary_set = Change.CREATED, Change.PRIMARY_SET
        for (from_id, to_id, type_ids), detail in zip(
            requests, repeat(self.detail) if details is None else details, strict=False
        ):
            x, y = records.get(from_id), records.get(to_id)
            if (
                x is None
                or y is None
                or from_id == to_id
                or x.archived
                or y.archived
                or x.merged_into
                or y.merged_into
                or (from_id, to_id) in links
                or (from_id, to_id) in seen
            ):
                return None
            x_type, y_type, x_name, y_name = x.type_id, y.type_id, x.name, y.name
            pair_types = (x_type, y_type)
            if pair_types in rules:
                rule = rules[pair_types]
            else:
                rule = rules[pair_types] = self._new_pair_rule(pair_types)
            if rule is None:
                return None
            seen.add((from_id, to_id))
            seen.add((to_id, from_id))
            (base, label, inverse, inverse_label), types, back, primaries = rule
            allowed = types  # the types the request may name: those it gets from x
            events.append(
                make(
                    HistoryEvent,
                    (
                        created,
                        x_type,
                        from_id,
                        y_type,
                        to_id,
                        base,
                        label,
                        inverse,
                        inverse_label,
                        x_name,
                        y_name,
                        source,
                        detail,
                    ),
                )
            )
            for x_holds, primary, labels, ahead, behind in primaries:
                record = from_id if x_holds else to_id
                if (record, primary) in holders:
                    continue
                holders.add((record, primary))
                if x_holds:
                    types, back, allowed = types | ahead, back | behind, allowed | ahead
                    ends = (x_type, from_id, y_type, to_id, *labels, x_name, y_name)
                else:
                    types, back = types | behind, back | ahead
                    ends = (y_type, to_id, x_type, from_id, *labels, y_name, x_name)
                events.append(make(HistoryEvent, (primary_set, *ends, source, detail)))
            # The labels asked for beyond the base type and a Primary it got: free ones only.
            wanted = [t for t in dict.fromkeys(type_ids) if t not in allowed] if type_ids else ()
            if wanted:
                free = [
                    free_labels[key]
                    if key in free_labels
                    else free_labels.setdefault(key, self._free_label(*key))
                    for key in ((x_type, y_type, t) for t in wanted)
                ]
                if not all(free):
                    return None
                pair, names = (x_type, from_id, y_type, to_id), (x_name, y_name, source, detail)
                for labels in cast(list[_EventTypes], free):
                    event = (Change.LABEL_ADDED, *pair, *labels, *names)
                    events.append(make(HistoryEvent, event))
                    types, back = types | {labels[0]}, back | {labels[2]}
            new.append(make(NewLink, (x, y, types, back)))
        self.events += events
        return new

    def _new_pair_rule(self, types: tuple[str, str]) -> _NewPairRule | None:
        """How `associate_new` makes an association of these record types; None where it
        cannot: an undefined pair, or a limit on one of the types it would give."""
        schema = self.schema
        base = schema.plain_base(*types)
        if base is None:
            return None
        primaries = []
        for x_holds, (record_type, other_type) in ((True, types), (False, types[::-1])):
            if (
                other_type != COMPANIES
                or not schema.object_types[record_type].requires_primary_company
            ):
                continue
            primary = schema.primary_id(record_type)
            if primary is None or schema.limits.keys() & {primary, schema.inverse(primary)}:
                return None
            primaries.append(
                _NewPrimary(
                    x_holds,
                    primary,
                    (primary, *self._labels.get(primary)),
                    frozenset((primary,)),
                    frozenset((schema.inverse(primary),)),
                )
            )
        forward = frozenset((base,))
        return _NewPairRule(
            (base, *self._labels.get(base)),
            forward,
            schema.inverse_set(forward),
            tuple(primaries),
        )

    def _free_label(self, from_type: str, to_type: str, type_id: int) -> _EventTypes | None:
        """A label `associate_new` may add to a new association of these record types: one of
        the pair's, exclusive neither way and limited neither way, so nothing can refuse it.
        Its event's type, label, inverse type and inverse label; None for any other type."""
        schema = self.schema
        try:
            found = schema.association_type(type_id, from_type, to_type)
        except LiaisonError:
            return None
        inverse = schema.inverse(type_id)
        if found.kind is Kind.UNLABELED or found.exclusive or schema.types[inverse].exclusive:
            return None  # an exclusive label, from either side, may replace or be refused
        if schema.limits.keys() & {type_id, inverse}:
            return None
        return (type_id, *self._labels.get(type_id))

    def remove(self, from_id: int, to_id: int, *, successor: int | None = None) -> None:
        """Remove the association and all its labels (A3), keeping primary rules (P4, L1)."""
        x, y = self._known(from_id), self._known(to_id)
        types = self.graph.links.get((x.id, y.id))
        if types is None:
            return
        holder = self._primary_holder_losing(x, y, types)
        for type_id in sorted(types - {self._base(x, y)}):
            self._drop_type(x, y, self.schema.types[type_id])
        self._delete(x, y)
        if holder is not None:
            self._repair_primary(holder, successor, keeps=None)

    def remove_types(
        self, from_id: int, to_id: int, type_ids: Iterable[int], *, successor: int | None = None
    ) -> None:
        """Remove only these labels; removing the base type removes the association (A3)."""
        x, y = self._known(from_id), self._known(to_id)
        wanted = [self.schema.association_type(t, x.type_id, y.type_id) for t in type_ids]
        if any(t.kind is Kind.UNLABELED for t in wanted):
            self.remove(x.id, y.id, successor=successor)
            return
        types = self.graph.links.get((x.id, y.id), frozenset())
        for assoc_type in wanted:
            if assoc_type.id not in types:
                continue
            holder = self._primary_holder_losing(x, y, frozenset({assoc_type.id}))
            self._drop_type(x, y, assoc_type)
            if holder is not None:
                self._repair_primary(holder, successor, keeps=y.id if holder is x else x.id)

    def set_types(
        self,
        from_id: int,
        to_id: int,
        type_ids: Iterable[int],
        *,
        on_conflict: OnConflict,
        successor: int | None = None,
    ) -> None:
        """Make these types the association's whole set of labels (HubSpot's labelled PUT).
        The base type stays, and so does the Primary of a contact's only company (P3)."""
        wanted = list(type_ids)
        self.associate(from_id, to_id, wanted, on_conflict=on_conflict)
        x, y = self._known(from_id), self._known(to_id)
        extra = self.graph.links[(x.id, y.id)] - set(wanted) - {self._base(x, y)}
        dropped = sorted(t for t in extra if not self._only_company_primary(x, y, t))
        self.remove_types(x.id, y.id, dropped, successor=successor)

    def set_primary(self, from_id: int, company_id: int, *, replace: bool = True) -> None:
        """Make `company_id` the record's primary company (P2), associating them if needed."""
        record = self._live(from_id)
        primary = self._primary_type_of(record)
        self.associate(
            record.id,
            company_id,
            [primary],
            on_conflict=OnConflict.REPLACE if replace else OnConflict.REFUSE,
        )

    def remove_primary(self, from_id: int, company_id: int, *, successor: int | None) -> None:
        """Remove the Primary label, naming the new primary where one is required (P4)."""
        record, company = self._known(from_id), self._known(company_id)
        primary = self._primary_type_of(record)
        if (record.id, company.id) not in self.graph.links:
            raise LiaisonError(
                ErrorCode.NOT_ASSOCIATED,
                f"{self._describe(record)} and {self._describe(company).lower()} are not "
                "associated: there is no primary to remove.",
                objectId=record.id,
                toObjectId=company.id,
            )
        self.remove_types(record.id, company.id, [primary], successor=successor)

    def delete_record(self, record_id: int) -> None:
        """L1: remove every association of the record; other records keep their primary rules."""
        self.vanishing.add(record_id)
        for pair in self._pairs_of(record_id):
            self.remove(*pair)

    def merge(self, survivor_id: int, merged_id: int) -> None:
        """L3: move the merged record's associations to the survivor, then drop the merged one's."""
        survivor, merged = self._live(survivor_id), self._live(merged_id)
        if survivor.id == merged.id or survivor.type_id != merged.type_id:
            raise LiaisonError(
                ErrorCode.MERGE_INVALID,
                "Only two different records of the same object type can be merged.",
                primaryObjectId=survivor.id,
                objectIdToMerge=merged.id,
            )
        self.vanishing.add(merged.id)
        pairs = self._pairs_of(merged.id)
        for _, other in sorted(pairs, key=lambda p: not self._holds_exclusive(p)):
            if other == survivor.id:
                continue
            labels = self.graph.links[(merged.id, other)] - {self._base(merged, self._known(other))}
            self.associate(
                survivor.id,
                other,
                sorted(labels),
                on_conflict=lambda holder: (
                    OnConflict.SKIP if holder == survivor.id else OnConflict.REPLACE
                ),
            )
        for pair in pairs:
            self.remove(*pair)

    def restore_association(self, from_id: int, to_id: int, type_ids: Iterable[int]) -> None:
        """L2: bring back an association a deletion removed; a taken primary stays taken."""
        self.associate(from_id, to_id, type_ids, on_conflict=OnConflict.SKIP)

    # -- the edits --------------------------------------------------------------------------
    def _create(self, x: RecordInfo, y: RecordInfo, base: int) -> None:
        self._change_link(x, y, frozenset({base}))
        self.graph.set_since((x.id, y.id), self.now)
        self.graph.set_since((y.id, x.id), self.now)
        self.graph.set_neighbor(x.id, y.type_id, y.id, present=True)
        self.graph.set_neighbor(y.id, x.type_id, x.id, present=True)
        self._count(x, y, base, +1)
        self._event(Change.CREATED, x, y, base)

    def _delete(self, x: RecordInfo, y: RecordInfo) -> None:
        base = self._base(x, y)
        self._event(Change.REMOVED, x, y, base)
        self._count(x, y, base, -1)
        self.graph.set_link((x.id, y.id), None)
        self.graph.set_link((y.id, x.id), None)
        self.graph.set_neighbor(x.id, y.type_id, y.id, present=False)
        self.graph.set_neighbor(y.id, x.type_id, x.id, present=False)

    def _add_type(
        self,
        x: RecordInfo,
        y: RecordInfo,
        assoc_type: AssociationType,
        on_conflict: OnConflict | Callable[[int], OnConflict],
    ) -> None:
        types = self.graph.links[(x.id, y.id)]
        if assoc_type.id in types:
            return
        holder, held, exclusive = self._exclusive_side(x, y, assoc_type)
        if exclusive is not None:
            current = self.graph.holders.get((holder.id, exclusive.id))
            if current is not None and current != held.id:
                policy = on_conflict(holder.id) if callable(on_conflict) else on_conflict
                if policy is OnConflict.SKIP:
                    return
                if policy is OnConflict.REFUSE:
                    raise LiaisonError(
                        ErrorCode.PRIMARY_EXISTS,
                        f"{self._describe(holder)} already has "
                        f"{self._describe(self._known(current))} as {exclusive.label}; "
                        "replace it to choose another.",
                        objectId=holder.id,
                        currentId=current,
                    )
                self._drop_type(holder, self._known(current), exclusive)
            self.graph.set_holder((holder.id, exclusive.id), held.id)
        self._change_link(x, y, types | {assoc_type.id})
        self._count(x, y, assoc_type.id, +1)
        self._event(Change.PRIMARY_SET if exclusive else Change.LABEL_ADDED, x, y, assoc_type.id)

    def _drop_type(self, x: RecordInfo, y: RecordInfo, assoc_type: AssociationType) -> None:
        types = self.graph.links[(x.id, y.id)]
        holder, _, exclusive = self._exclusive_side(x, y, assoc_type)
        if exclusive is not None:
            self.graph.set_holder((holder.id, exclusive.id), None)
        self._change_link(x, y, types - {assoc_type.id})
        self._count(x, y, assoc_type.id, -1)
        change = Change.PRIMARY_REMOVED if exclusive else Change.LABEL_REMOVED
        self._event(change, x, y, assoc_type.id)

    def _change_link(self, x: RecordInfo, y: RecordInfo, types: frozenset[int]) -> None:
        self.graph.set_link((x.id, y.id), types)
        self.graph.set_link((y.id, x.id), self.schema.inverse_set(types))

    def _count(self, x: RecordInfo, y: RecordInfo, type_id: int, delta: int) -> None:
        """Keep counts of limited types, refusing a change that would pass a limit (A6)."""
        for record, other, directed in ((x, y, type_id), (y, x, self.schema.inverse(type_id))):
            limit = self.schema.limits.get(directed)
            if limit is None:
                continue
            count = self.graph.bump((record.id, directed), delta)
            if delta > 0 and count > limit:
                raise self._limit_error(record, other, directed, limit, count - delta)

    # -- primary rules (P1-P6) --------------------------------------------------------------
    def _give_first_company_primary(self, record: RecordInfo, company: RecordInfo) -> None:
        """P3: a contact's first company becomes its primary."""
        if company.type_id != COMPANIES or not self._requires_primary(record):
            return
        primary = self._primary_type_of(record)
        if (record.id, primary) not in self.graph.holders:
            self._add_type(record, company, self.schema.types[primary], OnConflict.REFUSE)

    def _primary_holder_losing(
        self, x: RecordInfo, y: RecordInfo, types: frozenset[int]
    ) -> RecordInfo | None:
        """The record whose required primary goes if `types` leave the x-y association."""
        for record, company, directed in (
            (x, y, types),
            (y, x, {self.schema.inverse(t) for t in types}),
        ):
            if (
                company.type_id == COMPANIES
                and self._requires_primary(record)
                and self._primary_type_of(record) in directed
            ):
                return record
        return None

    def _only_company_primary(self, x: RecordInfo, y: RecordInfo, type_id: int) -> bool:
        """Whether `type_id` is the Primary label of a contact's only company (P3)."""
        holder = self._primary_holder_losing(x, y, frozenset({type_id}))
        if holder is None:
            return False
        company = y.id if holder is x else x.id
        return not self.graph.neighbors.get((holder.id, COMPANIES), set()) - {company}

    def _repair_primary(
        self, record: RecordInfo, successor: int | None, *, keeps: int | None
    ) -> None:
        """P4 and L1: after a contact lost its primary company, choose the next one.

        `keeps` is the company that lost only its Primary label and stays associated.
        """
        loaded = self.graph.neighbors.get((record.id, COMPANIES))
        if loaded is None:
            raise RuntimeError(f"companies of record {record.id} were not loaded")
        candidates = loaded - {keeps}
        primary = self.schema.types[self._primary_type_of(record)]
        if successor is not None and successor in candidates:
            self._add_type(record, self._known(successor), primary, OnConflict.REPLACE)
        elif successor is not None:
            raise LiaisonError(
                ErrorCode.INVALID_SUCCESSOR,
                f"Company {successor} cannot become the primary company of "
                f"{self._describe(record)}: it is not one of its other companies.",
                objectId=record.id,
                successorId=successor,
            )
        elif record.id in self.vanishing or not loaded:
            return
        elif not candidates:
            raise LiaisonError(
                ErrorCode.PRIMARY_REQUIRED,
                f"{self._describe(record)} has only one company, which is always its primary.",
                objectId=record.id,
            )
        elif self._automatic() or (len(candidates) == 1 and keeps is None):
            # P4: with one company left it takes over; taking the label off needs a choice.
            newest = max(candidates, key=lambda c: (self.graph.since.get((record.id, c), 0), c))
            self._add_type(record, self._known(newest), primary, OnConflict.REPLACE)
        else:
            raise LiaisonError(
                ErrorCode.PRIMARY_REQUIRED,
                f"{self._describe(record)} has {len(candidates)} other "
                f"compan{'y' if len(candidates) == 1 else 'ies'}: name the one that becomes its "
                "primary company.",
                objectId=record.id,
                companies=sorted(candidates),
            )

    def _automatic(self) -> bool:
        """Deletions and merges choose a successor themselves (L1); people must name one (P4)."""
        return self.source in (Source.OBJECT_DELETION, Source.OBJECT_MERGE)

    def _requires_primary(self, record: RecordInfo) -> bool:
        return self.schema.object_types[record.type_id].requires_primary_company

    def _primary_type_of(self, record: RecordInfo) -> int:
        primary = self.schema.primary_id(record.type_id)
        if primary is None:
            raise LiaisonError(
                ErrorCode.LABEL_NOT_FOR_PAIR,
                f"{self.schema.object_types[record.type_id].plural.capitalize()} have no primary "
                "company.",
                objectType=record.type_id,
            )
        return primary

    def _exclusive_side(
        self, x: RecordInfo, y: RecordInfo, assoc_type: AssociationType
    ) -> tuple[RecordInfo, RecordInfo, AssociationType | None]:
        """(holder, held, exclusive type): which side of x-y may hold this type only once."""
        if assoc_type.exclusive:
            return x, y, assoc_type
        inverse = self.schema.types[assoc_type.inverse_id]
        if inverse.exclusive:
            return y, x, inverse
        return x, y, None

    def _holds_exclusive(self, pair: Pair) -> bool:
        return any(self.schema.types[t].exclusive for t in self.graph.links.get(pair, ()))

    # -- helpers ----------------------------------------------------------------------------
    def _pairs_of(self, record_id: int) -> list[Pair]:
        """Every association of the record (storage loads them all for deletes and merges)."""
        return sorted(pair for pair in self.graph.links if pair[0] == record_id)

    def _base(self, x: RecordInfo, y: RecordInfo) -> int:
        return self.schema.unlabeled_id(x.type_id, y.type_id)

    def _known(self, record_id: int) -> RecordInfo:
        record = self.graph.records.get(record_id)
        if record is None:
            raise LiaisonError(
                ErrorCode.RECORD_NOT_FOUND,
                f"Record {record_id} does not exist.",
                objectId=record_id,
            )
        return record

    def _live(self, record_id: int) -> RecordInfo:
        record = self._known(record_id)
        if record.merged_into is not None:
            raise LiaisonError(
                ErrorCode.RECORD_ARCHIVED,
                f"{self._describe(record)} was merged into record {record.merged_into}: "
                "use that one.",
                objectId=record.id,
                mergedInto=record.merged_into,
            )
        if record.archived:
            raise LiaisonError(
                ErrorCode.RECORD_ARCHIVED,
                f"{self._describe(record)} is deleted: restore it before associating it.",
                objectId=record.id,
            )
        return record

    def _describe(self, record: RecordInfo) -> str:
        singular = self.schema.object_types[record.type_id].singular
        named = f" ({record.name})" if record.name else ""
        return f"{singular.capitalize()} {record.id}{named}"

    def _limit_error(
        self, record: RecordInfo, other: RecordInfo, type_id: int, limit: int, current: int
    ) -> LiaisonError:
        other_type = self.schema.object_types[other.type_id]
        noun = other_type.singular if limit == 1 else other_type.plural.lower()
        label = self.schema.label_of(type_id)
        labelled = f" labelled {label}" if label else ""
        return LiaisonError(
            ErrorCode.LIMIT_EXCEEDED,
            f"{self._describe(record)} may be associated with at most {limit} {noun}{labelled}; "
            f"it has {current}.",
            objectId=record.id,
            associationTypeId=type_id,
            limit=limit,
            current=current,
        )

    def _event(self, change: Change, x: RecordInfo, y: RecordInfo, type_id: int) -> None:
        self.events.append(self._event_of(change, x, y, type_id))

    def _event_of(self, change: Change, x: RecordInfo, y: RecordInfo, type_id: int) -> HistoryEvent:
        label, inverse, inverse_label = self._labels.get(type_id)
        return HistoryEvent(
            change,
            x.type_id,
            x.id,
            y.type_id,
            y.id,
            type_id,
            label,
            inverse,
            inverse_label,
            x.name,
            y.name,
            self.source,
            self.detail,
        )

    @cached_property
    def _labels(self) -> _Memo[int, tuple[str | None, int, str | None]]:
        """A type's label, its inverse and the inverse's label, as history events keep them.
        (The function holds the schema, not the planner: a planner in a reference cycle, its
        graph and events with it, would wait for the cycle collector instead of going as soon
        as it is done with.)"""
        schema = self.schema

        def labels(type_id: int) -> tuple[str | None, int, str | None]:
            inverse = schema.inverse(type_id)
            return schema.label_of(type_id), inverse, schema.label_of(inverse)

        return _Memo(labels)


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


_EventTypes = tuple[int, str | None, int, str | None]
"""An event's type, label, inverse type and inverse label."""


class _NewPairRule(NamedTuple):
    """How a new association of two record types is made: its base type both ways, and the
    Primary types (P3) one side gets if it has none yet."""

    created: tuple[int, str | None, int, str | None]
    """The CREATED event's type, label, inverse type and inverse label."""
    types: frozenset[int]
    back: frozenset[int]
    primaries: tuple[_NewPrimary, ...]


class _NewPrimary(NamedTuple):
    """A Primary type (P3) that one side of a new association gets if it has none yet."""

    x_holds: bool
    """Whether the from record (x) holds it, else the to record."""
    type_id: int
    labels: tuple[int, str | None, int, str | None]
    """Its PRIMARY_SET event's type, label, inverse type and inverse label."""
    ahead: frozenset[int]
    """The type, as a set: on x → y if x holds it, else on y → x."""
    behind: frozenset[int]
    """Its inverse, on the way back."""


class _Memo(Generic[K, V]):
    """A function's values, each computed once."""

    def __init__(self, compute: Callable[[K], V]) -> None:
        self._compute = compute
        self._values: dict[K, V] = {}

    def get(self, key: K) -> V:
        values = self._values
        if key in values:
            return values[key]
        value = values[key] = self._compute(key)
        return value

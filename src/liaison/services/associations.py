"""Associating records: batches where each input is all or nothing (A1-A8, P1-P6)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from liaison.domain.association_types import AssociationType
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.graph import Graph, NewLink, Pair, RecordInfo
from liaison.domain.history import HistoryEvent, Source
from liaison.domain.object_types import ObjectType
from liaison.domain.planner import OnConflict, Planner
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import associations as store
from liaison.storage.associations import Needs, load_graph

T = TypeVar("T")
MAX_PAGE = 500
_new_tuple = tuple.__new__


class AssociationInput(NamedTuple):
    """One association asked for (a tuple: batches hold thousands)."""

    from_id: int
    to_id: int
    types: tuple[int, ...] = ()
    """Association type IDs, directional from `from_id` to `to_id`."""
    successor: int | None = None
    """The company that becomes primary if this change takes a contact's primary (P4)."""


class NewAssociations(NamedTuple):
    """What `associate_new` wrote: the associations and their history events."""

    links: list[NewLink]
    events: list[HistoryEvent]


class AssociationView(NamedTuple):
    """An association seen from `from_id`, with all its types, the base type first (A3)."""

    from_type: str
    from_id: int
    to_type: str
    to_id: int
    types: tuple[AssociationType, ...]

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.types if t.label]


@dataclass(frozen=True)
class InputError:
    index: int
    input: AssociationInput
    error: LiaisonError


@dataclass(frozen=True)
class BatchResult(Generic[T]):
    results: list[T]
    errors: list[InputError]

    def check(self) -> BatchResult[T]:
        """Raise the first refused input's error, if any."""
        if self.errors:
            raise self.errors[0].error
        return self

    def single(self) -> T:
        """The one result of a one-input batch, or its error raised."""
        return self.check().results[0]


class Associated(NamedTuple):
    """One associated record on a page: its ID and every type of the association."""

    to_id: int
    types: tuple[AssociationType, ...]

    @property
    def labels(self) -> list[str]:
        return [t.label for t in self.types if t.label]


@dataclass(frozen=True)
class AssociationPage:
    from_type: str
    from_id: int
    to_type: str
    results: list[Associated]
    next_after: int | None


def associate(
    database: Database,
    caller: Caller,
    inputs: Sequence[AssociationInput],
    *,
    from_type: str | None = None,
    to_type: str | None = None,
    replace_labels: bool = False,
    replace_primary: bool = True,
    all_or_nothing: bool = False,
    within: Unit | None = None,
) -> BatchResult[AssociationView]:
    """Associate pairs and add their labels; with `replace_labels`, the types sent become the
    association's whole set of labels (HubSpot's labelled PUT), keeping the base type and the
    Primary of a contact's only company (P3). Idempotent (A7). Each input is all or nothing on
    its own (the API's 207); with `all_or_nothing` the first refused input is raised and
    nothing is written (the web UI's *Add existing*). `within` runs the batch in that unit
    (a chunk of a job) instead of a transaction of its own."""
    conflict = OnConflict.REPLACE if replace_primary else OnConflict.REFUSE

    def apply(planner: Planner, i: AssociationInput) -> None:
        if replace_labels:
            planner.set_types(
                i.from_id, i.to_id, i.types, on_conflict=conflict, successor=i.successor
            )
        elif not i.types:
            planner.associate_plain(i.from_id, i.to_id)
        else:
            planner.associate(i.from_id, i.to_id, i.types, on_conflict=conflict)

    return _run(
        database,
        caller,
        "associate",
        inputs,
        apply,
        from_type,
        to_type,
        primary_rules=replace_labels,
        view=True,
        set_wise=not replace_labels,
        all_or_nothing=all_or_nothing,
        within=within,
    )


def remove(
    database: Database,
    caller: Caller,
    inputs: Sequence[AssociationInput],
    *,
    from_type: str | None = None,
    to_type: str | None = None,
    within: Unit | None = None,
) -> BatchResult[AssociationView]:
    """Remove associations with all their labels; P4 asks for a successor primary.
    `within`: as for `associate`."""
    return _run(
        database,
        caller,
        "remove",
        inputs,
        lambda p, i: p.remove(i.from_id, i.to_id, successor=i.successor),
        from_type,
        to_type,
        primary_rules=True,
        view=False,
        within=within,
    )


def remove_labels(
    database: Database,
    caller: Caller,
    inputs: Sequence[AssociationInput],
    *,
    from_type: str | None = None,
    to_type: str | None = None,
) -> BatchResult[AssociationView]:
    """Remove only the listed types; the base type among them removes the association (A3)."""
    return _run(
        database,
        caller,
        "remove_labels",
        inputs,
        lambda p, i: p.remove_types(i.from_id, i.to_id, i.types, successor=i.successor),
        from_type,
        to_type,
        primary_rules=True,
        view=True,
    )


def set_primary(
    database: Database, caller: Caller, record_id: int, company_id: int, *, replace: bool = True
) -> AssociationView:
    """Make the company the record's primary (P2); `replace=False` refuses to replace one."""
    return _run(
        database,
        caller,
        "set_primary",
        [AssociationInput(record_id, company_id)],
        lambda p, i: p.set_primary(i.from_id, i.to_id, replace=replace),
        None,
        None,
        primary_rules=False,
        view=True,
    ).single()


def remove_primary(
    database: Database,
    caller: Caller,
    record_id: int,
    company_id: int,
    *,
    successor: int | None = None,
) -> AssociationView:
    """Take the Primary label off; a contact with other companies must name its successor (P4)."""
    return _run(
        database,
        caller,
        "remove_primary",
        [AssociationInput(record_id, company_id, successor=successor)],
        lambda p, i: p.remove_primary(i.from_id, i.to_id, successor=i.successor),
        None,
        None,
        primary_rules=True,
        view=True,
    ).single()


def between(database: Database, caller: Caller, from_id: int, to_id: int) -> AssociationView | None:
    """The association of two records, or None."""
    with reading(database, caller) as unit:
        graph = load_graph(
            unit.conn,
            unit.account_id,
            unit.schema,
            Needs(records={from_id, to_id}, pairs={(from_id, to_id)}),
        )
        if (from_id, to_id) not in graph.links:
            return None
        return _view(unit.schema, graph, from_id, to_id)


def list_associations(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    to_type: str,
    *,
    after: int = 0,
    limit: int = MAX_PAGE,
) -> AssociationPage:
    """One page of a record's associations to a type, by target ID (A9)."""
    if not 1 <= limit <= MAX_PAGE:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"limit must be between 1 and {MAX_PAGE}.", limit=limit
        )
    with reading(database, caller) as unit:

        def read(schema: Schema) -> tuple[int | None, _PageRead]:
            source, target = schema.object_type(object_type), schema.object_type(to_type)
            found = store.record_page(
                unit.conn, unit.account_id, record_id, target.id, after=after, limit=limit + 1
            )
            return found.schema_version, _PageRead(schema, source, target, found)

        # One statement reads the page, the record's type and the schema version (A9).
        schema, source, target, found = unit.with_schema_seen(read)
        if found.record_type != source.id:
            raise source.not_found(record_id)
        more = len(found.targets) > limit
        results = _associated(schema, source.id, target.id, found.targets[:limit], found.labels)
        return AssociationPage(
            source.id, record_id, target.id, results, results[-1].to_id if more else None
        )


class _PageRead(NamedTuple):
    schema: Schema
    source: ObjectType
    target: ObjectType
    found: store.RecordPage


def _associated(
    schema: Schema, from_type: str, to_type: str, targets: list[int], labels: dict[int, list[int]]
) -> list[Associated]:
    """One entry per target: the base type, then its labels."""
    if not targets:
        return []
    base = schema.types[schema.unlabeled_id(from_type, to_type)]
    plain = (base,)
    if not labels:  # the common page: one shared tuple of types
        # `Associated(to_id, plain)` without the Python-level __new__ of a NamedTuple, which
        # costs more per row than SQLite's own read of it.
        return [_new_tuple(Associated, (to_id, plain)) for to_id in targets]
    types = schema.types
    labelled = {
        to_id: (base, *(types[t] for t in sorted(ids) if t in types))
        for to_id, ids in labels.items()
    }
    types_of = labelled.get
    return [_new_tuple(Associated, (to_id, types_of(to_id, plain))) for to_id in targets]


# -- the batch runner ----------------------------------------------------------------------------
def _run(
    database: Database,
    caller: Caller,
    kind: str,
    inputs: Sequence[AssociationInput],
    apply: Callable[[Planner, AssociationInput], None],
    from_type: str | None,
    to_type: str | None,
    *,
    primary_rules: bool,
    view: bool,
    set_wise: bool = False,
    all_or_nothing: bool = False,
    within: Unit | None = None,
) -> BatchResult[AssociationView]:
    """Apply `apply` to each input in turn. With `set_wise` (associate), the batch is first
    offered whole to `associate_new`, which plans it at once if every input is new and
    plain; any other batch goes input by input. A set-wise write that meets an existing
    association is undone whole (`store.AlreadyAssociated`) and the batch goes input by input:
    in a new transaction, or, `within` a unit that holds other writes, after rolling back to a
    savepoint taken before it."""

    def each(unit: Unit) -> BatchResult[AssociationView]:
        return _input_by_input(
            unit,
            inputs,
            apply,
            _expected(unit.schema, from_type, to_type),
            primary_rules=primary_rules,
            view=view,
            all_or_nothing=all_or_nothing,
        )

    if within is not None:
        if set_wise:
            try:
                with within.conn.begin_nested():
                    made = _set_wise(within, inputs, from_type, to_type)
                if made is not None:
                    return made
            except store.AlreadyAssociated:
                pass
        return each(within)
    if set_wise:
        try:
            with unit_of_work(database, caller, kind) as unit:
                made = _set_wise(unit, inputs, from_type, to_type)
                return each(unit) if made is None else made
        except store.AlreadyAssociated:
            pass
    with unit_of_work(database, caller, kind) as unit:
        return each(unit)


def _set_wise(
    unit: Unit, inputs: Sequence[AssociationInput], from_type: str | None, to_type: str | None
) -> BatchResult[AssociationView] | None:
    """`associate_new`'s result as the batch's; None if it planned nothing. Only the result
    outlives this call: the cycle collector, back on as the unit ends, then has only the
    result to look at instead of the whole plan (decision 0023)."""
    new = associate_new(unit, inputs, _expected(unit.schema, from_type, to_type))
    return None if new is None else _views_of(unit.schema, new.links)


def _expected(
    schema: Schema, from_type: str | None, to_type: str | None
) -> tuple[str | None, str | None]:
    """The object types a path names, as IDs (None where it names none)."""
    return (
        schema.object_type(from_type).id if from_type else None,
        schema.object_type(to_type).id if to_type else None,
    )


def _input_by_input(
    unit: Unit,
    inputs: Sequence[AssociationInput],
    apply: Callable[[Planner, AssociationInput], None],
    expected: tuple[str | None, str | None],
    *,
    primary_rules: bool,
    view: bool,
    all_or_nothing: bool,
) -> BatchResult[AssociationView]:
    """The general way: load what the inputs need, then apply each, all or nothing alone."""
    schema = unit.schema
    graph = load_graph(unit.conn, unit.account_id, schema, _needs(inputs, primary_rules))
    planner = unit.planner(graph)
    results: list[AssociationView] = []
    errors: list[InputError] = []
    for index, item in enumerate(inputs):
        error = planner.attempt(_apply_checked, planner, item, expected, apply)
        if isinstance(error, LiaisonError):
            errors.append(InputError(index, item, error))
        elif view and (item.from_id, item.to_id) in graph.links:
            results.append(_view(schema, graph, item.from_id, item.to_id))
    if all_or_nothing and errors:
        raise errors[0].error
    unit.save(planner)
    return BatchResult(results, errors)


def associate_new(
    unit: Unit,
    inputs: Sequence[AssociationInput],
    expected: tuple[str | None, str | None] = (None, None),
    *,
    source: Source | None = None,
    details: Sequence[dict[str, Any]] | None = None,
    given: Mapping[int, RecordInfo] | None = None,
) -> NewAssociations | None:
    """A batch of new plain associations (see `Planner.associate_new`), planned and written
    set-wise in the unit: the associations made and their history events, or None (nothing
    done) for any other batch. Raises `store.AlreadyAssociated` (the transaction must be rolled
    back) when one of the pairs turns out to exist. `source` and `details` (the history detail
    of each input's events) are for automation, such as association by domain. `given`:
    records as the unit knows them, not read back (see `store.load_for_new`)."""
    schema, pairs = unit.schema, [(i.from_id, i.to_id) for i in inputs]
    graph = store.load_for_new(unit.conn, unit.account_id, schema, pairs, given)
    if not _of_types(graph, pairs, expected):
        return None
    planner = unit.planner(graph, source=source)
    new = planner.associate_new([(i.from_id, i.to_id, i.types) for i in inputs], details)
    if new is None:
        return None
    store.write_new(unit.conn, unit.account_id, schema, new, now=planner.now)
    unit.save(planner)
    return NewAssociations(new, planner.events)


def _views_of(schema: Schema, new: list[NewLink]) -> BatchResult[AssociationView]:
    """The batch result of the associations `associate_new` made."""
    ordered = {types: schema.ordered(types) for types in {link.types for link in new}}
    views = [
        _new_tuple(AssociationView, (x.type_id, x.id, y.type_id, y.id, ordered[types]))
        for x, y, types, _ in new
    ]
    return BatchResult(views, [])


def _of_types(graph: Graph, pairs: list[Pair], expected: tuple[str | None, str | None]) -> bool:
    """Whether every record exists and is of the expected type, where one is expected."""
    records = graph.records
    for side, type_id in enumerate(expected):
        if type_id is not None:
            for pair in pairs:
                found = records.get(pair[side])
                if found is None or found.type_id != type_id:
                    return False
    return True


def _needs(inputs: Sequence[AssociationInput], primary_rules: bool) -> Needs:
    records = {i.from_id for i in inputs} | {i.to_id for i in inputs}
    records |= {i.successor for i in inputs if i.successor is not None}
    pairs = {(i.from_id, i.to_id) for i in inputs}
    pairs |= {(i.from_id, i.successor) for i in inputs if i.successor is not None}
    return Needs(records=records, pairs=pairs, primary_rules=primary_rules, holder_links=True)


def _apply_checked(
    planner: Planner,
    item: AssociationInput,
    expected: tuple[str | None, str | None],
    apply: Callable[[Planner, AssociationInput], None],
) -> None:
    for record_id, type_id in zip((item.from_id, item.to_id), expected, strict=True):
        record = planner.graph.records.get(record_id)
        if record is None or (type_id is not None and record.type_id != type_id):
            noun = planner.schema.object_types[type_id].singular if type_id else "record"
            raise LiaisonError(
                ErrorCode.RECORD_NOT_FOUND,
                f"There is no {noun} with ID {record_id}.",
                objectId=record_id,
            )
    apply(planner, item)


def _types_of(graph: Graph, item: AssociationInput) -> tuple[str, str]:
    return graph.records[item.from_id].type_id, graph.records[item.to_id].type_id


def _view(schema: Schema, graph: Graph, from_id: int, to_id: int) -> AssociationView:
    from_type, to_type = graph.records[from_id].type_id, graph.records[to_id].type_id
    types = schema.ordered(graph.links[(from_id, to_id)])
    return AssociationView(from_type, from_id, to_type, to_id, types)

"""Association labels: create, rename, delete per object-type pair (A4, A5, P6)."""

from __future__ import annotations

import re

from liaison.domain.association_types import MAX_LABELS_PER_PAIR, AssociationType, Kind
from liaison.domain.association_types import user_defined_pair as make_pair
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.services.object_types import check_text
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import accounts
from liaison.storage import association_types as store
from liaison.storage.associations import Needs, load_graph

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def list_types(
    database: Database, caller: Caller, from_type: str, to_type: str
) -> list[AssociationType]:
    """Every type of the direction: the base type, Primary where it exists, then the labels."""
    with reading(database, caller) as unit:
        x, y = _pair(unit.schema, from_type, to_type)
        return unit.schema.types_between(x, y)


def label_uses(database: Database, caller: Caller, from_type: str, to_type: str) -> dict[int, int]:
    """How many associations carry each label of the direction (those carrying none left out):
    what deleting one would remove it from (A5)."""
    with reading(database, caller) as unit:
        x, y = _pair(unit.schema, from_type, to_type)
        ids = [t.id for t in unit.schema.types_between(x, y) if t.kind is Kind.LABEL]
        return store.uses_of(unit.conn, unit.account_id, ids)


def create_label(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    *,
    label: str,
    inverse_label: str | None = None,
    name: str | None = None,
    primary: bool = False,
) -> list[AssociationType]:
    """Define a single label, or a paired one with `inverse_label` (A4); `primary` makes it
    exclusive on the from side: one such association per record (P6). Returns both directions."""
    with unit_of_work(database, caller, "create_label") as unit:
        schema = unit.schema
        x, y = _pair(schema, from_type, to_type)
        label, inverse_label = _clean(label), _clean(inverse_label) if inverse_label else None
        name = name or re.sub(r"\W+", "_", f"{label}_{inverse_label or ''}".lower()).strip("_")
        _check_new_label(schema, x, y, name, [label, inverse_label or label])
        symmetric = x == y and inverse_label is None
        first = accounts.reserve_ids(
            unit.conn, unit.account_id, "association_type", 1 if symmetric else 2
        )
        types = make_pair(
            from_type=x,
            to_type=y,
            forward=first,
            backward=first if symmetric else first + 1,
            kind=Kind.LABEL,
            label=label,
            inverse_label=inverse_label,
            name=name,
            exclusive=primary,
        )
        store.insert_types(unit.conn, unit.account_id, types)
        return types


def rename_label(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    type_id: int,
    *,
    label: str,
    inverse_label: str | None = None,
) -> list[AssociationType]:
    with unit_of_work(database, caller, "rename_label") as unit:
        schema = unit.schema
        x, y = _pair(schema, from_type, to_type)
        current = _own_label(schema, x, y, type_id)
        inverse = schema.types[current.inverse_id]
        label = _clean(label)
        inverse_label = (
            _clean(inverse_label)
            if inverse_label
            else (label if inverse.label == current.label else inverse.label)
        )
        others = [t.label for t in _labels(schema, x, y) if t.id not in (current.id, inverse.id)]
        _check_unique(others, [label, inverse_label or label])
        store.rename(unit.conn, unit.account_id, current.id, label)
        if inverse.id != current.id and inverse_label:
            store.rename(unit.conn, unit.account_id, inverse.id, inverse_label)
        unit.forget_schema()
        return [unit.schema.types[i] for i in dict.fromkeys((current.id, inverse.id))]


def delete_label(
    database: Database,
    caller: Caller,
    from_type: str,
    to_type: str,
    type_id: int,
    *,
    force: bool = False,
) -> int:
    """Delete a label; refused while associations use it, unless `force`, which first removes it
    from them (recorded in history). Returns how many associations lost it."""
    with unit_of_work(database, caller, "delete_label") as unit:
        schema = unit.schema
        x, y = _pair(schema, from_type, to_type)
        current = _own_label(schema, x, y, type_id)
        used = store.uses(unit.conn, unit.account_id, current.id)
        if used and not force:
            raise LiaisonError(
                ErrorCode.LABEL_IN_USE,
                f"The label '{current.label}' is used by {used} association"
                f"{'s' if used != 1 else ''}: remove it from them first, or delete with force.",
                associationTypeId=current.id,
                uses=used,
            )
        if used:
            _strip(unit, current)
        store.delete_types(unit.conn, unit.account_id, {current.id, current.inverse_id})
        return used


def _strip(unit: Unit, label: AssociationType) -> None:
    pairs = set(store.pairs_using(unit.conn, unit.account_id, label.id))
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(records={i for p in pairs for i in p}, pairs=pairs),
    )
    planner = unit.planner(graph)
    for from_id, to_id in sorted(pairs):
        planner.remove_types(from_id, to_id, [label.id])
    unit.save(planner)


def _pair(schema: Schema, from_type: str, to_type: str) -> tuple[str, str]:
    x, y = schema.object_type(from_type).id, schema.object_type(to_type).id
    schema.unlabeled_id(x, y)
    return x, y


def _labels(schema: Schema, x: str, y: str) -> list[AssociationType]:
    """The pair's labels in both directions (names are unique across them)."""
    both = schema.types_between(x, y) + (schema.types_between(y, x) if x != y else [])
    return [t for t in both if t.kind is Kind.LABEL]


def _own_label(schema: Schema, x: str, y: str, type_id: int) -> AssociationType:
    found = schema.association_type(type_id, x, y)
    if found.builtin or found.kind is not Kind.LABEL:
        raise LiaisonError(
            ErrorCode.BUILTIN_TYPE_READ_ONLY,
            f"Association type {type_id} ({found.label or 'unlabeled'}) is built in: it cannot be "
            "renamed or deleted.",
            associationTypeId=type_id,
        )
    return found


def _check_new_label(schema: Schema, x: str, y: str, name: str, labels: list[str]) -> None:
    existing = _labels(schema, x, y)
    if not _NAME.match(name) or len(name) > 100:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Label name {name!r} must start with a letter or underscore and contain only "
            "letters, digits and underscores.",
            name=name,
        )
    if any(t.name.lower() == name.lower() for t in existing):
        raise LiaisonError(
            ErrorCode.LABEL_EXISTS,
            f"A label named {name!r} already exists for this pair.",
            name=name,
        )
    definitions = {(min(t.id, t.inverse_id)) for t in existing}
    if len(definitions) >= MAX_LABELS_PER_PAIR:
        raise LiaisonError(
            ErrorCode.TOO_MANY_LABELS,
            f"This pair of object types already has {MAX_LABELS_PER_PAIR} labels, the most "
            "allowed.",
            limit=MAX_LABELS_PER_PAIR,
        )
    _check_unique([t.label for t in existing], labels)


def _check_unique(existing: list[str | None], wanted: list[str]) -> None:
    taken = {e.lower() for e in existing if e}
    for label in wanted:
        if label.lower() in taken or label.lower() == "primary":
            raise LiaisonError(
                ErrorCode.LABEL_EXISTS,
                f"The label '{label}' already exists for this pair.",
                label=label,
            )


def _clean(label: str) -> str:
    check_text(label)
    label = " ".join(label.split())
    if not label or len(label) > 100:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, "A label must have between 1 and 100 characters.", label=label
        )
    return label

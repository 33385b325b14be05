"""One chunk of an import's rows, applied in the caller's unit of work: in one pass, its
records then their associations; in two, every file's records (phase 1), then every file's
associations (phase 2). Each row is all or nothing within each step; a refused row becomes an
error row and the others go on."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from liaison.domain.association_types import AssociationType
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.graph import RecordInfo
from liaison.domain.history import HistoryEvent
from liaison.domain.id_properties import RECORD_ID
from liaison.domain.import_mapping import FileMapping, ImportMapping, Mode, RecordIds
from liaison.domain.object_types import CONTACTS
from liaison.domain.planner import Planner
from liaison.domain.properties import Properties
from liaison.services import associations as associations_service
from liaison.services import records as records_service
from liaison.services.associations import AssociationInput
from liaison.services.import_files import SourceRow, positions
from liaison.services.unit import Unit
from liaison.storage import associations as associations_store
from liaison.storage import imports as store
from liaison.storage import records as records_store
from liaison.storage.associations import Needs, load_graph

RECORDS, ASSOCIATIONS = 1, 2
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ENTRY = re.compile(r"^(?P<key>.*?)\s*(?:\((?P<labels>[^()]*)\))?$")
ENTRY_SEPARATOR = "|"
LABEL_SEPARATOR = ";"
Key = tuple[str, str]
"""(object type ID, key): how an import names a record."""
_new_tuple = tuple.__new__


@dataclass
class Chunk:
    """What the rows of one chunk did: counts and refused rows."""

    counts: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, file_index: int, phase: int, row: SourceRow, error: LiaisonError) -> None:
        self.counts["rows_refused"] += 1
        self.errors.append(
            {
                "file_index": file_index,
                "line": row.line,
                "phase": phase,
                "code": error.code.value,
                "message": error.message,
                "cells": row.cells,
            }
        )


class RowObject(NamedTuple):
    object_id: str
    key: str
    value: str | None
    """The matching value the row gave (None: the record is always new)."""
    properties: dict[str, str]


@dataclass
class Context:
    unit: Unit
    import_id: int
    mapping: ImportMapping
    file_index: int
    watermark: int
    plan: list[tuple[str, list[tuple[int, str]], str | None]] = field(init=False)
    """(object type ID, (position, property) of its columns, its matching property) in order."""
    labels_at: int | None = field(init=False)
    """Where the row's labels are in `SourceRow.values` (None: the file has no labels column)."""
    links_at: list[tuple[int, str, str]] = field(init=False)
    """(position, target object type ID, its matching property) of each association column."""
    label_types: dict[tuple[str, str], dict[str, AssociationType]] = field(default_factory=dict)
    """(from type, to type) -> its labels by casefolded name."""
    labels_asked: dict[tuple[str, str, str], tuple[tuple[int, ...], bool]] = field(
        default_factory=dict
    )
    """(from type, to type, a labels cell) -> `_labels`: a chunk's cells repeat a few texts."""

    def __post_init__(self) -> None:
        at = positions(self.file.headers)
        self.plan = [
            (
                o,
                [(at[h], p) for h, p in self.file.properties(o) if h in at],
                self.mapping.match_of(o),
            )
            for o in self.file.objects
        ]
        self.labels_at = at.get(self.file.labels_header() or "")
        self.links_at = [
            (at[h], target, self.mapping.match_of(target) or RECORD_ID)
            for h, target in self.file.association_headers()
            if h in at
        ]

    @property
    def file(self) -> FileMapping:
        return self.mapping.files[self.file_index]

    def labels_between(self, from_type: str, to_type: str) -> dict[str, AssociationType]:
        found = self.label_types.get((from_type, to_type))
        if found is None:
            types = self.unit.schema.types_between(from_type, to_type)
            found = {t.label.casefold(): t for t in types if t.label}
            self.label_types[(from_type, to_type)] = found
        return found


# -- what a row holds ----------------------------------------------------------------------------
def row_objects(context: Context, row: SourceRow) -> list[RowObject]:
    """The records a row names, in the file's object order; an object with no cell is absent."""
    found = []
    values = row.values
    for object_id, columns, match in context.plan:
        cells = {p: v for i, p in columns if (v := values[i])}
        if not cells:
            continue
        value = cells.pop(RECORD_ID, None) if match == RECORD_ID else cells.get(match or "")
        key = _key(match, value) if match and value else f"@{context.file_index}:{row.line}"
        cells.pop(RECORD_ID, None)
        found.append(_new_tuple(RowObject, (object_id, key, value, cells)))
    return found


def _key(match: str, value: str) -> str:
    return f"{match}={value.strip() if match == RECORD_ID else value.strip().lower()}"


def resolve(context: Context, wanted: Sequence[tuple[str, str]]) -> tuple[dict[Key, int], set[Key]]:
    """The records named by (object type ID, key): made or matched earlier by this import, or
    (for a real key) existing before it; and the keys the import had noted already."""
    unit = context.unit
    found = store.find_keys(unit.conn, unit.account_id, context.import_id, wanted)
    noted = set(found)
    missing: dict[tuple[str, str], list[str]] = {}
    for object_id, key in wanted:
        if (object_id, key) not in found and not key.startswith("@"):
            match, _, value = key.partition("=")
            missing.setdefault((object_id, match), []).append(value)
    for (object_id, match), values in missing.items():
        for value, record_id in _existing(context, object_id, match, values).items():
            found[(object_id, _key(match, value))] = record_id
    return found, noted


def _existing(context: Context, object_id: str, match: str, values: list[str]) -> dict[str, int]:
    unit = context.unit
    if match != RECORD_ID:
        return store.find_existing(
            unit.conn, unit.account_id, object_id, match, values, up_to=context.watermark
        )
    if context.mapping.record_ids is RecordIds.FILE:
        return {}
    kind = unit.schema.object_types[object_id]
    rows = records_service.find_many(unit, kind, values)
    return {value: row.id for value, row in rows.items()}


# -- phase 1: records ----------------------------------------------------------------------------
_DONE = {True: "created", False: "updated"}
_BY_ID = f"{RECORD_ID}="
"""How the key of a record named by its Record ID starts."""


_UPSERT, _CREATE, _UPDATE = Mode.CREATE_OR_UPDATE, Mode.CREATE, Mode.UPDATE
"""As constants: an enum member costs a lookup each time, and a row takes several."""


class _Staged:
    """Records of a chunk as its rows leave them: new ones (not yet inserted) and updates."""

    def __init__(
        self, context: Context, found: dict[Key, int], current: dict[int, store.Current]
    ) -> None:
        self.kinds = context.unit.schema.object_types
        self.mode = context.mapping.mode
        self.by_id = context.mapping.record_ids is RecordIds.EXISTING
        self.found, self.current = found, current
        self.new: dict[Key, Properties] = {}
        self.updates: dict[int, tuple[str, Properties]] = {}
        """Record ID -> (its object type ID, its properties after the chunk's rows)."""
        self.matched: dict[Key, int] = {}
        self.done = Counter[tuple[str, bool]]()
        """(object type ID, made by the chunk) -> the rows' records."""

    def row(self, objects: list[RowObject]) -> None:
        """Stage a row's records, all or none: a LiaisonError refuses the row."""
        mode, changes = self.mode, []
        for obj in objects:  # the main record first; the others are created or updated
            changes.append(self._change(obj, mode))
            mode = _UPSERT
        for ref, record_id, properties, created in changes:
            if record_id is None:
                self.new[ref] = properties
            else:
                self.updates[record_id] = (ref[0], properties)
                self.matched[ref] = record_id
            self.done[ref[0], created] += 1

    def _change(self, obj: RowObject, mode: Mode) -> tuple[Key, int | None, Properties, bool]:
        """(the object's key, its record ID or None if new, its properties after the row, made
        by this row)."""
        object_id, key, _, properties = obj
        kind = self.kinds[object_id]
        if object_id == CONTACTS:
            _check_email(properties)
        ref = (object_id, key)
        record_id = self.found.get(ref)
        if record_id is not None:
            if mode is _CREATE:
                raise LiaisonError(
                    ErrorCode.INVALID_INPUT,
                    f"A {kind.singular} with {key} exists already (create only).",
                )
            row = self.current.get(record_id)
            if row is None or row.archived:
                raise LiaisonError(
                    ErrorCode.RECORD_ARCHIVED,
                    f"The {kind.singular} with {key} was deleted while the import ran.",
                    objectId=record_id,
                )
            staged = self.updates.get(record_id)
            base = staged[1] if staged else row.properties  # validate_update never changes it
            return ref, record_id, kind.validate_update(base, properties), False
        if ref in self.new:
            return ref, None, kind.validate_update(self.new[ref], properties), False
        if mode is _UPDATE or (self.by_id and key.startswith(_BY_ID)):
            raise LiaisonError(
                ErrorCode.RECORD_NOT_FOUND,
                f"There is no {kind.singular} whose {key.replace('=', ' is ', 1)}.",
            )
        return ref, None, kind.validate_new(properties), True


def apply_records(context: Context, rows: Sequence[SourceRow], chunk: Chunk) -> None:
    _records(context, rows, chunk)


def apply_in_one_pass(context: Context, rows: Sequence[SourceRow], chunk: Chunk) -> None:
    """The rows' records, then their associations, from what the records step found and made
    (see `passes`): the file is read once, and no key is looked up twice."""
    accepted, ids, known = _records(context, rows, chunk)
    _associate_rows(context, [(row, objects, []) for row, objects in accepted], ids, chunk, known)


def passes(mapping: ImportMapping) -> int:
    """1 when every association of a row is between the row's own records (one file, no
    association columns): a chunk then writes its records and their associations at once;
    else 2 (every file's records, then every file's associations: decision 0015)."""
    files = mapping.files
    return 1 if len(files) == 1 and not files[0].association_headers() else 2


Accepted = list[tuple[SourceRow, list[RowObject]]]
Known = dict[int, RecordInfo]
"""Records a chunk made or matched, by ID, as the set-wise association path takes them instead
of reading them (`associations.associate_new`'s `given`)."""


def _records(
    context: Context, rows: Sequence[SourceRow], chunk: Chunk
) -> tuple[Accepted, dict[Key, int], Known]:
    """Create or update the rows' records: the rows not refused with their objects, the
    record of every key the rows name, and what `_write_records` knows of them."""
    unit, schema = context.unit, context.unit.schema
    by_row = [(row, row_objects(context, row)) for row in rows]
    keys = [(o.object_id, o.key) for _, objects in by_row for o in objects]
    found, noted = resolve(context, keys)
    current = store.current(unit.conn, unit.account_id, set(found.values()))
    staged = _Staged(context, found, current)
    accepted: Accepted = []
    for row, objects in by_row:
        try:
            staged.row(objects)
        except LiaisonError as error:
            chunk.refuse(context.file_index, RECORDS, row, error)
            continue
        accepted.append((row, objects))
    for (object_id, created), count in staged.done.items():
        chunk.counts[f"{schema.object_types[object_id].name}.{_DONE[created]}"] += count
    chunk.counts["rows"] += len(rows)
    made, known = _write_records(context, staged, noted, current)
    return accepted, found | made, known


def _check_email(properties: dict[str, str]) -> None:
    email = properties.get("email")
    if email and not _EMAIL.match(email):
        raise LiaisonError(
            ErrorCode.INVALID_PROPERTY,
            f"Property 'email' must be an email address; got {email!r}.",
            property="email",
        )


def _write_records(
    context: Context, staged: _Staged, noted: set[Key], current: dict[int, store.Current]
) -> tuple[dict[Key, int], Known]:
    """Write the staged records and note their keys; the new records' IDs by key, and the
    records as the set-wise association path may take them: the new ones, and the matched
    ones of a type that requires no primary company (`storage.associations.load_for_new`)."""
    unit = context.unit
    schema = unit.schema
    made: dict[Key, int] = {}
    known: Known = {}
    by_type: dict[str, list[Key]] = {}
    for key in staged.new:
        by_type.setdefault(key[0], []).append(key)
    for object_id, new_keys in by_type.items():
        kind = schema.object_types[object_id]
        values = [(staged.new[k], kind.display_name(staged.new[k])) for k in new_keys]
        ids = records_store.insert_many(unit.conn, unit.account_id, object_id, values, now=unit.now)
        made.update(zip(new_keys, ids, strict=True))
        known.update(
            (i, _new_tuple(RecordInfo, (i, object_id, name, False, None)))
            for i, (_, name) in zip(ids, values, strict=True)
        )
    changed = {
        i: (p, schema.object_types[object_id].display_name(p))
        for i, (object_id, p) in staged.updates.items()
        if p != current[i].properties  # a row that changes nothing writes nothing
    }
    records_store.update_properties(unit.conn, unit.account_id, changed, now=unit.now)
    for i, (object_id, _) in staged.updates.items():
        if not schema.object_types[object_id].requires_primary_company:
            name = changed[i][1] if i in changed else current[i].name
            known[i] = _new_tuple(RecordInfo, (i, object_id, name, False, current[i].merged_into))
    matched = {k: i for k, i in staged.matched.items() if k not in noted}
    store.add_keys(unit.conn, unit.account_id, context.import_id, matched | made)
    return made, known


# -- phase 2: associations -----------------------------------------------------------------------
class _Link(NamedTuple):
    from_id: int
    to_id: int
    types: tuple[int, ...]
    exclusive: bool


Planned = list[tuple[SourceRow, list[_Link]]]
Cells = list[tuple[str, str, str]]
"""(target object type ID, key, labels text) of each entry of a row's association columns."""


def apply_associations(context: Context, rows: Sequence[SourceRow], chunk: Chunk) -> None:
    unit = context.unit
    if not rows:
        return
    refused = store.refused_lines(
        unit.conn,
        unit.account_id,
        context.import_id,
        context.file_index,
        rows[0].line,
        rows[-1].line,
    )
    live = [row for row in rows if row.line not in refused]
    wanted: list[Key] = []
    parsed = []
    for row in live:
        objects = row_objects(context, row)
        cells = _association_cells(context, row)
        parsed.append((row, objects, cells))
        wanted += [(o.object_id, o.key) for o in objects]
        wanted += [(target, key) for target, key, _ in cells]
    found, _ = resolve(context, wanted)
    _associate_rows(context, parsed, found, chunk, {})


def _associate_rows(
    context: Context,
    parsed: list[tuple[SourceRow, list[RowObject], Cells]],
    found: dict[Key, int],
    chunk: Chunk,
    known: Known,
) -> None:
    """Associate each row's main record with its other records and association cells;
    `known`: records as `_write_records` left them."""
    planned: Planned = []
    for row, objects, cells in parsed:
        try:
            planned.append((row, _links(context, row, objects, cells, found)))
        except LiaisonError as error:
            chunk.refuse(context.file_index, ASSOCIATIONS, row, error)
    _associate(context, planned, chunk, known)


def _association_cells(context: Context, row: SourceRow) -> Cells:
    """The entries of the row's association columns."""
    entries = []
    for at, target, match in context.links_at:
        for entry in row.values[at].split(ENTRY_SEPARATOR):
            parsed = _ENTRY.match(entry.strip())
            if parsed and parsed["key"]:
                entries.append((target, _key(match, parsed["key"]), parsed["labels"] or ""))
    return entries


def _links(
    context: Context,
    row: SourceRow,
    objects: list[RowObject],
    cells: Cells,
    found: dict[Key, int],
) -> list[_Link]:
    if not objects:
        return []
    main = objects[0]
    main_id = _found(context, found, main.object_id, main.key)
    labels = "" if context.labels_at is None else row.values[context.labels_at]
    links = []
    for index, other in enumerate(objects[1:]):
        text = labels if index == 0 else ""
        to_id = _found(context, found, other.object_id, other.key)
        links.append(_link(context, main_id, main.object_id, to_id, other.object_id, text))
    for target, key, text in cells:
        to_id = _found(context, found, target, key)
        links.append(_link(context, main_id, main.object_id, to_id, target, text))
    return sorted(links, key=lambda link: not link.exclusive) if len(links) > 1 else links


def _found(context: Context, found: dict[Key, int], object_id: str, key: str) -> int:
    record_id = found.get((object_id, key))
    if record_id is None:
        kind = context.unit.schema.object_types[object_id]
        raise LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"There is no {kind.singular} whose {key.replace('=', ' is ', 1)}.",
        )
    return record_id


def _link(
    context: Context, from_id: int, from_type: str, to_id: int, to_type: str, text: str
) -> _Link:
    if not text:
        return _new_tuple(_Link, (from_id, to_id, (), False))
    asked = context.labels_asked.get((from_type, to_type, text))
    if asked is None:
        asked = context.labels_asked[(from_type, to_type, text)] = _labels(
            context, from_type, to_type, text
        )
    return _new_tuple(_Link, (from_id, to_id, *asked))


def _labels(
    context: Context, from_type: str, to_type: str, text: str
) -> tuple[tuple[int, ...], bool]:
    """The type IDs of the labels a cell names, and whether one of them is exclusive."""
    schema = context.unit.schema
    names = [n.strip() for n in text.split(LABEL_SEPARATOR) if n.strip()]
    types = context.labels_between(from_type, to_type)
    unknown = [n for n in names if n.casefold() not in types]
    if unknown:
        raise LiaisonError(
            ErrorCode.ASSOCIATION_TYPE_NOT_FOUND,
            f"There is no label {unknown[0]!r} from {schema.object_types[from_type].plural} to "
            f"{schema.object_types[to_type].plural}.",
            label=unknown[0],
        )
    chosen = [types[n.casefold()] for n in names]
    return tuple(t.id for t in chosen), any(t.exclusive for t in chosen)


def _associate(context: Context, planned: Planned, chunk: Chunk, known: Known) -> None:
    """The rows' associations: those of rows asking for no exclusive label planned set-wise
    when they can be (`Planner.associate_new`: nothing in them can be refused), the others row
    by row."""
    set_wise, others = _split(planned)
    if set_wise and _associate_set_wise(context, set_wise, chunk, known):
        planned = others
    if not planned:
        return
    unit = context.unit
    links = [link for _, row_links in planned for link in row_links]
    records = {link.from_id for link in links} | {link.to_id for link in links}
    pairs = {(link.from_id, link.to_id) for link in links}
    needs = Needs(records=records, pairs=pairs, holder_links=True)
    planner = unit.planner(load_graph(unit.conn, unit.account_id, unit.schema, needs))
    for row, row_links in planned:
        error = planner.attempt(_associate_row, planner, row_links)
        if isinstance(error, LiaisonError):
            chunk.refuse(context.file_index, ASSOCIATIONS, row, error)
    _count_events(chunk, planner.events)
    unit.save(planner)


def _split(planned: Planned) -> tuple[Planned, Planned]:
    """Rows whose links ask for no exclusive label (a Primary) and share no record with the
    other rows (so applying them first changes no outcome), and the other rows, in file order."""
    row_by_row = {i for i, (_, row_links) in enumerate(planned) if _asks_primary(row_links)}
    if not row_by_row:
        return planned, []
    while True:
        touched = {
            r for i in row_by_row for link in planned[i][1] for r in (link.from_id, link.to_id)
        }
        more = {
            i
            for i, (_, links) in enumerate(planned)
            if i not in row_by_row and any({link.from_id, link.to_id} & touched for link in links)
        }
        if not more:
            break
        row_by_row |= more
    set_wise = [row for i, row in enumerate(planned) if i not in row_by_row]
    return set_wise, [row for i, row in enumerate(planned) if i in row_by_row]


def _asks_primary(links: list[_Link]) -> bool:
    return bool(links) and links[0].exclusive  # `_links` puts exclusive ones first


def _associate_set_wise(context: Context, rows: Planned, chunk: Chunk, known: Known) -> bool:
    """Plan and write the rows' links as one batch (`associations.associate_new`); False
    (nothing done) if they are not all new associations it can plan, or one exists."""
    unit = context.unit
    links = [link for _, row_links in rows for link in row_links]
    inputs = [_new_tuple(AssociationInput, (f, t, types, None)) for f, t, types, _ in links]
    try:
        with unit.conn.begin_nested():  # a pair that exists after all undoes just this batch
            done = associations_service.associate_new(unit, inputs, given=known)
    except associations_store.AlreadyAssociated:
        return False
    if done is None:
        return False
    _count_events(chunk, done.events)
    return True


def _count_events(chunk: Chunk, events: list[HistoryEvent]) -> None:
    """Count the association changes by kind (in the order each kind first occurs)."""
    for change, count in Counter(e.change for e in events).items():
        chunk.counts[f"associations.{change.value.lower()}"] += count


def _associate_row(planner: Planner, links: list[_Link]) -> None:
    for link in links:
        planner.associate(link.from_id, link.to_id, link.types)


Apply = Callable[[Context, Sequence[SourceRow], Chunk], None]
PHASES: dict[int, Apply] = {RECORDS: apply_records, ASSOCIATIONS: apply_associations}
"""How a chunk of each phase is applied, for an import in two passes."""

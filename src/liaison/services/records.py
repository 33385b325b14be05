"""Records: create, read, update, delete (L1), restore (L2), merge (L3), purge (L5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

from liaison.domain import email_domains, id_properties
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Change, Source
from liaison.domain.object_types import CONTACTS, ObjectType
from liaison.domain.records import Record, parse_id
from liaison.services import activity_rules, domains
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import history as history_store
from liaison.storage import records as store
from liaison.storage.associations import Needs, load_graph
from liaison.storage.clock import to_datetime


@dataclass(frozen=True)
class NewAssociation:
    """An association to make while creating a record: to `to_id`, with these types."""

    to_id: int
    types: tuple[int, ...] = ()


@dataclass(frozen=True)
class NewRecord:
    properties: Mapping[str, object]
    associations: Sequence[NewAssociation] = ()


@dataclass(frozen=True)
class Page:
    records: list[Record]
    next_after: int | None


@dataclass(frozen=True)
class Restored:
    record: Record
    associations_restored: int
    skipped: list[dict[str, Any]] = field(default_factory=list)
    """Associations the deletion removed that could not come back, each with the reason."""


def create(
    database: Database,
    caller: Caller,
    object_type: str,
    properties: Mapping[str, object],
    associations: Sequence[NewAssociation] = (),
) -> Record:
    return create_many(database, caller, object_type, [NewRecord(properties, associations)])[0]


def create_many(
    database: Database, caller: Caller, object_type: str, inputs: Sequence[NewRecord]
) -> list[Record]:
    """Create records and their inline associations, all or nothing (O4)."""
    with unit_of_work(database, caller, "create") as unit:
        kind = unit.schema.object_type(object_type)
        values = [kind.validate_new(i.properties) for i in inputs]
        named = [(v, kind.display_name(v)) for v in values]
        ids = store.insert_many(unit.conn, unit.account_id, kind.id, named, now=unit.now)
        links = [(i, a) for i, new in zip(ids, inputs, strict=True) for a in new.associations]
        if links:
            _associate_new(unit, links)
        _after_create(unit, kind, list(zip(ids, inputs, strict=True)))
        return _fetch(unit, ids)


@dataclass(frozen=True)
class Refused:
    """One batch input a rule refused, by its position in the batch."""

    index: int
    error: LiaisonError


@dataclass(frozen=True)
class EachResult:
    """A batch applied input by input: what each accepted input gave, and each refusal."""

    results: list[tuple[int, Record]]
    """(input index, record), in input order."""
    refused: list[Refused]


def create_each(
    database: Database, caller: Caller, object_type: str, inputs: Sequence[NewRecord]
) -> EachResult:
    """Create records, each input all or nothing (A6): a refused input (its properties or one
    of its associations) is reported and leaves no trace; the others are created."""
    with unit_of_work(database, caller, "create") as unit:
        kind = unit.schema.object_type(object_type)
        refused: list[Refused] = []
        valid: list[tuple[int, NewRecord, dict[str, Any]]] = []
        for index, new in enumerate(inputs):
            try:
                valid.append((index, new, kind.validate_new(new.properties)))
            except LiaisonError as error:
                refused.append(Refused(index, error))
        named = [(values, kind.display_name(values)) for _, _, values in valid]
        ids = (
            store.insert_many(unit.conn, unit.account_id, kind.id, named, now=unit.now)
            if named
            else []
        )
        made = [
            (index, record_id, new) for (index, new, _), record_id in zip(valid, ids, strict=True)
        ]
        failed = _associate_each(unit, made)
        refused += failed
        gone = {r.index for r in failed}
        if gone:
            store.delete_new(unit.conn, unit.account_id, [i for n, i, _ in made if n in gone])
        kept = [(index, record_id) for index, record_id, _ in made if index not in gone]
        _after_create(unit, kind, [(i, new) for n, i, new in made if n not in gone])
        records = _fetch(unit, [record_id for _, record_id in kept])
        results = [(index, record) for (index, _), record in zip(kept, records, strict=True)]
        return EachResult(results, sorted(refused, key=lambda r: r.index))


def _associate_each(unit: Unit, made: list[tuple[int, int, NewRecord]]) -> list[Refused]:
    """Associate each new record as its input asks; an input refused is undone alone."""
    links = [(record_id, a) for _, record_id, new in made for a in new.associations]
    if not links:
        return []
    records = {i for i, _ in links} | {a.to_id for _, a in links}
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(records=records, pairs={(i, a.to_id) for i, a in links}, holder_links=True),
    )
    planner = unit.planner(graph)

    def link_all(record_id: int, wanted: Sequence[NewAssociation]) -> None:
        for link in wanted:
            planner.associate(record_id, link.to_id, link.types)

    refused = []
    for index, record_id, new in made:
        if new.associations:
            error = planner.attempt(link_all, record_id, new.associations)
            if isinstance(error, LiaisonError):
                refused.append(Refused(index, error))
    unit.save(planner)
    return refused


def update_each(
    database: Database, caller: Caller, object_type: str, changes: Sequence[PropertyChange]
) -> EachResult:
    """Update records, each input all or nothing: refused inputs are reported, the others
    written."""
    with unit_of_work(database, caller, "update") as unit:
        kind = unit.schema.object_type(object_type)
        refused: list[Refused] = []
        current: dict[int, dict[str, Any]] = {}
        originals: dict[int, Mapping[str, Any]] = {}
        accepted: list[tuple[int, int]] = []
        for index, change in enumerate(changes):
            try:
                row = find(unit, kind, change.ref, id_property=change.id_property)
                originals.setdefault(row.id, row.properties)
                base = current.get(row.id, dict(row.properties))
                current[row.id] = kind.validate_update(base, change.properties)
                accepted.append((index, row.id))
            except LiaisonError as error:
                refused.append(Refused(index, error))
        if current:
            store.update_properties(
                unit.conn,
                unit.account_id,
                {i: (props, kind.display_name(props)) for i, props in current.items()},
                now=unit.now,
            )
            _after_update(unit, kind, originals, current)
        records = _fetch(unit, [record_id for _, record_id in accepted])
        results = [(index, record) for (index, _), record in zip(accepted, records, strict=True)]
        return EachResult(results, refused)


def _after_create(unit: Unit, kind: ObjectType, made: Sequence[tuple[int, NewRecord]]) -> None:
    """The automation a new record sets off in its transaction: association by domain for
    contacts (L4), the activity rules for activities logged on records (T2)."""
    if kind.id == CONTACTS:
        emails = {record_id: new.properties.get("email") for record_id, new in made}
        domains.on_contacts_written(unit, emails)
    elif kind.is_activity:
        logged = [(i, [a.to_id for a in new.associations]) for i, new in made if new.associations]
        if logged:
            activity_rules.apply(unit, kind, logged)


def _after_update(
    unit: Unit,
    kind: ObjectType,
    before: Mapping[int, Mapping[str, Any]],
    after: Mapping[int, Mapping[str, Any]],
) -> None:
    """L4 for contacts whose email's domain changed."""
    if kind.id != CONTACTS:
        return
    changed = {
        i: email
        for i, props in after.items()
        if email_domains.of_email(email := props.get("email"))
        != email_domains.of_email((before.get(i) or {}).get("email"))
    }
    domains.on_contacts_written(unit, changed)


def _associate_new(unit: Unit, links: list[tuple[int, NewAssociation]]) -> None:
    records = {i for i, _ in links} | {a.to_id for _, a in links}
    pairs = {(i, a.to_id) for i, a in links}
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(records=records, pairs=pairs, holder_links=True),
    )
    planner = unit.planner(graph)
    for record_id, link in links:
        planner.associate(record_id, link.to_id, link.types)
    unit.save(planner)


def get(
    database: Database, caller: Caller, object_type: str, record_id: int, *, archived: bool = False
) -> Record:
    """Read a record; a merged record's ID reads its survivor (L3)."""
    with reading(database, caller) as unit:
        return to_record(_resolve(unit, object_type, record_id, archived=archived))


def get_many(
    database: Database,
    caller: Caller,
    object_type: str,
    ids: Sequence[int],
    *,
    archived: bool = False,
) -> dict[int, Record]:
    """Read several records by ID; the ones missing (or of another type) are left out."""
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        rows = store.get_many(unit.conn, unit.account_id, ids)
        survivors = store.get_many(
            unit.conn, unit.account_id, {r.merged_into for r in rows.values() if r.merged_into}
        )
        found = {}
        for record_id, row in rows.items():
            row = survivors.get(row.merged_into, row) if row.merged_into else row
            if row.type_id == kind.id and row.archived is archived:
                found[record_id] = to_record(row)
        return found


def list_records(
    database: Database,
    caller: Caller,
    object_type: str,
    *,
    after: int = 0,
    limit: int = 100,
    archived: bool = False,
) -> Page:
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
        rows = store.list_page(
            unit.conn, unit.account_id, kind.id, after=after, limit=limit + 1, archived=archived
        )
        records = [to_record(row) for row in rows[:limit]]
        return Page(records, records[-1].id if len(rows) > limit else None)


def update(
    database: Database,
    caller: Caller,
    object_type: str,
    record_id: int,
    properties: Mapping[str, object],
) -> Record:
    with unit_of_work(database, caller, "update") as unit:
        row = _resolve(unit, object_type, record_id)
        kind = unit.schema.object_type(object_type)
        merged = kind.validate_update(dict(row.properties), properties)
        store.update_properties(
            unit.conn, unit.account_id, {row.id: (merged, kind.display_name(merged))}, now=unit.now
        )
        _after_update(unit, kind, {row.id: row.properties}, {row.id: merged})
        return _fetch(unit, [row.id])[0]


def delete(database: Database, caller: Caller, object_type: str, record_id: int) -> None:
    """L1: archive the record and remove its associations, as OBJECT_DELETION."""
    with unit_of_work(database, caller, "delete") as unit:
        row = _resolve(unit, object_type, record_id, follow=False)
        _remove_all_associations(unit, row.id)
        store.archive(
            unit.conn, unit.account_id, [row.id], operation_id=unit.operation_id, now=unit.now
        )


def _remove_all_associations(unit: Unit, record_id: int) -> None:
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(
            records={record_id}, everything_of={record_id}, primary_rules=True, holder_links=True
        ),
    )
    planner = unit.planner(graph, source=Source.OBJECT_DELETION)
    planner.delete_record(record_id)
    unit.save(planner)


def restore(database: Database, caller: Caller, object_type: str, record_id: int) -> Restored:
    """L2: un-archive the record and bring back what its deletion removed, as OBJECT_RESTORE."""
    return restore_many(database, caller, object_type, [record_id])[0]


def restore_many(
    database: Database, caller: Caller, object_type: str, record_ids: Sequence[int]
) -> list[Restored]:
    """L2 for several deleted records in one operation: all are restored, or none (one that
    cannot be, such as a record merged away, refuses them all)."""
    with unit_of_work(database, caller, "restore") as unit:
        return [_restore(unit, object_type, i) for i in dict.fromkeys(record_ids)]


def _restore(unit: Unit, object_type: str, record_id: int) -> Restored:
    row = _resolve(unit, object_type, record_id, archived=True, follow=False)
    if row.merged_into is not None:
        raise LiaisonError(
            ErrorCode.RECORD_ARCHIVED,
            f"Record {row.id} was merged into record {row.merged_into}; it cannot be restored.",
            objectId=row.id,
            mergedInto=row.merged_into,
        )
    removed = _removed_by(unit, row.id, row.archived_by)
    store.unarchive(unit.conn, unit.account_id, row.id, now=unit.now)
    graph = load_graph(
        unit.conn,
        unit.account_id,
        unit.schema,
        Needs(records={row.id, *removed}, pairs={(row.id, o) for o in removed}),
    )
    planner = unit.planner(graph, source=Source.OBJECT_RESTORE)
    skipped = []
    exclusive_first = sorted(
        removed.items(),
        key=lambda item: (not any(unit.schema.types[t].exclusive for t in item[1]), item[0]),
    )
    for other, types in exclusive_first:
        error = planner.attempt(planner.restore_association, row.id, other, types)
        if isinstance(error, LiaisonError):
            skipped.append(
                {"toObjectId": other, "reason": error.message, "category": error.code.value}
            )
    unit.save(planner)
    restored = sum(1 for e in planner.events if e.change is Change.CREATED)
    return Restored(_fetch(unit, [row.id])[0], restored, skipped)


def _removed_by(unit: Unit, record_id: int, operation_id: int | None) -> dict[int, list[int]]:
    """The associations (other record -> its types, seen from `record_id`) a deletion removed."""
    if operation_id is None:
        return {}
    removed: dict[int, list[int]] = {}
    labels: dict[int, list[int]] = {}
    schema = unit.schema
    for event in history_store.for_operation(unit.conn, unit.account_id, operation_id):
        if record_id not in (event.from_id, event.to_id) or event.source != Source.OBJECT_DELETION:
            continue
        mine = event.from_id == record_id
        other = event.to_id if mine else event.from_id
        known = schema.types.get(event.type_id)
        if event.change == Change.REMOVED:
            removed[other] = []
        elif event.change in (Change.LABEL_REMOVED, Change.PRIMARY_REMOVED) and known:
            labels.setdefault(other, []).append(known.id if mine else known.inverse_id)
    return {other: labels.get(other, []) for other in removed}


def merge(
    database: Database, caller: Caller, object_type: str, primary_id: int, merged_id: int
) -> Record:
    """L3: merge `merged_id` into `primary_id`; the merged ID then reads the survivor."""
    with unit_of_work(database, caller, "merge") as unit:
        survivor = _resolve(unit, object_type, primary_id)
        merged = _resolve(unit, object_type, merged_id)
        graph = load_graph(
            unit.conn,
            unit.account_id,
            unit.schema,
            Needs(
                records={survivor.id, merged.id},
                everything_of={survivor.id, merged.id},
                primary_rules=True,
                holder_links=True,
            ),
        )
        planner = unit.planner(graph, source=Source.OBJECT_MERGE)
        planner.detail = {"mergedInto": survivor.id, "merged": merged.id}
        planner.merge(survivor.id, merged.id)
        unit.save(planner)
        filled = {
            k: v for k, v in merged.properties.items() if v and not survivor.properties.get(k)
        }
        if filled:
            properties = {**survivor.properties, **filled}
            name = unit.schema.object_types[survivor.type_id].display_name(properties)
            store.update_properties(
                unit.conn, unit.account_id, {survivor.id: (properties, name)}, now=unit.now
            )
        store.archive(
            unit.conn,
            unit.account_id,
            [merged.id],
            operation_id=unit.operation_id,
            now=unit.now,
            merged_into=survivor.id,
        )
        return _fetch(unit, [survivor.id])[0]


def purge(database: Database, caller: Caller, object_type: str, record_id: int) -> None:
    """L5: delete the record for good; its history stays, without its name."""
    with unit_of_work(database, caller, "purge") as unit:
        row = _resolve(unit, object_type, record_id, archived=None, follow=False)
        _remove_all_associations(unit, row.id)
        store.delete_permanently(unit.conn, unit.account_id, row.id)
        history_store.forget_name(unit.conn, unit.account_id, row.id)


# -- by reference: an ID, or the value of an ID property (HubSpot's idProperty) ----------------
@dataclass(frozen=True)
class PropertyChange:
    """New property values for the record named by `ref` (an ID, or an `id_property` value)."""

    ref: str
    properties: Mapping[str, object]
    id_property: str | None = None


def update_by(
    database: Database,
    caller: Caller,
    object_type: str,
    ref: str,
    properties: Mapping[str, object],
    *,
    id_property: str | None = None,
) -> Record:
    return update_many(
        database, caller, object_type, [PropertyChange(ref, properties, id_property)]
    )[0]


def update_many(
    database: Database, caller: Caller, object_type: str, changes: Sequence[PropertyChange]
) -> list[Record]:
    """Update several records, all or nothing (O4): one refused input refuses the batch."""
    with unit_of_work(database, caller, "update") as unit:
        kind = unit.schema.object_type(object_type)
        rows = [find(unit, kind, c.ref, id_property=c.id_property) for c in changes]
        current: dict[int, dict[str, Any]] = {row.id: dict(row.properties) for row in rows}
        for row, change in zip(rows, changes, strict=True):
            current[row.id] = kind.validate_update(current[row.id], change.properties)
        store.update_properties(
            unit.conn,
            unit.account_id,
            {i: (props, kind.display_name(props)) for i, props in current.items()},
            now=unit.now,
        )
        _after_update(unit, kind, {row.id: row.properties for row in rows}, current)
        return _fetch(unit, [row.id for row in rows])


def upsert_many(
    database: Database,
    caller: Caller,
    object_type: str,
    id_property: str,
    inputs: Sequence[tuple[str, Mapping[str, object]]],
) -> list[tuple[Record, bool]]:
    """Update the records whose `id_property` has each value, create the others with that
    value; all or nothing. Each result says whether its record is new."""
    with unit_of_work(database, caller, "upsert") as unit:
        kind = unit.schema.object_type(object_type)
        id_properties.check(kind, id_property)
        refs = [ref for ref, _ in inputs]
        _refuse_duplicates(kind, id_property, refs)
        existing = find_many(unit, kind, refs, id_property=id_property)
        missing = [ref for ref in refs if ref not in existing]
        if missing and id_property == id_properties.RECORD_ID:
            raise _no_record(kind, id_property, missing[0])
        updates = {
            existing[ref].id: kind.validate_update(dict(existing[ref].properties), props)
            for ref, props in inputs
            if ref in existing
        }
        creates = [
            kind.validate_new({**props, id_property: ref})
            for ref, props in inputs
            if ref not in existing
        ]
        if updates:
            store.update_properties(
                unit.conn,
                unit.account_id,
                {i: (p, kind.display_name(p)) for i, p in updates.items()},
                now=unit.now,
            )
        new_ids = iter(
            store.insert_many(
                unit.conn,
                unit.account_id,
                kind.id,
                [(p, kind.display_name(p)) for p in creates],
                now=unit.now,
            )
            if creates
            else []
        )
        ids = [
            (existing[ref].id, False) if ref in existing else (next(new_ids), True) for ref in refs
        ]
        _after_update(
            unit, kind, {r.id: r.properties for r in existing.values() if r.id in updates}, updates
        )
        if kind.id == CONTACTS:
            created = [i for i, new in ids if new]
            emails = {i: p.get("email") for i, p in zip(created, creates, strict=True)}
            domains.on_contacts_written(unit, emails)
        fetched = dict(zip((i for i, _ in ids), _fetch(unit, [i for i, _ in ids]), strict=True))
        return [(fetched[i], new) for i, new in ids]


def delete_many(
    database: Database,
    caller: Caller,
    object_type: str,
    ids: Sequence[int],
    *,
    within: Unit | None = None,
) -> int:
    """L1 for several records in one operation; IDs of records that do not exist (or are
    deleted already) are skipped, as HubSpot's batch archive does. Returns how many went.
    `within` runs it in that unit (a job's chunk) instead of a transaction of its own."""
    work = nullcontext(within) if within is not None else unit_of_work(database, caller, "delete")
    with work as unit:
        kind = unit.schema.object_type(object_type)
        rows = store.get_many(unit.conn, unit.account_id, ids)
        live = [
            i
            for i in dict.fromkeys(ids)
            if (row := rows.get(i)) is not None and row.type_id == kind.id and not row.archived
        ]
        if not live:
            return 0
        graph = load_graph(
            unit.conn,
            unit.account_id,
            unit.schema,
            Needs(
                records=set(live), everything_of=set(live), primary_rules=True, holder_links=True
            ),
        )
        planner = unit.planner(graph, source=Source.OBJECT_DELETION)
        for record_id in live:
            planner.delete_record(record_id)
        unit.save(planner)
        store.archive(
            unit.conn, unit.account_id, live, operation_id=unit.operation_id, now=unit.now
        )
        return len(live)


def purge_by(
    database: Database,
    caller: Caller,
    object_type: str,
    ref: str,
    *,
    id_property: str | None = None,
) -> None:
    """L5 for the record named by its ID or by `id_property` (GDPR delete by email)."""
    with unit_of_work(database, caller, "purge") as unit:
        kind = unit.schema.object_type(object_type)
        row = find(unit, kind, ref, id_property=id_property, archived=None, follow=False)
        _remove_all_associations(unit, row.id)
        store.delete_permanently(unit.conn, unit.account_id, row.id)
        history_store.forget_name(unit.conn, unit.account_id, row.id)


def find(
    unit: Unit,
    kind: ObjectType,
    ref: str,
    *,
    id_property: str | None = None,
    archived: bool | None = False,
    follow: bool = True,
) -> Row[Any]:
    """The record named by `ref`: its ID (a merged ID reads its survivor when `follow`), or
    the value of `id_property`; RECORD_NOT_FOUND when there is none."""
    if id_property is None or id_property == id_properties.RECORD_ID:
        return _resolve(unit, kind.id, _record_id(kind, ref), archived=archived, follow=follow)
    id_properties.check(kind, id_property)
    found = find_many(unit, kind, [ref], id_property=id_property, archived=archived)
    if ref not in found:
        raise _no_record(kind, id_property, ref)
    return found[ref]


def find_many(
    unit: Unit,
    kind: ObjectType,
    refs: Sequence[str],
    *,
    id_property: str | None = None,
    archived: bool | None = False,
) -> dict[str, Row[Any]]:
    """The records named by `refs` (IDs, or `id_property` values); the missing are left out.
    Merged IDs read their survivors."""
    if id_property is not None and id_property != id_properties.RECORD_ID:
        id_properties.check(kind, id_property)
        ignore_case = id_properties.ignores_case(kind, id_property)
        rows = store.find_by_property(
            unit.conn,
            unit.account_id,
            kind.id,
            id_property,
            [ref for ref in refs if "\x00" not in ref],  # no value holds one
            archived=archived,
            ignore_case=ignore_case,
        )
        return {
            ref: rows[ref.lower() if ignore_case else ref]
            for ref in refs
            if (ref.lower() if ignore_case else ref) in rows
        }
    ids = {ref: i for ref in refs if (i := parse_id(ref)) is not None}
    by_id = store.get_many(unit.conn, unit.account_id, set(ids.values()))
    survivors = store.get_many(
        unit.conn, unit.account_id, {r.merged_into for r in by_id.values() if r.merged_into}
    )
    found: dict[str, Row[Any]] = {}
    for ref, record_id in ids.items():
        row = by_id.get(record_id)
        if row is not None and row.merged_into is not None:
            row = survivors.get(row.merged_into)
        if row is None or row.type_id != kind.id:
            continue
        if archived is None or row.archived is archived:
            found[ref] = row
    return found


def _record_id(kind: ObjectType, ref: str) -> int:
    record_id = parse_id(ref)
    if record_id is None:
        raise LiaisonError(
            ErrorCode.RECORD_NOT_FOUND,
            f"There is no {kind.singular} with ID {ref!r}: record IDs are numbers "
            "(use idProperty to name a record by another property).",
            objectType=kind.name,
            objectId=ref,
        )
    return record_id


def _no_record(kind: ObjectType, id_property: str, ref: str) -> LiaisonError:
    return LiaisonError(
        ErrorCode.RECORD_NOT_FOUND,
        f"There is no {kind.singular} whose {id_property} is {ref!r}.",
        objectType=kind.name,
        idProperty=id_property,
        objectId=ref,
    )


def _refuse_duplicates(kind: ObjectType, id_property: str, refs: Sequence[str]) -> None:
    ignore_case = id_properties.ignores_case(kind, id_property)
    seen: set[str] = set()
    for ref in refs:
        key = ref.lower() if ignore_case else ref
        if key in seen:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"The {id_property} {ref!r} appears more than once in the batch.",
                idProperty=id_property,
                objectId=ref,
            )
        seen.add(key)


# -- helpers -----------------------------------------------------------------------------------
def _resolve(
    unit: Unit,
    object_type: str,
    record_id: int,
    *,
    archived: bool | None = False,
    follow: bool = True,
) -> Row[Any]:
    """The record `record_id` of `object_type`, or RECORD_NOT_FOUND. A merged record's ID
    stands for its survivor when `follow`; otherwise a live record is asked for in vain."""
    kind = unit.schema.object_type(object_type)
    row = store.get_many(unit.conn, unit.account_id, [record_id]).get(record_id)
    if row is not None and row.merged_into is not None and follow:
        row = store.get_many(unit.conn, unit.account_id, [row.merged_into]).get(row.merged_into)
    elif row is not None and row.merged_into is not None and archived is False:
        raise LiaisonError(
            ErrorCode.RECORD_ARCHIVED,
            f"{kind.singular.capitalize()} {record_id} was merged into record {row.merged_into}: "
            "use that one.",
            objectId=record_id,
            mergedInto=row.merged_into,
        )
    if row is None or row.type_id != kind.id or (archived is not None and row.archived != archived):
        raise kind.not_found(record_id, deleted=bool(archived))
    return row


def _fetch(unit: Unit, ids: Sequence[int]) -> list[Record]:
    rows = store.get_many(unit.conn, unit.account_id, ids)
    return [to_record(rows[i]) for i in ids]


def to_record(row: Row[Any]) -> Record:
    return Record(
        id=row.id,
        type_id=row.type_id,
        properties=dict(row.properties),
        created_at=to_datetime(row.created_at),
        updated_at=to_datetime(row.updated_at),
        archived=row.archived,
        archived_at=to_datetime(row.archived_at) if row.archived_at else None,
        merged_into=row.merged_into,
        name=row.name,
    )

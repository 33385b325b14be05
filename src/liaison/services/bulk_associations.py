"""Bulk association from an index page (U5): the selected records all associated with one chosen
record (with a label, optionally), or their association with it removed, as one operation (H6).
A small selection is done at once in one service call; a larger one runs as a job, chunk by
chunk (decision 0013), with the same handler. Each record is all or nothing on its own: one
refused (a limit, P4) is reported with its reason and the others go on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import ObjectType
from liaison.domain.records import MAX_RECORD_ID
from liaison.services import associations, jobs
from liaison.services.associations import AssociationInput, BatchResult, InputError
from liaison.services.database import Database
from liaison.services.jobs import Chunk, Job, Step
from liaison.services.unit import Caller, reading
from liaison.storage import associations as associations_store
from liaison.storage import records as records_store

ASSOCIATE = "bulk_associate"
REMOVE = "bulk_remove"
AT_ONCE = 200
"""Selections up to this size are done at once; larger ones run as a job."""
MAX_SELECTION = 1_000_000
REFUSALS_KEPT = 50
"""How many refused records the result lists with their reason (all are counted)."""


@dataclass(frozen=True)
class BulkChange:
    """What to do to every selected record: associate it with the target (and the label) or
    remove its association with the target."""

    kind: str
    """ASSOCIATE or REMOVE."""
    object_type: str
    """The selected records' type."""
    target_id: int
    label: int | None = None
    """An association type from the selected records' type to the target's (associate only)."""


@dataclass(frozen=True)
class Started:
    """A bulk change done at once (`result`), or queued as a job (`job`)."""

    result: dict[str, Any] | None = None
    job: Job | None = None


def start(database: Database, caller: Caller, change: BulkChange, ids: Sequence[int]) -> Started:
    """Check the change, then do it at once or queue it as a job."""
    selected = list(dict.fromkeys(ids))
    params, title = _checked(database, caller, change, selected)
    first = {"title": title, "objectType": params["objectType"]}
    if len(selected) <= AT_ONCE:
        handler = KINDS[change.kind]
        return Started(
            result=jobs.run_at_once(
                database,
                caller,
                change.kind,
                handler,
                params,
                size=len(selected),
                cursor=0,
                result=first,
            )
        )
    job = jobs.enqueue(
        database, caller, change.kind, params, total=len(selected), cursor=0, result=first
    )
    return Started(job=job)


def targets(database: Database, caller: Caller, object_type: str) -> list[ObjectType]:
    """The types the selected records may be associated with (their pairs are defined)."""
    with reading(database, caller) as unit:
        schema = unit.schema
        kind = schema.object_type(object_type)
        return [
            t
            for t in schema.object_types.values()
            if not t.is_activity and schema.is_defined(kind.id, t.id)
        ]


def _checked(
    database: Database, caller: Caller, change: BulkChange, ids: list[int]
) -> tuple[dict[str, Any], str]:
    """The job's parameters and title, once the change is known to make sense."""
    if change.kind not in KINDS:
        raise LiaisonError(ErrorCode.INVALID_INPUT, f"Unknown bulk change {change.kind}.")
    check_selection(ids)
    with reading(database, caller) as unit:
        schema = unit.schema
        kind = schema.object_type(change.object_type)
        found = records_store.get_infos(unit.conn, unit.account_id, {change.target_id})
        if not found or found[0][3]:  # unknown or archived
            raise LiaisonError(
                ErrorCode.RECORD_NOT_FOUND,
                f"There is no record with ID {change.target_id}.",
                objectId=change.target_id,
            )
        target_id, type_id, target_name = found[0][:3]
        target_type = schema.object_types[type_id]
        schema.unlabeled_id(kind.id, target_type.id)  # refuses an undefined pair (A2)
        label_name = ""
        if change.label is not None and change.kind == ASSOCIATE:
            label = schema.association_type(change.label, kind.id, target_type.id)
            label_name = f" as {label.label}" if label.label else ""
    name = target_name or f"{target_type.singular} {target_id}"
    count = f"{len(ids)} {kind.singular if len(ids) == 1 else kind.plural.lower()}"
    if change.kind == ASSOCIATE:
        title = f"Associate {count} with {name}{label_name}"
    else:
        title = f"Remove the association of {count} with {name}"
    params = {
        "objectType": kind.id,
        "ids": ids,
        "targetType": target_type.id,
        "targetId": target_id,
        "label": change.label if change.kind == ASSOCIATE else None,
    }
    return params, title


def check_selection(ids: Sequence[int]) -> None:
    """A bulk change needs one record at least, and IDs that can name records."""
    if not ids:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "Select at least one record.")
    if len(ids) > MAX_SELECTION or not all(1 <= i <= MAX_RECORD_ID for i in ids):
        raise LiaisonError(ErrorCode.INVALID_INPUT, "The selection is not valid.")


# -- the two job kinds ---------------------------------------------------------------------------
def associate_chunk(chunk: Chunk) -> Step:
    """Associate the next `size` selected records with the target."""
    p, batch, unit = chunk.params, _batch(chunk), chunk.unit
    before = associations_store.associated_with(
        unit.conn, unit.account_id, batch, p["targetType"], p["targetId"]
    )
    types = (p["label"],) if p["label"] else ()
    outcome = associations.associate(
        chunk.database,
        unit.caller,
        [AssociationInput(i, p["targetId"], types) for i in batch],
        from_type=p["objectType"],
        to_type=p["targetType"],
        within=unit,
    )
    refused = {e.input.from_id for e in outcome.errors}
    counts = {
        "associated": len(batch) - len(refused) - len(before - refused),
        "alreadyAssociated": len(before - refused),
    }
    return _step(chunk, batch, outcome, counts)


def remove_chunk(chunk: Chunk) -> Step:
    """Remove the association of the next `size` selected records with the target."""
    p, batch, unit = chunk.params, _batch(chunk), chunk.unit
    before = associations_store.associated_with(
        unit.conn, unit.account_id, batch, p["targetType"], p["targetId"]
    )
    outcome = associations.remove(
        chunk.database,
        unit.caller,
        [AssociationInput(i, p["targetId"]) for i in sorted(before)],
        from_type=p["objectType"],
        to_type=p["targetType"],
        within=unit,
    )
    refused = {e.input.from_id for e in outcome.errors}
    counts = {"removed": len(before) - len(refused), "notAssociated": len(batch) - len(before)}
    return _step(chunk, batch, outcome, counts)


def _batch(chunk: Chunk) -> list[int]:
    start = int(chunk.cursor or 0)
    ids: list[int] = chunk.params["ids"]
    return ids[start : start + chunk.size]


def _step(
    chunk: Chunk, batch: list[int], outcome: BatchResult[Any], counts: dict[str, int]
) -> Step:
    result = dict(chunk.result)
    for name, count in counts.items():
        result[name] = result.get(name, 0) + count
    result["refused"] = result.get("refused", 0) + len(outcome.errors)
    kept: list[dict[str, Any]] = list(result.get("refusals", []))
    kept += [_refusal(e) for e in outcome.errors[: max(0, REFUSALS_KEPT - len(kept))]]
    result["refusals"] = kept
    cursor = int(chunk.cursor or 0) + len(batch)
    return Step(cursor, len(batch), result, finished=cursor >= len(chunk.params["ids"]))


def _refusal(error: InputError) -> dict[str, Any]:
    return {
        "id": error.input.from_id,
        "reason": error.error.message,
        "category": error.error.code.value,
    }


KINDS = {ASSOCIATE: associate_chunk, REMOVE: remove_chunk}
"""This module's job kinds, for `services/job_kinds.py`."""

"""Deleting records in bulk from an index page (L1): the rows ticked, or every record matching
the page, as one operation. A small selection is deleted at once; a larger one runs as a job,
chunk by chunk (decision 0013). Every deleted record lands in its type's recycle bin, and
restoring it brings back what its deletion removed (L2)."""

from __future__ import annotations

from collections.abc import Sequence

from liaison.services import jobs, records
from liaison.services.bulk_associations import AT_ONCE, Started, check_selection
from liaison.services.database import Database
from liaison.services.jobs import Chunk, Step
from liaison.services.unit import Caller, reading

DELETE = "bulk_delete"


def start(database: Database, caller: Caller, object_type: str, ids: Sequence[int]) -> Started:
    """Delete the records at once, or queue the deletion as a job."""
    selected = list(dict.fromkeys(ids))
    check_selection(selected)
    with reading(database, caller) as unit:
        kind = unit.schema.object_type(object_type)
    count = f"{len(selected)} {kind.singular if len(selected) == 1 else kind.plural.lower()}"
    params = {"objectType": kind.id, "ids": selected}
    first = {"title": f"Delete {count}", "objectType": kind.id}
    if len(selected) <= AT_ONCE:
        result = jobs.run_at_once(
            database, caller, DELETE, delete_chunk, params, size=len(selected), result=first
        )
        return Started(result=result)
    job = jobs.enqueue(database, caller, DELETE, params, total=len(selected), result=first)
    return Started(job=job)


def delete_chunk(chunk: Chunk) -> Step:
    """Delete the next `size` selected records (those gone already are counted, not refused)."""
    start = int(chunk.cursor or 0)
    ids: list[int] = chunk.params["ids"]
    batch = ids[start : start + chunk.size]
    deleted = records.delete_many(
        chunk.database, chunk.unit.caller, chunk.params["objectType"], batch, within=chunk.unit
    )
    result = dict(chunk.result)
    result["deleted"] = result.get("deleted", 0) + deleted
    result["alreadyDeleted"] = result.get("alreadyDeleted", 0) + len(batch) - deleted
    cursor = start + len(batch)
    return Step(cursor, len(batch), result, finished=cursor >= len(ids))


KINDS = {DELETE: delete_chunk}
"""This module's job kinds, for `services/job_kinds.py`."""

"""The run of association by domain over an account's existing contacts (L4), offered when the
setting is turned on: a job that goes through the live contacts in ID order, chunk by chunk,
each chunk one transaction that also moves the cursor to the last contact done (decision 0013),
so a killed process resumes without doing a contact twice. Like the setting itself, it never
removes or replaces an association (`domains.associate_existing`)."""

from __future__ import annotations

from liaison.domain.object_types import CONTACTS
from liaison.services import domains, jobs
from liaison.services.database import Database
from liaison.services.jobs import Chunk, Job, Step
from liaison.services.unit import Caller, reading
from liaison.storage import browse as browse_store
from liaison.storage import records as records_store

RUN = "domain_association"
TITLE = "Associate existing contacts with the company of their email's domain"
MAX_TOTAL = 100_000_000


def start(database: Database, caller: Caller) -> Job:
    """Queue the run; its total is the number of live contacts now."""
    with reading(database, caller) as unit:
        everyone = browse_store.Matching(unit.account_id, CONTACTS)
        total = browse_store.count_records(unit.conn, everyone, cap=MAX_TOTAL)
    first = {"title": TITLE, "objectType": CONTACTS}
    return jobs.enqueue(database, caller, RUN, {}, total=total, cursor=0, result=first)


def run_chunk(chunk: Chunk) -> Step:
    """The next `size` live contacts after the cursor (a contact ID)."""
    unit, after = chunk.unit, int(chunk.cursor or 0)
    rows = records_store.list_page(
        unit.conn, unit.account_id, CONTACTS, after=after, limit=chunk.size, archived=False
    )
    ids = [row.id for row in rows]
    done = domains.associate_existing(unit, ids)
    result = dict(chunk.result)
    result["associated"] = result.get("associated", 0) + done.associated
    result["companiesCreated"] = result.get("companiesCreated", 0) + done.companies_created
    result["contacts"] = result.get("contacts", 0) + len(ids)
    return Step(ids[-1] if ids else after, len(ids), result, finished=len(ids) < chunk.size)


KINDS = {RUN: run_chunk}
"""This module's job kinds, for `services/job_kinds.py`."""

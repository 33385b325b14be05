"""The run of association by domain over an account's existing contacts (L4), offered when the
setting is turned on: a job over the contacts there when it starts (their IDs are its
parameters; contacts created later are the setting's own business), chunk by chunk, each chunk
one transaction that also moves the cursor (decision 0013), so a killed process resumes without
doing a contact twice. Like the setting itself, it never removes or replaces an association
(`domains.associate_existing`); a contact deleted meanwhile is skipped."""

from __future__ import annotations

from liaison.domain.object_types import CONTACTS
from liaison.services import domains, jobs
from liaison.services.database import Database
from liaison.services.jobs import Chunk, Job, Step
from liaison.services.unit import Caller, reading
from liaison.storage import domain_settings

RUN = "domain_association"
TITLE = "Associate existing contacts with the company of their email's domain"
CONTACTS_PER_ITEM = 75
"""A chunk does this many contacts per item of the runner's chunk size (200 by default, meant
for items that each cost an association planned on its own): a contact costs a share of a few
set-wise statements, so chunks of 15,000 keep each chunk's fixed costs (commit, job row,
companies with additional domains) small; such a chunk holds the write lock about 0.3 s, and a
person's write waiting for it goes next (decisions 0017, 0027, 0028)."""


def start(database: Database, caller: Caller) -> Job:
    """Queue the run over the live contacts there now."""
    with reading(database, caller) as unit:
        ids = domain_settings.live_contact_ids(unit.conn, unit.account_id)
    first = {"title": TITLE, "objectType": CONTACTS}
    return jobs.enqueue(database, caller, RUN, {"ids": ids}, total=len(ids), cursor=0, result=first)


def run_chunk(chunk: Chunk) -> Step:
    """The next contacts after the cursor (a position in the IDs)."""
    start = int(chunk.cursor or 0)
    ids: list[int] = chunk.params["ids"]
    batch = ids[start : start + chunk.size * CONTACTS_PER_ITEM]
    done = domains.associate_existing(chunk.unit, batch)
    result = dict(chunk.result)
    result["associated"] = result.get("associated", 0) + done.associated
    result["companiesCreated"] = result.get("companiesCreated", 0) + done.companies_created
    result["contacts"] = result.get("contacts", 0) + len(batch)
    cursor = start + len(batch)
    return Step(cursor, len(batch), result, finished=cursor >= len(ids))


KINDS = {RUN: run_chunk}
"""This module's job kinds, for `services/job_kinds.py`."""

"""A job killed mid-way with its process (SIGKILL, not a flag) and restarted finishes with every
record processed exactly once (issue 5, decision 0013), on a file SQLite database and on
PostgreSQL: `liaison serve` runs a bulk associate of 3,000 contacts in chunks of 10; it is
killed once some chunks are done; a new `liaison serve` resumes the job and finishes it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from liaison.domain.history import Change, Source
from liaison.services import associations, history, jobs, records
from liaison.services.bulk_associations import ASSOCIATE, BulkChange, start
from liaison.services.database import Database
from liaison.services.jobs import State
from liaison.services.unit import Caller
from tests.helpers import deal, wait_for_job
from tests.served import launch

COUNT = 3000


def _deal_contacts(db: Database, me: Caller, deal_id: int) -> set[int]:
    found: set[int] = set()
    after = 0
    while True:
        page = associations.list_associations(db, me, "deals", deal_id, "contacts", after=after)
        found |= {a.to_id for a in page.results}
        if page.next_after is None:
            return found
        after = page.next_after


def test_a_killed_job_resumes_after_restart_and_does_each_contact_once(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    new = [records.NewRecord({"firstname": f"Kill{i}"}) for i in range(COUNT)]
    ids = [r.id for r in records.create_many(db, me, "contacts", new)]
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    url = db.engine.url.render_as_string(hide_password=False)
    slow = {"LIAISON_JOB_CHUNK_SIZE": "10", "LIAISON_JOB_PAUSE_MS": "20"}

    server, _ = launch(url, tmp_path / "first.log", env=slow)
    try:
        running = wait_for_job(db, me, job.id, lambda j: j.done > 0, 60)
    finally:
        server.kill()  # SIGKILL: no chance to release the job or finish a chunk
        server.wait()
    killed = jobs.get(db, me, job.id)
    assert running.done > 0
    assert killed.state is State.RUNNING and 0 < killed.done < COUNT
    assert len(_deal_contacts(db, me, target.id)) == killed.done  # each chunk all or nothing

    server, _ = launch(url, tmp_path / "second.log", env={"LIAISON_JOB_CHUNK_SIZE": "200"})
    try:
        finished = wait_for_job(db, me, job.id, lambda j: j.state.finished, 120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in (tmp_path / "second.log").read_text()
    assert (finished.state, finished.done) == (State.DONE, COUNT)
    assert finished.result["associated"] == COUNT
    assert finished.result["alreadyAssociated"] == 0
    assert _deal_contacts(db, me, target.id) == set(ids)
    entries = history.operation(db, me, job.id).entries
    created = Counter((e.record_id, e.other_id) for e in entries if e.change is Change.CREATED)
    assert set(created) == {(i, target.id) for i in ids}
    assert set(created.values()) == {1}
    assert {e.source for e in entries} == {Source.USER}

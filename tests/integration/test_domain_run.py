"""The run of association by domain over existing contacts as a job (L4, issue 5): chunk by
chunk in contact order, each contact once, never removing or replacing an association; and
killed with its process (SIGKILL) then restarted, it still does every contact exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from liaison.domain.history import Change, Source
from liaison.services import associations, domain_run, domains, history, jobs, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.jobs import State
from liaison.services.unit import Caller
from tests.helpers import company, contact, types_between, wait_for_job
from tests.served import launch

PRIMARY = 1


def _people(db: Database, me: Caller, count: int, domain: str) -> list[int]:
    new = [
        records.NewRecord({"firstname": f"P{i}", "email": f"p{i}@{domain}"}) for i in range(count)
    ]
    return [r.id for r in records.create_many(db, me, "contacts", new)]


def _created_per_contact(db: Database, me: Caller, job_id: int) -> Counter[int]:
    entries = history.operation(db, me, job_id).entries
    return Counter(
        e.record_id if e.record_type == "0-1" else e.other_id
        for e in entries
        if e.change is Change.CREATED
    )


def test_l4_the_run_over_existing_contacts_is_a_job_that_does_each_contact_once(
    db: Database, me: Caller
) -> None:
    domains.set_settings(db, me, enabled=False, create_companies=True, excluded_domains=[])
    acme = company(db, me, "Acme", domain="acme.com")
    mine = company(db, me, "Mine")
    people = _people(db, me, 45, "acme.com")
    kept = contact(db, me, "Kept", email="k@acme.com")
    associations.associate(db, me, [AssociationInput(kept.id, mine.id)]).check()
    newco = contact(db, me, "New", email="n@newco.io")
    contact(db, me, "Free", email="f@gmail.com")
    gone = contact(db, me, "Gone", email="g@acme.com")
    records.delete(db, me, "contacts", gone.id)

    job = domain_run.start(db, me)
    assert (job.state, job.total, job.kind) == (State.QUEUED, 48, domain_run.RUN)
    Runner(db, JobSettings(chunk_size=1, pause=0)).run_pending()

    done = jobs.get(db, me, job.id)
    assert (done.state, done.done) == (State.DONE, 48)
    assert done.result["contacts"] == 48
    assert done.result["associated"] == 47 and done.result["companiesCreated"] == 1
    assert all(types_between(db, me, p, acme.id) == {279, PRIMARY} for p in people)
    assert types_between(db, me, kept.id, mine.id) == {279, PRIMARY}  # never replaced
    assert types_between(db, me, kept.id, acme.id) == {279}
    assert types_between(db, me, gone.id, acme.id) is None
    newco_companies = associations.list_associations(db, me, "contacts", newco.id, "companies")
    assert len(newco_companies.results) == 1
    entries = history.operation(db, me, job.id).entries
    assert {e.source for e in entries} == {Source.DOMAIN_AUTO}
    assert set(_created_per_contact(db, me, job.id).values()) == {1}


def test_l4_a_killed_run_resumes_after_restart_and_does_each_contact_once(
    db: Database, me: Caller, tmp_path: Path
) -> None:
    domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
    acme = company(db, me, "Acme", domain="acme.com")
    people = _people(db, me, 2000, "acme.com")
    job = domain_run.start(db, me)
    url = db.engine.url.render_as_string(hide_password=False)
    slow = {"LIAISON_JOB_CHUNK_SIZE": "1", "LIAISON_JOB_PAUSE_MS": "20"}  # chunks of 50

    server, _ = launch(url, tmp_path / "first.log", env=slow)
    try:
        wait_for_job(db, me, job.id, lambda j: j.done > 0, 60)
    finally:
        server.kill()  # SIGKILL: no chance to release the job or finish a chunk
        server.wait()
    killed = jobs.get(db, me, job.id)
    assert killed.state is State.RUNNING and 0 < killed.done < len(people)

    server, _ = launch(url, tmp_path / "second.log", env={"LIAISON_JOB_CHUNK_SIZE": "8"})
    try:
        finished = wait_for_job(db, me, job.id, lambda j: j.state.finished, 120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in (tmp_path / "second.log").read_text()
    assert (finished.state, finished.done) == (State.DONE, len(people))
    assert finished.result["associated"] == len(people)
    created = _created_per_contact(db, me, job.id)
    assert set(created) == set(people) and set(created.values()) == {1}
    page = associations.list_associations(db, me, "companies", acme.id, "contacts", limit=500)
    assert len(page.results) == 500

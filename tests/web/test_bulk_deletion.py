"""Delete in bulk from an index page (L1), in-process on both stores: the ticked rows at once as
one operation (OBJECT_DELETION), all matching a search as a job, and the recycle bin gives them
back with their associations (L2)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.domain.history import Source
from liaison.services import associations, history, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.users import User
from tests.helpers import company, dump
from tests.web.conftest import htmx_post


def _contacts(db: Database, user: User, count: int, first: str) -> list[int]:
    new = [records.NewRecord({"firstname": f"{first}{i}", "lastname": "Lee"}) for i in range(count)]
    return [r.id for r in records.create_many(db, user.caller, "contacts", new)]


def _live(db: Database, user: User, ids: list[int]) -> set[int]:
    return set(records.get_many(db, user.caller, "contacts", ids))


def test_L1_bulk_delete_asks_first_then_deletes_the_ticked_rows_as_one_operation(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    ids = _contacts(db, ann, 4, "Del")
    inputs = [AssociationInput(i, acme.id) for i in ids]
    associations.associate(db, ann.caller, inputs).check()
    assert "Delete…" in web.get("/app/contacts").text
    ticked = {"id": [str(i) for i in ids[:3]]}
    confirm = htmx_post(web, "/app/contacts/bulk/delete", ticked)
    assert "Delete 3 contacts?" in confirm.text and "recycle bin" in confirm.text
    assert _live(db, ann, ids) == set(ids)  # asking changes nothing
    done = htmx_post(web, "/app/contacts/bulk/delete/run", ticked)
    assert "Delete 3 contacts: done." in done.text and "<strong>3</strong> deleted" in done.text
    assert _live(db, ann, ids) == {ids[3]}
    operations = {
        e.operation_id
        for i in ids[:3]
        for e in history.record_history(db, ann.caller, "contacts", i).entries
        if e.source is Source.OBJECT_DELETION
    }
    assert len(operations) == 1
    restored = records.restore_many(db, ann.caller, "contacts", ids[:3])
    assert sum(r.associations_restored for r in restored) == 3


def test_L1_bulk_delete_of_all_matching_runs_as_a_job(
    web: TestClient, db: Database, ann: User
) -> None:
    doomed = _contacts(db, ann, 230, "Gone")
    kept = _contacts(db, ann, 3, "Kept")
    form = {"all": "1", "q": "gone"}
    confirm = htmx_post(web, "/app/contacts/bulk/delete", form)
    assert "Delete all 230 contacts matching “gone”?" in confirm.text
    started = htmx_post(web, "/app/contacts/bulk/delete/run", form)
    assert "Running as a job" in started.text and "<progress" in started.text
    job_id = int(re.findall(r'id="job-(\d+)"', started.text)[0])
    Runner(db, JobSettings(chunk_size=50, pause=0)).run_pending()
    progress = web.get(f"/app/jobs/{job_id}/progress").text
    assert 'data-state="done"' in progress and "<strong>230</strong> deleted" in progress
    assert _live(db, ann, doomed + kept) == set(kept)
    assert "230 deleted contacts" in web.get("/app/contacts/recycle-bin").text


def test_L1_bulk_delete_with_nothing_ticked_says_so_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    _contacts(db, ann, 2, "Safe")
    before = dump(db)
    asked = htmx_post(web, "/app/contacts/bulk/delete", {})
    assert 'role="alert"' in asked.text and "Tick the contacts to delete" in asked.text
    refused = htmx_post(web, "/app/contacts/bulk/delete/run", {})
    assert 'role="alert"' in refused.text and "Select at least one record." in refused.text
    assert dump(db) == before


def test_L1_bulk_delete_of_all_matching_honours_the_index_filters(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    linked = _contacts(db, ann, 3, "Linked")
    alone = _contacts(db, ann, 2, "Alone")
    associations.associate(db, ann.caller, [AssociationInput(i, acme.id) for i in linked]).check()
    form = {"all": "1", "q": "", "none": "companies"}
    assert (
        "Delete all 2 contacts matching?" in htmx_post(web, "/app/contacts/bulk/delete", form).text
    )
    done = htmx_post(web, "/app/contacts/bulk/delete/run", form)
    assert "<strong>2</strong> deleted" in done.text
    assert _live(db, ann, linked + alone) == set(linked)

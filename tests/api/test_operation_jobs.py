"""`GET /liaison/v1/operations/{id}` of an operation run as a job (decision 0013): its state,
progress and result besides the entries, on both stores; an operation done at once has none."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liaison.services import records
from liaison.services.bulk_associations import ASSOCIATE, BulkChange, start
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.unit import Caller
from tests.helpers import deal

V1 = "/liaison/v1"


def _contacts(db: Database, me: Caller, count: int) -> list[int]:
    new = [records.NewRecord({"firstname": f"Op{i}"}) for i in range(count)]
    return [r.id for r in records.create_many(db, me, "contacts", new)]


def test_h6_operation_of_a_job_shows_state_progress_and_result(
    api: TestClient, db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 230)
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    queued = api.get(f"{V1}/operations/{job.id}").json()
    assert queued["kind"] == ASSOCIATE and queued["results"] == []
    assert queued["job"]["state"] == "queued"
    assert queued["job"]["progress"] == {"done": 0, "total": 230}
    assert queued["actor"] == {"kind": "USER", "id": "user-1", "name": "Ann Admin"}
    Runner(db, JobSettings(chunk_size=100, pause=0)).run_pending()
    done = api.get(f"{V1}/operations/{job.id}", params={"limit": 500}).json()
    assert done["job"]["state"] == "done" and done["job"]["progress"]["done"] == 230
    assert done["job"]["result"]["associated"] == 230
    assert "finishedAt" in done["job"] and "error" not in done["job"]
    created = [e for e in done["results"] if e["change"] == "CREATED"]
    assert len(created) == 230 and {e["source"] for e in created} == {"USER"}
    assert "paging" not in done


def test_h6_operation_done_at_once_has_no_job(api: TestClient, db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 3)
    result = start(db, me, BulkChange(ASSOCIATE, "contacts", deal(db, me).id), ids).result
    assert result is not None
    entries = api.get(f"/liaison/v1/objects/contacts/{ids[0]}/association-history").json()
    operation_id = entries["results"][0]["operationId"]
    body = api.get(f"{V1}/operations/{operation_id}").json()
    assert body["kind"] == ASSOCIATE and "job" not in body and len(body["results"]) == 3

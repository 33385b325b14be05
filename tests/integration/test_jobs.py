"""Jobs (issue 5, decision 0013) and bulk association (U5, H6) on both stores: a small selection
is one operation done at once; a larger one is a job run in chunks, each a transaction that
advances its cursor, so a runner that dies mid-way is resumed with nothing lost or done twice."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import text

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import ActorKind, Change, Source
from liaison.services import associations, browse, history, jobs, labels, limits, records
from liaison.services.associations import AssociationInput
from liaison.services.browse import IndexQuery
from liaison.services.bulk_associations import (
    ASSOCIATE,
    REMOVE,
    BulkChange,
    associate_chunk,
    start,
)
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.jobs import Chunk, State, Step
from liaison.services.unit import Caller
from liaison.storage import jobs as jobs_store
from tests.helpers import company, deal

FAST = JobSettings(chunk_size=40, pause=0, lease=60)


def _contacts(db: Database, me: Caller, count: int, first: str = "Bulk") -> list[int]:
    made = records.create_many(
        db,
        me,
        "contacts",
        [records.NewRecord({"firstname": f"{first}{i}", "lastname": "Lee"}) for i in range(count)],
    )
    return [r.id for r in made]


def _created_per_pair(db: Database, me: Caller, operation_id: int) -> Counter[tuple[int, int]]:
    entries = history.operation(db, me, operation_id).entries
    return Counter((e.record_id, e.other_id) for e in entries if e.change is Change.CREATED)


def test_u5_small_selection_is_one_operation_done_at_once(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 20)
    target = deal(db, me)
    started = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids)
    assert started.job is None and started.result is not None
    assert started.result["associated"] == 20
    assert started.result["title"] == "Associate 20 contacts with Big deal"
    page = associations.list_associations(db, me, "deals", target.id, "contacts")
    assert {a.to_id for a in page.results} == set(ids)
    entries = history.record_history(db, me, "deals", target.id).entries
    assert len({e.operation_id for e in entries}) == 1
    assert {(e.source, e.actor_kind, e.actor_id) for e in entries} == {
        (Source.USER, ActorKind.USER, "user-1")
    }


def test_u5_large_selection_runs_as_a_job_in_chunks(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 250)
    target = deal(db, me)
    started = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids)
    job = started.job
    assert job is not None and job.state is State.QUEUED and job.total == 250
    assert Runner(db, FAST).run_pending() == 1
    done = jobs.get(db, me, job.id)
    assert (done.state, done.done, done.percent) == (State.DONE, 250, 100)
    assert done.result["associated"] == 250 and done.result["refused"] == 0
    pairs = _created_per_pair(db, me, job.id)
    assert set(pairs) == {(i, target.id) for i in ids} and set(pairs.values()) == {1}
    operation = history.operation(db, me, job.id)
    assert (operation.kind, operation.source, operation.actor_id) == (
        ASSOCIATE,
        Source.USER,
        "user-1",
    )


def test_h6_history_of_a_job_excludes_operations_run_between_its_chunks(
    db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 250)
    target, other = deal(db, me), company(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    runner = Runner(db, FAST)
    pending = jobs.unfinished(db)[0]
    claimed = jobs.claim(db, pending, runner=runner.id)
    assert claimed is not None
    handler = runner.kinds[ASSOCIATE]
    assert jobs.run_chunk(db, claimed, handler, runner=runner.id, size=40)
    associations.associate(db, me, [AssociationInput(ids[-1], other.id)]).check()  # between
    while jobs.run_chunk(db, claimed, handler, runner=runner.id, size=40):
        pass
    pairs = _created_per_pair(db, me, job.id)
    assert len(pairs) == 250 and (ids[-1], other.id) not in pairs


def test_a_job_left_by_a_dead_runner_resumes_where_it_stopped(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 300)
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    dead = Runner(db, FAST)
    claimed = jobs.claim(db, jobs.unfinished(db)[0], runner=dead.id)
    assert claimed is not None
    for _ in range(3):
        jobs.run_chunk(db, claimed, dead.kinds[ASSOCIATE], runner=dead.id, size=40)
    half = jobs.get(db, me, job.id)
    assert (half.state, half.done) == (State.RUNNING, 120)
    waiting = Runner(db, JobSettings(chunk_size=40, pause=0, lease=60))
    assert waiting.run_pending() == 0  # its runner wrote recently and may still be alive
    assert Runner(db, JobSettings(chunk_size=70, pause=0, lease=0)).run_pending() == 1
    done = jobs.get(db, me, job.id)
    assert (done.state, done.done, done.result["associated"]) == (State.DONE, 300, 300)
    assert not jobs.run_chunk(db, claimed, dead.kinds[ASSOCIATE], runner=dead.id, size=40)
    pairs = _created_per_pair(db, me, job.id)
    assert set(pairs) == {(i, target.id) for i in ids} and set(pairs.values()) == {1}


def test_u5_result_counts_already_associated_and_refused_with_reasons(
    db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 8)
    target = deal(db, me)
    associations.associate(db, me, [AssociationInput(ids[0], target.id)]).check()
    limits.set_limits(db, me, "deals", "contacts", {3: 5})
    result = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).result
    assert result is not None
    assert (result["associated"], result["alreadyAssociated"], result["refused"]) == (4, 1, 3)
    assert {r["category"] for r in result["refusals"]} == {ErrorCode.LIMIT_EXCEEDED.value}
    assert all(r["reason"] for r in result["refusals"])


def test_u5_bulk_associate_with_a_label_and_the_first_company_becomes_primary(
    db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 3)
    acme = company(db, me)
    advisor = labels.create_label(db, me, "contacts", "companies", label="Advisor")[0]
    change = BulkChange(ASSOCIATE, "contacts", acme.id, label=advisor.id)
    result = start(db, me, change, ids).result
    assert result is not None and result["title"].endswith("with Acme as Advisor")
    for contact_id in ids:
        view = associations.between(db, me, contact_id, acme.id)
        assert view is not None and set(view.labels) == {"Primary", "Advisor"}


def test_u5_bulk_remove_counts_and_refuses_a_primary_without_successor(
    db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 4)
    acme, globex = company(db, me), company(db, me, "Globex")
    initech = company(db, me, "Initech")
    associations.associate(db, me, [AssociationInput(i, acme.id) for i in ids[:3]]).check()
    # ids[0] has two other companies: removing its primary needs a named successor (P4)
    associations.associate(
        db, me, [AssociationInput(ids[0], globex.id), AssociationInput(ids[0], initech.id)]
    ).check()
    result = start(db, me, BulkChange(REMOVE, "contacts", acme.id), ids).result
    assert result is not None
    assert (result["removed"], result["notAssociated"], result["refused"]) == (2, 1, 1)
    assert result["refusals"][0]["id"] == ids[0]
    assert result["refusals"][0]["category"] == ErrorCode.PRIMARY_REQUIRED.value
    assert associations.between(db, me, ids[1], acme.id) is None
    assert associations.between(db, me, ids[0], acme.id) is not None


def test_u5_bulk_remove_as_a_job(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 230)
    target = deal(db, me)
    assert start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job is not None
    Runner(db, FAST).run_pending()
    job = start(db, me, BulkChange(REMOVE, "contacts", target.id), ids[:220]).job
    assert job is not None
    Runner(db, FAST).run_pending()
    done = jobs.get(db, me, job.id)
    assert (done.state, done.result["removed"]) == (State.DONE, 220)
    page = associations.list_associations(db, me, "deals", target.id, "contacts")
    assert {a.to_id for a in page.results} == set(ids[220:])


def test_a_stopped_job_does_no_more_and_keeps_what_it_did(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 250)
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    stopped = jobs.stop(db, me, job.id)
    assert stopped.state is State.STOPPED and stopped.error == "Stopped by Ann Admin."
    assert Runner(db, FAST).run_pending() == 0
    with pytest.raises(LiaisonError) as refused:
        jobs.stop(db, me, job.id)
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_a_job_whose_target_is_deleted_refuses_each_record(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 250)
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None
    records.delete(db, me, "deals", target.id)
    Runner(db, FAST).run_pending()
    done = jobs.get(db, me, job.id)
    assert (done.state, done.result["associated"], done.result["refused"]) == (State.DONE, 0, 250)
    assert len(done.result["refusals"]) == 50


def test_bulk_change_refuses_bad_input_and_changes_nothing(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 2)
    acme = company(db, me)
    bad = [
        (BulkChange(ASSOCIATE, "contacts", acme.id), []),
        (BulkChange(ASSOCIATE, "contacts", 999_999), ids),
        (BulkChange(ASSOCIATE, "contacts", acme.id, label=999), ids),
        (BulkChange(ASSOCIATE, "contacts", acme.id, label=3), ids),
        (BulkChange("explode", "contacts", acme.id), ids),
        (BulkChange(ASSOCIATE, "nothing", acme.id), ids),
        (BulkChange(ASSOCIATE, "contacts", acme.id), [0]),
    ]
    for change, selection in bad:
        with pytest.raises(LiaisonError):
            start(db, me, change, selection)
    assert jobs.recent(db, me) == []
    assert associations.between(db, me, ids[0], acme.id) is None


def test_matching_ids_are_the_index_search_in_batches(db: Database, me: Caller) -> None:
    ann = _contacts(db, me, 5, "Ann")
    _contacts(db, me, 3, "Bob")
    batches = list(browse.matching_ids(db, me, "contacts", IndexQuery("ann")))
    assert [i for b in batches for i in b] == ann
    assert sum(len(b) for b in browse.matching_ids(db, me, "contacts", IndexQuery())) == 8


def test_jobs_list_newest_first_with_progress(db: Database, me: Caller) -> None:
    ids = _contacts(db, me, 201)
    target = deal(db, me)
    first = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    second = start(db, me, BulkChange(REMOVE, "contacts", target.id), ids).job
    assert first is not None and second is not None
    assert [j.id for j in jobs.recent(db, me)] == [second.id, first.id]
    Runner(db, FAST).run_pending()
    assert [j.state for j in jobs.recent(db, me)] == [State.DONE, State.DONE]
    with db.engine.connect() as conn:
        assert jobs_store.get(conn, 1, first.id).runner is None


def test_a_job_of_an_unknown_kind_fails_with_the_reason(db: Database, me: Caller) -> None:
    job = jobs.enqueue(db, me, "explode", {}, total=1)
    assert Runner(db, FAST).run_pending() == 1
    failed = jobs.get(db, me, job.id)
    assert (failed.state, failed.error) == (State.FAILED, "Unknown job kind explode.")


def test_a_job_refused_as_a_whole_fails_and_an_internal_error_too(db: Database, me: Caller) -> None:
    def refuse(_: Chunk) -> Step:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "Nothing can be done.")

    def crash(_: Chunk) -> Step:
        raise ValueError("boom")

    refused = jobs.enqueue(db, me, "refuse", {}, total=3)
    crashed = jobs.enqueue(db, me, "crash", {}, total=3)
    Runner(db, FAST, kinds={"refuse": refuse, "crash": crash}).run_pending()
    assert jobs.get(db, me, refused.id).error == "Nothing can be done."
    assert jobs.get(db, me, crashed.id).error == "Internal error: boom"
    assert {j.state for j in jobs.recent(db, me)} == {State.FAILED}


def test_a_runner_that_stops_releases_its_job_for_the_next_to_resume(
    db: Database, me: Caller
) -> None:
    ids = _contacts(db, me, 250)
    target = deal(db, me)
    job = start(db, me, BulkChange(ASSOCIATE, "contacts", target.id), ids).job
    assert job is not None

    def one_chunk_then_stop(chunk: Chunk) -> Step:
        step = associate_chunk(chunk)
        stopping.stop()
        return step

    stopping = Runner(db, FAST, kinds={ASSOCIATE: one_chunk_then_stop})
    stopping.run_pending()
    released = jobs.get(db, me, job.id)
    assert (released.state, released.done) == (State.RUNNING, 40)
    with db.engine.connect() as conn:
        assert jobs_store.get(conn, 1, job.id).runner is None
    assert Runner(db, FAST).run_pending() == 1  # at once: no lease to wait for
    done = jobs.get(db, me, job.id)
    assert (done.state, done.done, done.result["associated"]) == (State.DONE, 250, 250)


def test_a_chunk_runs_as_many_statements_for_150_records_as_for_15(
    db: Database, me: Caller
) -> None:
    from sqlalchemy import event

    ids = _contacts(db, me, 165)
    first, second = deal(db, me), deal(db, me, "Other deal")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def statements_for(change: BulkChange, selection: list[int]) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            start(db, me, change, selection)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for kind in (ASSOCIATE, REMOVE):
        few = statements_for(BulkChange(kind, "contacts", first.id), ids[:15])
        many = statements_for(BulkChange(kind, "contacts", second.id), ids[15:165])
        assert few == many, kind


def test_a_writer_waiting_during_a_chunk_gets_the_lock_before_the_next_chunk(
    db: Database, me: Caller
) -> None:
    """Decision 0027: with no pauses at all, a person's write that waits for the account's write
    lock while a chunk runs is done before the next chunk starts (SQLite: the runner sees it
    waiting and hands the lock over; PostgreSQL: the advisory lock grants it in order)."""
    writing = threading.Event()

    def write() -> None:
        writing.set()
        records.create(db, me, "companies", {"name": "Waiting Co"})

    writer = threading.Thread(target=write)
    seen: list[int] = []

    def chunk(c: Chunk) -> Step:
        if c.cursor == 0:
            writer.start()
            writing.wait(10)
            time.sleep(0.5)  # the writer is waiting for the lock this chunk holds
        else:
            seen.append(_companies_named(c, "Waiting Co"))
        return Step(c.cursor + 1, 1, {}, finished=c.cursor + 1 == 3)

    job = jobs.enqueue(db, me, "hold", {}, total=3, cursor=0)
    Runner(db, JobSettings(chunk_size=1, pause=0), kinds={"hold": chunk}).run_pending()
    writer.join(10)
    assert jobs.get(db, me, job.id).state is State.DONE
    assert seen == [1, 1]


def _companies_named(c: Chunk, name: str) -> int:
    found = c.unit.conn.execute(
        text("SELECT count(*) FROM records WHERE account_id = 1 AND type_id = '0-2' AND name = :n"),
        {"n": name},
    )
    return int(found.scalar_one())

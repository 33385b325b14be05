"""Jobs (issue 5, decision 0013): long work run in chunks by the runner of `liaison serve`.

A job IS an operation (H6): its ID is the operation's, every history row it writes carries it,
and `GET /liaison/v1/operations/{id}` shows it. Its work runs in chunks, each one transaction
that also advances the job's cursor and progress, so a process killed mid-way resumes where it
was: nothing lost, nothing done twice. Job kinds are registered in `services/job_kinds.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor, ActorKind
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import jobs as store
from liaison.storage.clock import now_micros, to_datetime

RECENT = 50
"""How many jobs the jobs page lists."""


class State(StrEnum):
    QUEUED = store.QUEUED
    RUNNING = store.RUNNING
    DONE = store.DONE
    FAILED = store.FAILED
    STOPPED = store.STOPPED

    @property
    def finished(self) -> bool:
        return self not in (State.QUEUED, State.RUNNING)


@dataclass(frozen=True)
class Job:
    id: int
    """The job's operation ID."""
    account_id: int
    kind: str
    state: State
    done: int
    total: int
    result: dict[str, Any]
    error: str | None
    actor: Actor
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def caller(self) -> Caller:
        """Who started the job: its chunks run as them (history source and actor)."""
        return Caller(self.account_id, self.actor)

    @property
    def percent(self) -> int:
        if self.state is State.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0


@dataclass(frozen=True)
class Chunk:
    """What a job kind's handler gets for one chunk: the unit to write in (its history joins the
    job's operation; services take it as `within`), the job's parameters, where the last chunk
    stopped, the result so far, and how many items to do."""

    database: Database
    unit: Unit
    params: dict[str, Any]
    cursor: Any
    result: dict[str, Any]
    size: int


@dataclass(frozen=True)
class Step:
    """What a chunk did: where the next starts, how many items it processed, the new result."""

    cursor: Any
    done: int
    result: dict[str, Any]
    finished: bool


Handler = Callable[[Chunk], Step]


@dataclass(frozen=True)
class Claimed:
    """A job taken by a runner, with its parameters (read once)."""

    job: Job
    params: dict[str, Any]


def enqueue(
    database: Database,
    caller: Caller,
    kind: str,
    params: dict[str, Any],
    *,
    total: int,
    cursor: Any = None,
    result: dict[str, Any] | None = None,
) -> Job:
    """Queue a job as the caller: its operation is made now, its work runs in the runner.
    `result` is the result before any work (e.g. a title the jobs page shows)."""
    with unit_of_work(database, caller, kind) as unit:
        return enqueue_within(unit, kind, params, total=total, cursor=cursor, result=result)


def enqueue_within(
    unit: Unit,
    kind: str,
    params: dict[str, Any],
    *,
    total: int,
    cursor: Any = None,
    result: dict[str, Any] | None = None,
) -> Job:
    """Queue a job whose operation is the unit's (e.g. an import's, made in the same
    transaction): the job's history then is that operation's."""
    store.insert_job(
        unit.conn,
        unit.account_id,
        unit.operation_id,
        kind=kind,
        params=params,
        total=total,
        cursor=cursor,
        result=result or {},
        now=unit.now,
    )
    return _job(_found(store.get(unit.conn, unit.account_id, unit.operation_id), 0))


def run_at_once(
    database: Database,
    caller: Caller,
    kind: str,
    handler: Handler,
    params: dict[str, Any],
    *,
    size: int,
    cursor: Any = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Do a small job's whole work (`size` items) in one service call: one transaction, one
    operation, no job row. `handler` gets a single chunk; its result is returned."""
    with unit_of_work(database, caller, kind) as unit:
        return handler(Chunk(database, unit, params, cursor, dict(result or {}), size)).result


def get(database: Database, caller: Caller, job_id: int) -> Job:
    """The job; OPERATION_NOT_FOUND for an unknown one (or another account's)."""
    found = find(database, caller, job_id)
    if found is None:
        raise _not_found(job_id)
    return found


def find(database: Database, caller: Caller, job_id: int) -> Job | None:
    """The job of this operation, or None (an operation done at once)."""
    with reading(database, caller) as unit:
        row = store.get(unit.conn, unit.account_id, job_id)
        return None if row is None else _job(row)


def of_operations(database: Database, caller: Caller, operation_ids: list[int]) -> dict[int, Job]:
    """The job of each of these operations that is one, in one read."""
    if not operation_ids:
        return {}
    with reading(database, caller) as unit:
        rows = store.of_operations(unit.conn, unit.account_id, operation_ids)
        return {job.id: job for job in map(_job, rows)}


def recent(database: Database, caller: Caller, *, limit: int = RECENT) -> list[Job]:
    with reading(database, caller) as unit:
        return [_job(row) for row in store.recent(unit.conn, unit.account_id, limit=limit)]


def stop(database: Database, caller: Caller, job_id: int) -> Job:
    """Stop a queued or running job after its current chunk; what it did stays done."""
    with unit_of_work(database, caller, "stop_job") as unit:
        found = _job(_found(store.get(unit.conn, unit.account_id, job_id), job_id))
        if found.state.finished:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Job {job_id} is {found.state.value} already.",
                operationId=job_id,
            )
        name = caller.actor.name or caller.actor.id
        store.end(
            unit.conn,
            unit.account_id,
            job_id,
            state=store.STOPPED,
            error=f"Stopped by {name}.",
            now=unit.now,
        )
        return _job(_found(store.get(unit.conn, unit.account_id, job_id), job_id))


# -- what the runner calls (services/job_runner.py) ------------------------------------------
@dataclass(frozen=True)
class Pending:
    """An unfinished job as the runner sees it: who holds it and since when they last wrote."""

    account_id: int
    job_id: int
    runner: str | None
    heartbeat_at: int | None


def unfinished(database: Database) -> list[Pending]:
    """Every account's queued and running jobs, oldest first (a read: on SQLite it takes no
    write lock, see `reading`)."""
    with database.engine.connect() as conn, conn.execution_options(read_only=True).begin():
        return [
            Pending(r.account_id, r.operation_id, r.runner, r.heartbeat_at)
            for r in store.unfinished(conn)
        ]


def claim(database: Database, pending: Pending, *, runner: str) -> Claimed | None:
    """Take the job for `runner` if whoever held it still does; None if another took it."""
    account_id, job_id = pending.account_id, pending.job_id
    with unit_of_work(database, _system(account_id), "claim_job") as unit:
        conn = unit.conn
        if not store.claim(
            conn, account_id, job_id, runner=runner, expected=pending.runner, now=unit.now
        ):
            return None
        job = _job(_found(store.get(conn, account_id, job_id), job_id))
        return Claimed(job, store.params(conn, account_id, job_id))


def run_chunk(
    database: Database, claimed: Claimed, handler: Handler, *, runner: str, size: int
) -> bool:
    """Run the job's next chunk in one transaction with its progress; whether more remain.
    False too when the job is no longer this runner's (stopped, or taken after a lapse)."""
    job = claimed.job
    with unit_of_work(database, job.caller, job.kind, job_operation=job.id) as unit:
        row = store.get(unit.conn, job.account_id, job.id)
        if row is None or row.state != store.RUNNING or row.runner != runner:
            return False
        step = handler(Chunk(database, unit, claimed.params, row.cursor, dict(row.result), size))
        store.advance(
            unit.conn,
            job.account_id,
            job.id,
            cursor=step.cursor,
            done=row.done + step.done,
            result=step.result,
            finished=step.finished,
            now=unit.now,
        )
        return not step.finished


def fail(database: Database, job: Job, error: str, *, runner: str) -> None:
    with unit_of_work(database, _system(job.account_id), "fail_job") as unit:
        store.end(
            unit.conn,
            job.account_id,
            job.id,
            state=store.FAILED,
            error=error,
            now=unit.now,
            runner=runner,
        )


def release(database: Database, job: Job, *, runner: str) -> None:
    with database.engine.begin() as conn:
        store.release(conn, job.account_id, job.id, runner=runner, now=now_micros())


def _system(account_id: int) -> Caller:
    return Caller(account_id, Actor.system("job runner"))


def _found(row: Any, job_id: int) -> Any:
    if row is None:
        raise _not_found(job_id)
    return row


def _not_found(job_id: int) -> LiaisonError:
    return LiaisonError(
        ErrorCode.OPERATION_NOT_FOUND, f"There is no job {job_id}.", operationId=job_id
    )


def _job(row: Any) -> Job:
    return Job(
        id=row.operation_id,
        account_id=row.account_id,
        kind=row.kind,
        state=State(row.state),
        done=row.done,
        total=row.total,
        result=dict(row.result),
        error=row.error,
        actor=Actor(ActorKind(row.actor_kind), row.actor_id, row.actor_name),
        created_at=to_datetime(row.created_at),
        started_at=to_datetime(row.started_at) if row.started_at is not None else None,
        finished_at=to_datetime(row.finished_at) if row.finished_at is not None else None,
    )

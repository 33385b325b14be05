"""Jobs (decision 0013): the state of a long operation, advanced one chunk transaction at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from liaison.storage.tables import jobs, operations

QUEUED, RUNNING, DONE, FAILED, STOPPED = "queued", "running", "done", "failed", "stopped"
UNFINISHED = (QUEUED, RUNNING)

_COLUMNS = (
    *(c for c in jobs.c if c.name != "params"),
    operations.c.actor_kind,
    operations.c.actor_id,
    operations.c.actor_name,
)


def _with_operation() -> Any:
    return select(*_COLUMNS).join_from(
        jobs,
        operations,
        (operations.c.account_id == jobs.c.account_id) & (operations.c.id == jobs.c.operation_id),
    )


def insert_job(
    conn: Connection,
    account_id: int,
    operation_id: int,
    *,
    kind: str,
    params: dict[str, Any],
    total: int,
    cursor: Any,
    result: dict[str, Any],
    now: int,
) -> None:
    conn.execute(
        insert(jobs).values(
            account_id=account_id,
            operation_id=operation_id,
            kind=kind,
            params=params,
            state=QUEUED,
            done=0,
            total=total,
            cursor=cursor,
            result=result,
            created_at=now,
            updated_at=now,
        )
    )


def params(conn: Connection, account_id: int, job_id: int) -> dict[str, Any]:
    """The job's parameters (possibly large: read once by the runner that claims it)."""
    found = conn.execute(
        select(jobs.c.params).where(jobs.c.account_id == account_id, jobs.c.operation_id == job_id)
    ).scalar_one()
    return dict(found)


def get(conn: Connection, account_id: int, job_id: int) -> Row[Any] | None:
    """The job, without its parameters, with its operation's actor."""
    return conn.execute(
        _with_operation().where(jobs.c.account_id == account_id, jobs.c.operation_id == job_id)
    ).first()


def of_operations(conn: Connection, account_id: int, operation_ids: list[int]) -> list[Row[Any]]:
    """The jobs of these operations (those that are jobs), as `get` reads one."""
    statement = _with_operation().where(
        jobs.c.account_id == account_id, jobs.c.operation_id.in_(operation_ids)
    )
    return list(conn.execute(statement))


def recent(conn: Connection, account_id: int, *, limit: int) -> list[Row[Any]]:
    """The account's jobs, newest first (a job's ID is its operation's, handed out in order)."""
    statement = (
        _with_operation()
        .where(jobs.c.account_id == account_id)
        .order_by(jobs.c.operation_id.desc())
        .limit(limit)
    )
    return list(conn.execute(statement))


def unfinished(conn: Connection) -> list[Row[Any]]:
    """Every account's queued or running jobs, oldest first: what a runner may pick up."""
    statement = (
        select(jobs.c.account_id, jobs.c.operation_id, jobs.c.runner, jobs.c.heartbeat_at)
        .where(jobs.c.state.in_(UNFINISHED))
        .order_by(jobs.c.created_at)
    )
    return list(conn.execute(statement))


def claim(
    conn: Connection, account_id: int, job_id: int, *, runner: str, expected: str | None, now: int
) -> bool:
    """Take the job for `runner` if it is unfinished and still held by `expected` (None: by
    nobody); the caller holds the account's write lock, so no other runner claims it meanwhile."""
    held = jobs.c.runner.is_(None) if expected is None else jobs.c.runner == expected
    taken = conn.execute(
        update(jobs)
        .where(
            jobs.c.account_id == account_id,
            jobs.c.operation_id == job_id,
            jobs.c.state.in_(UNFINISHED),
            held,
        )
        .values(state=RUNNING, runner=runner, heartbeat_at=now, updated_at=now)
    )
    if taken.rowcount:
        conn.execute(
            update(jobs)
            .where(
                jobs.c.account_id == account_id,
                jobs.c.operation_id == job_id,
                jobs.c.started_at.is_(None),
            )
            .values(started_at=now)
        )
    return bool(taken.rowcount)


def advance(
    conn: Connection,
    account_id: int,
    job_id: int,
    *,
    cursor: Any,
    done: int,
    result: dict[str, Any],
    finished: bool,
    now: int,
) -> None:
    """Record a chunk's work: in the chunk's own transaction, so it counts exactly once."""
    values: dict[str, Any] = {
        "cursor": cursor,
        "done": done,
        "result": result,
        "heartbeat_at": now,
        "updated_at": now,
    }
    if finished:
        values.update(state=DONE, finished_at=now, runner=None)
    conn.execute(
        update(jobs)
        .where(jobs.c.account_id == account_id, jobs.c.operation_id == job_id)
        .values(**values)
    )


def end(
    conn: Connection,
    account_id: int,
    job_id: int,
    *,
    state: str,
    error: str | None,
    now: int,
    runner: str | None = None,
) -> bool:
    """Mark an unfinished job failed or stopped; with `runner`, only if that runner holds it."""
    where = [
        jobs.c.account_id == account_id,
        jobs.c.operation_id == job_id,
        jobs.c.state.in_(UNFINISHED),
    ]
    if runner is not None:
        where.append(jobs.c.runner == runner)
    ended = conn.execute(
        update(jobs)
        .where(*where)
        .values(state=state, error=error, finished_at=now, updated_at=now, runner=None)
    )
    return bool(ended.rowcount)


def release(conn: Connection, account_id: int, job_id: int, *, runner: str, now: int) -> None:
    """Let go of a running job (the runner is stopping): any runner may resume it at once."""
    conn.execute(
        update(jobs)
        .where(
            jobs.c.account_id == account_id,
            jobs.c.operation_id == job_id,
            jobs.c.runner == runner,
        )
        .values(runner=None, updated_at=now)
    )

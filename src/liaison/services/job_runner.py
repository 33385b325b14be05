"""The job runner: a thread of `liaison serve` that runs queued jobs chunk by chunk and, at start,
resumes the jobs a dead process left running (decision 0013). No extra server is needed.

Between two chunks, writers waiting for the account's write lock go first (decision 0027): on
SQLite, those of this process (the web app and API of `liaison serve`) are seen waiting and the
runner hands the lock over to them; every `JobSettings.pause_every` seconds, a pause lets in those
it cannot see (another process's). On PostgreSQL, waiting writers queue for the advisory lock
(decision 0004), which grants it in order, and the same pauses apply."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
import weakref
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import OperationalError

from liaison.domain.errors import LiaisonError
from liaison.services import jobs
from liaison.services.database import Database
from liaison.services.job_kinds import KINDS
from liaison.services.jobs import Claimed, Handler, Pending
from liaison.storage.clock import now_micros

log = logging.getLogger("liaison.jobs")

CHUNK_SIZE_ENV = "LIAISON_JOB_CHUNK_SIZE"
PAUSE_ENV = "LIAISON_JOB_PAUSE_MS"
PAUSE_EVERY_ENV = "LIAISON_JOB_PAUSE_EVERY_MS"
LEASE_ENV = "LIAISON_JOB_LEASE_SECONDS"
HANDOFF_LIMIT = 1.0
"""The most seconds the runner waits between two chunks for writers of its process to get the
write lock (they wait for it longer than that only behind another process's writer)."""


@dataclass(frozen=True)
class JobSettings:
    chunk_size: int = 200
    """Items per chunk (one transaction each)."""
    pause: float = 0.1
    """Seconds the runner leaves the write lock free, every `pause_every` seconds, for writers
    it cannot see waiting (on SQLite, another process's): at least the longest sleep of SQLite's
    busy handler between two tries of a waiting writer (100 ms), so that one gets in."""
    pause_every: float = 2.0
    """Seconds of chunks between two pauses; 0: a pause after every chunk."""
    lease: float = 60.0
    """Seconds after a runner's last chunk when another process may take its job over."""
    poll: float = 1.0
    """Seconds between two looks for queued jobs."""

    @classmethod
    def from_environment(cls) -> JobSettings:
        return cls(
            chunk_size=_whole(CHUNK_SIZE_ENV, cls.chunk_size),
            pause=_whole(PAUSE_ENV, 100, minimum=0) / 1000,
            # A pause asked for without a period is taken after every chunk, as it used to be.
            pause_every=_whole(PAUSE_EVERY_ENV, 0 if PAUSE_ENV in os.environ else 2000, minimum=0)
            / 1000,
            lease=float(_whole(LEASE_ENV, 60)),
        )


def _whole(name: str, default: int, *, minimum: int = 1) -> int:
    """A whole-number setting; the default when unset or not a number of at least `minimum`."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= minimum else default


class Runner:
    """Runs jobs one at a time, oldest first, in a thread (`start`/`stop`) or in the caller's
    thread (`run_pending`, for tests and commands)."""

    def __init__(
        self,
        database: Database,
        settings: JobSettings | None = None,
        kinds: dict[str, Handler] | None = None,
    ) -> None:
        self.database = database
        self.settings = settings or JobSettings.from_environment()
        self.kinds = KINDS if kinds is None else kinds
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._waiting = _waiting_writers(database.engine)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="liaison-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current chunk; the job is released for the next start to resume."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_pending(self) -> int:
        """Run every job that may be taken now to its end; how many were run."""
        ran = 0
        for pending in jobs.unfinished(self.database):
            if self._stopping.is_set():
                break
            if not self._may_take(pending):
                continue
            claimed = jobs.claim(self.database, pending, runner=self.id)
            if claimed is not None:
                self._run(claimed)
                ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_pending()
            except OperationalError as error:  # the database is away: try again later
                log.warning("job runner: %s", error)
            self._stopping.wait(self.settings.poll)

    def _may_take(self, pending: Pending) -> bool:
        """Queued, released, left by a process of this host that is gone, or silent past the
        lease (a runner elsewhere that died)."""
        if pending.runner is None or pending.runner == self.id:
            return True
        if _dead_here(pending.runner):
            return True
        quiet = (now_micros() - (pending.heartbeat_at or 0)) / 1_000_000
        return quiet > self.settings.lease

    def _run(self, claimed: Claimed) -> None:
        job = claimed.job
        handler = self.kinds.get(job.kind)
        if handler is None:
            jobs.fail(self.database, job, f"Unknown job kind {job.kind}.", runner=self.id)
            return
        log.info("job %s (%s) of account %s: running", job.id, job.kind, job.account_id)
        paused = time.monotonic()
        while not self._stopping.is_set():
            try:
                more = jobs.run_chunk(
                    self.database, claimed, handler, runner=self.id, size=self.settings.chunk_size
                )
            except LiaisonError as error:
                jobs.fail(self.database, job, error.message, runner=self.id)
                return
            except OperationalError:
                raise
            except Exception as error:
                log.exception("job %s failed", job.id)
                jobs.fail(self.database, job, f"Internal error: {error}", runner=self.id)
                return
            if not more:
                return
            paused = self._let_writers_in(paused)
        jobs.release(self.database, job, runner=self.id)

    def _let_writers_in(self, paused: float) -> float:
        """Between two chunks: the writers of this process waiting for the write lock get it
        first; a pause if the last was `pause_every` ago. When the last pause ended."""
        if self._waiting is not None:
            self._waiting.wait_for_those_waiting(HANDOFF_LIMIT)
        if self.settings.pause and time.monotonic() - paused >= self.settings.pause_every:
            self._stopping.wait(self.settings.pause)
            return time.monotonic()
        return paused


class _WaitingWriters:
    """The connections of this process whose writing transaction is beginning: on SQLite,
    between the engine's `begin` event and the end of its BEGIN IMMEDIATE, which waits for the
    write lock (`storage/engine.py`). Read-only connections begin without waiting and are left
    out."""

    def __init__(self, engine: Engine) -> None:
        self._waiting: set[int] = set()
        self._changed = threading.Condition()
        # Around the engine's own `begin` listeners, which issue BEGIN IMMEDIATE (`insert=True`
        # does not put a listener before those of the engine).
        begins = list(engine.dispatch.begin)
        for begin in begins:
            event.remove(engine, "begin", begin)
        for listener in (self._arriving, *begins, self._in):
            event.listen(engine, "begin", listener)
        event.listen(engine, "handle_error", self._failed)  # it failed (busy timeout)

    def wait_for_those_waiting(self, limit: float) -> None:
        """Until the connections waiting now have the lock (at most `limit` seconds; any left
        then are forgotten, so a connection whose begin ended unseen costs one wait)."""
        with self._changed:
            now = set(self._waiting)
            if now:
                self._changed.wait_for(lambda: not now & self._waiting, timeout=limit)
                self._waiting -= now

    def _arriving(self, conn: Connection) -> None:
        if not conn.get_execution_options().get("read_only", False):
            with self._changed:
                self._waiting.add(id(conn))

    def _in(self, conn: Connection) -> None:
        self._gone(id(conn))

    def _failed(self, context: ExceptionContext) -> None:
        if context.connection is not None:
            self._gone(id(context.connection))

    def _gone(self, key: int) -> None:
        with self._changed:
            if key in self._waiting:
                self._waiting.discard(key)
                self._changed.notify_all()


_WATCHED: weakref.WeakKeyDictionary[Engine, _WaitingWriters] = weakref.WeakKeyDictionary()
_WATCHING = threading.Lock()


def _waiting_writers(engine: Engine) -> _WaitingWriters | None:
    """The engine's waiting writers, watched from the first runner on (SQLite only: on
    PostgreSQL they queue for the advisory lock, which grants it in order)."""
    if engine.dialect.name != "sqlite":
        return None
    with _WATCHING:
        if engine not in _WATCHED:
            _WATCHED[engine] = _WaitingWriters(engine)
        return _WATCHED[engine]


def _dead_here(runner: str) -> bool:
    """Whether `runner` names a process of this host, other than this one, that is gone."""
    host, _, rest = runner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False

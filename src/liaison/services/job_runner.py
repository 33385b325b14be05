"""The job runner: a thread of `liaison serve` that runs queued jobs chunk by chunk and, at start,
resumes the jobs a dead process left running (decision 0013). No extra server is needed."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass

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
LEASE_ENV = "LIAISON_JOB_LEASE_SECONDS"


@dataclass(frozen=True)
class JobSettings:
    chunk_size: int = 200
    """Items per chunk (one transaction each)."""
    pause: float = 0.02
    """Seconds between two chunks, so that people's writes to the account get the lock."""
    lease: float = 60.0
    """Seconds after a runner's last chunk when another process may take its job over."""
    poll: float = 1.0
    """Seconds between two looks for queued jobs."""

    @classmethod
    def from_environment(cls) -> JobSettings:
        return cls(
            chunk_size=_whole(CHUNK_SIZE_ENV, cls.chunk_size),
            pause=_whole(PAUSE_ENV, 20, minimum=0) / 1000,
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
            self._stopping.wait(self.settings.pause)
        jobs.release(self.database, job, runner=self.id)


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

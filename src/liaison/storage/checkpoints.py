"""SQLite: when the write-ahead log reaches the database file (a checkpoint). By default the
commit that takes the log past 1,000 pages copies it, in the committer's time: a request's or a
job chunk's. A database opened by Liaison leaves the log to a thread of its own instead
(`Checkpointer`), which copies it after each unit of work, on the machine's other core, while
the next one runs (decision 0028)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger("liaison.checkpoints")

BACKSTOP = 16_384
"""Pages (64 MiB) past which a commit still copies the log itself, should the thread fall
behind."""


class Checkpointer:
    """The thread that copies the log into the database file each time it is told the log grew
    (`grew`), without waiting for readers or writers (a passive checkpoint), started at the
    first; `close` has it make a last one and waits for that. Nothing on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._grew = threading.Event()
        self._closing = False
        self._starting = threading.Lock()
        self._thread: threading.Thread | None = None
        if self._sqlite:
            event.listen(engine, "connect", _leave_to_thread)

    @property
    def started(self) -> bool:
        return self._thread is not None

    def grew(self) -> None:
        if not self._sqlite:
            return
        if self._thread is None:
            with self._starting:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="liaison-checkpoints", daemon=True
                    )
                    self._thread.start()
        self._grew.set()

    def close(self) -> None:
        if self._thread is not None:
            self._closing = True
            self._grew.set()
            self._thread.join()

    def _run(self) -> None:
        # A connection of its own, outside the pool: the thread never takes a connection a
        # request may be waiting for, and never shows in what the pool's users do.
        cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
        connection = self._engine.dialect.connect(*cargs, **cparams)
        try:
            while True:
                self._grew.wait()
                self._grew.clear()
                closing = self._closing  # read before the checkpoint: a commit may end in it
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except Exception:  # the log stays; the next checkpoint copies it
                    log.exception("checkpoint failed")
                if closing:
                    return
        finally:
            connection.close()


def _leave_to_thread(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP}")

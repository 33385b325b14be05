"""SQLite: when the write-ahead log reaches the database file (a checkpoint). By default the
commit that takes the log past `AUTOCHECKPOINT` pages copies it, in the committer's time. A job
writes chunk after chunk: its chunks' commits leave the log as it is (`held`), and a thread of
its own copies it meanwhile (`Checkpointer`), on the machine's other core (decision 0028)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event

log = logging.getLogger("liaison.checkpoints")

AUTOCHECKPOINT = 1000
"""SQLite's default, every connection's but a job's while it runs a chunk."""
_HELD = "liaison_checkpoints_held"


def watch(engine: Engine) -> None:
    """Give a connection handed back to the pool its usual checkpoints (see `held`)."""
    event.listen(engine, "checkin", _restore)


def held(conn: Connection) -> None:
    """SQLite: this connection's commits leave the log to a `Checkpointer` until the connection
    goes back to the pool."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        conn.info[_HELD] = True


def _restore(dbapi_connection: Any, record: Any) -> None:
    if record.info.pop(_HELD, False) and dbapi_connection is not None:
        dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT}")


class Checkpointer:
    """A thread that copies the log into the database file each time it is told the log grew
    (`grew`), without waiting for readers or writers (a passive checkpoint); `close` has it make
    a last one and waits for that. Does nothing on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._grew = threading.Event()
        self._closing = False
        self._thread: threading.Thread | None = None
        if engine.dialect.name == "sqlite":
            self._thread = threading.Thread(target=self._run, name="liaison-checkpoints")
            self._thread.start()

    def grew(self) -> None:
        self._grew.set()

    def close(self) -> None:
        if self._thread is not None:
            self._closing = True
            self._grew.set()
            self._thread.join()

    def _run(self) -> None:
        while True:
            self._grew.wait()
            self._grew.clear()
            closing = self._closing  # read before the checkpoint: a commit may end during it
            try:
                self._checkpoint()
            except Exception:  # the next commit with usual checkpoints copies the log anyway
                log.exception("checkpoint failed")
            if closing:
                return

    def _checkpoint(self) -> None:
        raw = self._engine.raw_connection()  # outside any transaction, as a checkpoint must be
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            raw.close()

"""Small test helpers: plain functions, no mocks."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from psycopg import pq
from sqlalchemy import event

from liaison.domain.object_types import ObjectType
from liaison.domain.properties import PropertyDefinition
from liaison.domain.records import Record
from liaison.services import associations, jobs, object_types, records
from liaison.services.database import Database
from liaison.services.jobs import Job
from liaison.services.unit import Caller
from liaison.storage.tables import metadata


def dump(database: Database) -> dict[str, list[str]]:
    """Every row of every table, for "nothing changed" comparisons."""
    with database.engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            for table in metadata.sorted_tables
        }


def contact(db: Database, caller: Caller, first: str = "Ann", **props: object) -> Record:
    values: Mapping[str, object] = {"firstname": first, "lastname": "Lee", **props}
    return records.create(db, caller, "contacts", values)


def company(db: Database, caller: Caller, name: str = "Acme", **props: object) -> Record:
    return records.create(db, caller, "companies", {"name": name, **props})


def deal(db: Database, caller: Caller, name: str = "Big deal", **props: object) -> Record:
    return records.create(db, caller, "deals", {"dealname": name, **props})


def ticket(db: Database, caller: Caller, subject: str = "Broken", **props: object) -> Record:
    return records.create(db, caller, "tickets", {"subject": subject, **props})


def types_between(db: Database, caller: Caller, from_id: int, to_id: int) -> set[int] | None:
    """The association type IDs from one record to another, or None when not associated."""
    view = associations.between(db, caller, from_id, to_id)
    return None if view is None else {t.id for t in view.types}


def car_type(db: Database, caller: Caller, *associated: str) -> ObjectType:
    """A custom object type "car" (property `model`), associable with `associated` types."""
    return object_types.create_object_type(
        db,
        caller,
        name="car",
        singular="Car",
        plural="Cars",
        properties=[PropertyDefinition("model", "Model")],
        primary_display_property="model",
        associated_types=list(associated),
    )


def wait_for_job(
    db: Database, me: Caller, job_id: int, ready: Callable[[Job], bool], seconds: float
) -> Job:
    """The job once `ready` says so, or as it is after `seconds` (a job run by another process)."""
    deadline = time.monotonic() + seconds
    while True:
        job = jobs.get(db, me, job_id)
        if ready(job) or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@contextmanager
def driver_statements(database: Database) -> Iterator[list[str]]:
    """The statements the database is sent while the block runs, transaction control aside, as
    the driver's own trace sees them (sqlite3's trace callback, libpq's protocol trace): unlike
    SQLAlchemy's events, it sees the hot reads sent to the driver's cursor (storage/fetch.py).
    On PostgreSQL each is the protocol message that runs it ("Execute" or "Query ...")."""
    seen: list[str] = []
    with tempfile.TemporaryFile() as pg_trace:

        def trace(dbapi_connection: Any, *_: Any) -> None:
            if hasattr(dbapi_connection, "set_trace_callback"):
                dbapi_connection.set_trace_callback(seen.append)
            else:
                dbapi_connection.pgconn.trace(pg_trace.fileno())
                dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

        def untrace(dbapi_connection: Any, *_: Any) -> None:
            if hasattr(dbapi_connection, "set_trace_callback"):
                dbapi_connection.set_trace_callback(None)
            else:
                dbapi_connection.pgconn.untrace()

        event.listen(database.engine, "checkout", trace)
        event.listen(database.engine, "checkin", untrace)
        try:
            yield seen
        finally:
            event.remove(database.engine, "checkout", trace)
            event.remove(database.engine, "checkin", untrace)
            pg_trace.seek(0)
            seen += _PG_RUN.findall(pg_trace.read().decode())
            seen[:] = [s for s in seen if not _TRANSACTION.match(s)]


_PG_RUN = re.compile(r"^F\t\d+\t(Execute|Query\t[^\n]*)", re.MULTILINE)
"""A frontend message that runs a statement, in libpq's trace (one per line)."""
_TRANSACTION = re.compile(r'(Query\t\s*")?(BEGIN|COMMIT|ROLLBACK)\b', re.IGNORECASE)

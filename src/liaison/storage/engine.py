"""Opening a store: SQLite (the embedded default, WAL mode) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///./liaison.db"

# sqlite3 binds only exact ints, floats and strings directly: for None and bools it first looks
# for an adapter, `__adapt__` and `__conform__`, which doubles the cost of binding them (history
# rows have several NULLs, label and record rows a flag). With an adapter registered, that is
# one dictionary hit.
sqlite3.register_adapter(type(None), lambda _: None)
sqlite3.register_adapter(bool, int)


def normalize_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` and use psycopg 3 for them."""
    parsed = make_url(
        url.replace("postgres://", "postgresql://", 1) if url.startswith("postgres://") else url
    )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str = DEFAULT_URL, **options: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = sa_create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    # Plan each statement for its own values: a generic plan of a keyset page ("to_id > $1 …
    # LIMIT $2") cannot know the LIMIT is small and was seen to read whole ranges instead.
    connect_args = {"options": "-c plan_cache_mode=force_custom_plan"}
    # No ping on every checkout (a round trip per request): a connection found dead is
    # dropped with its pool when it fails, and connections are renewed every half hour.
    return sa_create_engine(url, pool_recycle=1800, connect_args=connect_args, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        "busy_timeout=10000",
        "cache_size=-65536",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock at BEGIN, so two writers queue instead of failing mid-transaction.

    Connections opened with the execution option `read_only=True` begin a plain (deferred)
    transaction, so readers never wait for a writer (WAL).
    """
    read_only = connection.get_execution_options().get("read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

"""SQLite checkpoints (decision 0028): a job's chunks leave the write-ahead log to a thread of
the job's own, which copies it into the database file meanwhile; every other connection keeps
SQLite's usual checkpoints. Read through a copy of the database file alone (without its log),
which holds only what a checkpoint copied."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from liaison.services import associations, domain_run, domains, jobs
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.jobs import State
from liaison.services.unit import Caller
from liaison.storage import checkpoints
from liaison.storage.checkpoints import AUTOCHECKPOINT, Checkpointer
from liaison.storage.engine import create_engine
from tests.helpers import company, contact

BIG = 2 * AUTOCHECKPOINT
"""Rows of a page each: a commit of them takes the log past the usual checkpoint."""


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """One pooled connection, so each test meets the connection it used before."""
    made = create_engine(f"sqlite:///{tmp_path / 'file.db'}", pool_size=1, max_overflow=0)
    with made.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pages (page BLOB)")
    with made.connect() as conn:  # the table in the file
        conn.connection.driver_connection.execute("PRAGMA wal_checkpoint")
    return made


def _write_pages(engine: Engine, *, held: bool) -> None:
    with engine.begin() as conn:
        if held:
            checkpoints.held(conn)
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO pages SELECT randomblob(3000) FROM n",
            (BIG,),
        )


def _in_file(path: Path, sql: str) -> int:
    """`sql`'s count read from a copy of the database file without its log."""
    copy = path.with_name("copy.db")
    shutil.copy(path, copy)
    with sqlite3.connect(copy) as reading:
        count: int = reading.execute(sql).fetchone()[0]
    reading.close()
    copy.unlink()
    return count


def _pages_in_file(engine: Engine) -> int:
    return _in_file(Path(str(engine.url.database)), "SELECT count(*) FROM pages")


def test_a_usual_commit_copies_a_large_log_into_the_file(engine: Engine) -> None:
    _write_pages(engine, held=False)
    assert _pages_in_file(engine) == BIG


def test_a_held_commit_leaves_the_log_until_the_checkpointer_copies_it(engine: Engine) -> None:
    _write_pages(engine, held=True)
    assert _pages_in_file(engine) == 0
    written = Checkpointer(engine)
    written.grew()
    written.close()
    assert _pages_in_file(engine) == BIG


def test_a_held_connection_gets_its_usual_checkpoints_back_in_the_pool(engine: Engine) -> None:
    _write_pages(engine, held=True)
    with engine.connect() as conn:  # the same connection (a pool of one)
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT
    _write_pages(engine, held=False)
    assert _pages_in_file(engine) == 2 * BIG


def test_a_checkpointer_closed_unasked_ends(engine: Engine) -> None:
    written = Checkpointer(engine)
    written.close()
    _write_pages(engine, held=False)
    assert _pages_in_file(engine) == BIG


def test_a_job_s_writes_are_in_the_database_file_when_it_ends(
    tmp_path: Path, sqlite_template: Path, me: Caller
) -> None:
    path = tmp_path / "liaison.db"
    shutil.copy(sqlite_template, path)
    db = Database.open(f"sqlite:///{path}", migrate=False)
    try:
        domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
        acme = company(db, me, domain="acme.example")
        people = [contact(db, me, email=f"p{i}@acme.example") for i in range(3)]
        job = domain_run.start(db, me)
        Runner(db, JobSettings(chunk_size=1, pause=0)).run_pending()
        assert jobs.get(db, me, job.id).state is State.DONE
        page = associations.list_associations(db, me, "companies", acme.id, "contacts")
        assert {a.to_id for a in page.results} == {p.id for p in people}
        in_file = f"SELECT count(*) FROM association_history WHERE operation_id = {job.id}"
        assert _in_file(path, in_file) == 2 * len(people)  # CREATED and PRIMARY_SET each
    finally:
        db.close()

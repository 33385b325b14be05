"""SQLite checkpoints (decision 0028): a database opened by Liaison leaves the write-ahead log to
a thread of its own, which copies it into the database file after each unit of work; a commit
copies it itself only past `BACKSTOP` pages. Read through a copy of the database file alone
(without its log), which holds only what a checkpoint copied."""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from liaison.services.database import Database
from liaison.services.unit import Caller, unit_of_work
from liaison.storage.checkpoints import BACKSTOP
from liaison.storage.engine import create_engine

PAGES = 2_000
"""Rows of a page each: a commit of them takes the log past SQLite's usual 1,000 pages."""


@pytest.fixture
def path(tmp_path: Path, sqlite_template: Path) -> Path:
    made = tmp_path / "liaison.db"
    shutil.copy(sqlite_template, made)
    return made


@pytest.fixture
def db(path: Path) -> Iterator[Database]:
    opened = Database.open(f"sqlite:///{path}", migrate=False)
    _make_pages(opened.engine)
    raw = opened.engine.raw_connection()  # the table in the file
    raw.cursor().execute("PRAGMA wal_checkpoint")
    raw.close()
    yield opened
    opened.close()


def _make_pages(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE pages (page BLOB)")


def _write_pages(conn: Connection) -> None:
    conn.exec_driver_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO pages SELECT randomblob(3000) FROM n",
        (PAGES,),
    )


def _pages_in_file(path: Path) -> int:
    """The pages' rows in a copy of the database file without its log."""
    copy = path.with_name("copy.db")
    shutil.copy(path, copy)
    reading = sqlite3.connect(copy)
    try:
        count: int = reading.execute("SELECT count(*) FROM pages").fetchone()[0]
    finally:
        reading.close()
        copy.unlink()
    return count


def _eventually(condition: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 10
    while not _holds(condition):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _holds(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except sqlite3.DatabaseError:  # the file copied while the thread was writing it
        return False


def test_a_plain_commit_past_a_thousand_pages_copies_the_log_itself(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    _make_pages(engine)
    with engine.begin() as conn:
        _write_pages(conn)
    assert _pages_in_file(path) == PAGES
    engine.dispose()


def test_a_database_s_commits_leave_the_log_to_its_thread(db: Database, path: Path) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP
    with db.engine.begin() as conn:  # no unit of work: nothing tells the thread
        _write_pages(conn)
    assert _pages_in_file(path) == 0


def test_the_thread_copies_the_log_after_a_unit_of_work(
    db: Database, path: Path, me: Caller
) -> None:
    with unit_of_work(db, me, "pages") as unit:
        _write_pages(unit.conn)
    assert _eventually(lambda: _pages_in_file(path) == PAGES)


def test_closing_the_database_copies_what_the_log_holds(path: Path, me: Caller) -> None:
    db = Database.open(f"sqlite:///{path}", migrate=False)
    _make_pages(db.engine)
    for _ in range(3):
        with unit_of_work(db, me, "pages") as unit:
            _write_pages(unit.conn)
    db.close()
    assert _pages_in_file(path) == 3 * PAGES


def test_a_database_that_never_wrote_closes_without_a_thread(path: Path) -> None:
    db = Database.open(f"sqlite:///{path}", migrate=False)
    db.close()
    assert db.checkpoints.started is False

"""Nothing lost, nothing doubled: an import killed mid-way (SIGKILL) and resumed ends as an
uninterrupted one (issue 6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from liaison.domain.history import Actor, ActorKind
from liaison.services import labels
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from liaison.storage.tables import imports, operations
from tests.imports.compare import history_counts, snapshot
from tests.imports.files import people_and_companies, write_csv

ROWS = 1500  # killed after 500: the size is not the point, the resumed end is


def account_with_label(db: Database, name: str) -> int:
    account = create_account(db, name=name)
    caller = Caller(account, Actor(ActorKind.IMPORT, "test", "Test"))
    labels.create_label(db, caller, "contacts", "companies", label="Advisor")
    return account


def liaison_import(
    db: Database, account: int, paths: list[Path], *extra: str
) -> subprocess.Popen[bytes]:
    url = db.engine.url.render_as_string(hide_password=False)
    command = [
        sys.executable, "-m", "liaison.cli", "import", *map(str, paths),
        "--object", "contacts", "--object", "companies",
        "--database", url, "--account", str(account), "--chunk-rows", "20", *extra,
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def cursor(db: Database, account: int) -> tuple[int, int] | None:
    with db.engine.connect() as conn, conn.execution_options(read_only=True).begin():
        row = conn.execute(
            select(imports.c.phase, imports.c.rows_done).where(imports.c.account_id == account)
        ).first()
        return None if row is None else (row.phase, row.rows_done)


def kill_when(db: Database, account: int, process: subprocess.Popen[bytes], phase: int) -> None:
    """SIGKILL the import once it has committed some chunks of `phase`."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = cursor(db, account)
        if found is not None and found[0] == phase and found[1] >= 500:
            os.kill(process.pid, signal.SIGKILL)
            process.communicate()
            return
        assert process.poll() is None, process.communicate()[0].decode()
        time.sleep(0.02)
    pytest.fail("the import never reached the point to kill it at")


@pytest.mark.parametrize(
    ("passes", "phase"),
    [(1, 1), (2, 1), (2, 2)],
    ids=["one-pass", "two-passes-killed-in-records", "two-passes-killed-in-associations"],
)
def test_an_import_killed_and_resumed_ends_as_an_uninterrupted_one(
    db: Database, tmp_path: Path, passes: int, phase: int
) -> None:
    paths = [people_and_companies(tmp_path / "people.csv", ROWS)]
    if passes == 2:  # a file of companies too: the import reads its files twice
        paths.append(companies(tmp_path / "companies.csv"))
    whole, killed = account_with_label(db, "Whole"), account_with_label(db, "Killed")

    uninterrupted = liaison_import(db, whole, paths)
    output = uninterrupted.communicate(timeout=300)[0].decode()
    assert uninterrupted.returncode == 0, output

    process = liaison_import(db, killed, paths)
    kill_when(db, killed, process, phase)
    assert process.returncode == -signal.SIGKILL
    stopped = cursor(db, killed)
    assert stopped is not None and stopped[0] == phase and stopped[1] < ROWS

    resumed = liaison_import(db, killed, paths, "--resume")
    output = resumed.communicate(timeout=300)[0].decode()
    assert resumed.returncode == 0, output

    assert snapshot(db, killed) == snapshot(db, whole)
    assert history_counts(db, killed) == history_counts(db, whole)
    assert history_counts(db, whole)["CREATED"] == ROWS
    assert import_operations(db, killed) == import_operations(db, whole) == 1


def companies(path: Path, count: int = 50) -> Path:
    """The companies of `people_and_companies`, with a name of their own."""
    rows = [[f"Company {i} Ltd", f"company{i}.example"] for i in range(count)]
    return write_csv(path, [["Company name", "Company domain"], *rows])


def import_operations(db: Database, account: int) -> int:
    """The import is one operation, whatever the chunks and runs."""
    with db.engine.connect() as conn:
        return len(
            conn.execute(
                select(operations.c.id).where(
                    operations.c.account_id == account, operations.c.kind == "import"
                )
            ).all()
        )

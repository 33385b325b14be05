"""Finding a PostgreSQL server for the tests: the one configured, the local one, or our own.

Order: LIAISON_TEST_POSTGRES_URL; a server on 127.0.0.1:5432 (user postgres, trust auth); a
throwaway cluster started here with the PostgreSQL binaries (initdb + pg_ctl) when installed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import psycopg

from tests.served import free_port

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@contextlib.contextmanager
def server() -> Iterator[str | None]:
    """Yield an admin URL of a reachable server, or None when there is none to be had."""
    configured = os.environ.get("LIAISON_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    if _reachable(LOCAL_URL):
        yield LOCAL_URL
        return
    bin_dir = _binaries()
    if bin_dir is None:
        yield None
        return
    with _own_cluster(bin_dir) as url:
        yield url


@contextlib.contextmanager
def _own_cluster(bin_dir: str) -> Iterator[str | None]:
    data = tempfile.mkdtemp(prefix="liaison-pg-")
    port = free_port()
    user = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use the postgres system user
        shutil.chown(data, "postgres")
        user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*user, f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *user,
                f"{bin_dir}/pg_ctl",
                "-D",
                data,
                "-o",
                f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        subprocess.run(
            [*user, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        yield None
    finally:
        shutil.rmtree(data, ignore_errors=True)


def database_name(purpose: str) -> str:
    """A database name of this test process alone: its pytest-xdist worker and PID, so that
    parallel workers and other runs on the same server never share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"liaison_{purpose}_{worker}_{os.getpid()}"


def create_database(admin_url: str, name: str) -> str:
    """A new, empty test database; its URL. Its commits do not wait for the WAL to reach the
    disk: only a crash of the server could lose the last of them, which a test database does
    not mind, and the disk is shared with other people's benchmarks."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}"


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""Where a benchmark runs: a fresh SQLite file, or a fresh PostgreSQL database, each dropped
after use."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = os.environ.get("LIAISON_BENCH_DATABASE", "liaison_bench")
"""The PostgreSQL database a run creates and drops; runs sharing a server need one each."""


def unreachable(admin_url: str) -> str | None:
    """None when the PostgreSQL server answers, else why it does not."""
    try:
        with psycopg.connect(admin_url, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__


@contextmanager
def fresh(store: str, admin_url: str) -> Iterator[str]:
    """The URL of a new, empty database on `store` ("sqlite" or "postgres")."""
    if store == "sqlite":
        with _sqlite() as url:
            yield url
    else:
        with _postgres(admin_url) as url:
            yield url


@contextmanager
def _sqlite() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="liaison-bench-"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres(admin_url: str) -> Iterator[str]:
    _drop(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{BENCH_DATABASE}"
    finally:
        _drop(admin_url)


def _drop(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')

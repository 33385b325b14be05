"""Opening Liaison's database: migrate it and make sure the default account exists."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from liaison.storage import accounts
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID
from liaison.storage.checkpoints import Checkpointer
from liaison.storage.engine import DEFAULT_URL, create_engine
from liaison.storage.migrate import upgrade


@dataclass(frozen=True)
class Database:
    engine: Engine
    checkpoints: Checkpointer
    """SQLite: the thread that copies the write-ahead log into the file (decision 0028)."""

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @classmethod
    def open(cls, url: str = DEFAULT_URL, *, migrate: bool = True) -> Database:
        """Open (and by default migrate) the store at `url`; create the default account (O5)."""
        engine = create_engine(url)
        database = cls(engine, Checkpointer(engine))
        if migrate:
            upgrade(database.engine)
        ensure_default_account(database)
        return database

    def close(self) -> None:
        self.checkpoints.close()
        self.engine.dispose()


def ensure_default_account(database: Database) -> int:
    with database.engine.begin() as conn:
        if not accounts.exists(conn, DEFAULT_ACCOUNT_ID):
            accounts.create(conn, name="Default", account_id=DEFAULT_ACCOUNT_ID)
    return DEFAULT_ACCOUNT_ID


def create_account(database: Database, *, name: str) -> int:
    with database.engine.begin() as conn:
        return accounts.create(conn, name=name)

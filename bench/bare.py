"""The floor: the bare store doing the same work, with no rules and no history.

Its tables live in the same database as Liaison's and reuse the column types of Liaison's own
tables; its statements are plain DB-API calls (no SQLAlchemy in the timed path) on connections
made by Liaison's engine factory: same driver (sqlite3, psycopg 3), same SQLite pragmas. These
tables belong to the benchmark, not to Liaison's schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Index, MetaData, Table
from sqlalchemy.pool import NullPool

from liaison.storage.engine import create_engine
from liaison.storage.tables import association_history, associations

_metadata = MetaData()


def _columns(table: Table) -> list[Column[Any]]:
    """The same columns, types and primary key as one of Liaison's tables."""
    return [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in table.columns
    ]


bare_associations = Table(
    "bare_associations",
    _metadata,
    *_columns(associations),
    **associations.dialect_kwargs,
)
"""Liaison's `associations` columns and primary key (account_id, from_id, to_type, to_id), and
its storage options (on SQLite, WITHOUT ROWID: the floor gets the layout Liaison has)."""

bare_history = Table(
    "bare_history",
    _metadata,
    *_columns(association_history),
    Index("ix_bare_history_from", "account_id", "from_id", "id"),
    Index("ix_bare_history_to", "account_id", "to_id", "id"),
)
"""Liaison's history columns and primary key (account_id, id), one row per event, with one
index per side that leads straight to `id`."""

_INSERT = (
    "INSERT INTO bare_associations (account_id, from_id, to_type, to_id, created_at) "
    "VALUES ({0}, {0}, {0}, {0}, {0})"
)
_PAGE = (
    "SELECT to_id FROM bare_associations "
    "WHERE account_id = {0} AND from_id = {0} AND to_type = {0} AND to_id > {0} "
    "ORDER BY to_id LIMIT {0}"
)
_HISTORY = (
    "SELECT * FROM bare_history WHERE account_id = {0} AND to_id = {0} AND id < {0} "
    "ORDER BY id DESC LIMIT {0}"
)


class BareStore:
    """Two raw DB-API connections: one writes (one transaction per batch), one reads
    (autocommit, so a read is the statement alone)."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url, poolclass=NullPool)
        _metadata.create_all(self._engine)
        self.is_postgres = self._engine.dialect.name == "postgresql"
        self._writer, self._reader = self._engine.raw_connection(), self._engine.raw_connection()
        if self.is_postgres:
            # psycopg's executemany is fastest inside a transaction it opens itself.
            self._reader.driver_connection.autocommit = True  # type: ignore[union-attr]
        # SQLite: Liaison's engine already puts connections in autocommit mode.
        mark = "%s" if self.is_postgres else "?"
        self._insert, self._page, self._history = (
            sql.format(mark) for sql in (_INSERT, _PAGE, _HISTORY)
        )
        self._write, self._read = self._writer.cursor(), self._reader.cursor()

    def close(self) -> None:
        for connection in (self._writer, self._reader):
            connection.close()
        self._engine.dispose()

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """One transaction: both direction rows of a batch of pairs, one executemany."""
        if self.is_postgres:
            self._write.executemany(self._insert, rows)
            self._writer.commit()
            return
        self._write.execute("BEGIN")
        self._write.executemany(self._insert, rows)
        self._write.execute("COMMIT")

    def page(
        self, account_id: int, from_id: int, to_type: str, after: int, limit: int
    ) -> list[int]:
        self._read.execute(self._page, (account_id, from_id, to_type, after, limit))
        return [row[0] for row in self._read.fetchall()]

    def history(self, account_id: int, to_id: int, before: int, limit: int) -> list[Any]:
        self._read.execute(self._history, (account_id, to_id, before, limit))
        return list(self._read.fetchall())

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Untimed housekeeping: counts and cursors for the read benchmarks, ANALYZE."""
        self._read.execute(sql.replace("?", "%s") if self.is_postgres else sql, params)
        return list(self._read.fetchall()) if self._read.description else []

    def copy_liaison_rows(self) -> None:
        """Give the floor the very rows Liaison wrote: its associations and its history."""
        for sql in (
            "BEGIN",
            "INSERT INTO bare_associations SELECT * FROM associations",
            "INSERT INTO bare_history SELECT * FROM association_history",
            "COMMIT",
        ):
            self._read.execute(sql)
        self.settle()

    def settle(self) -> None:
        """Planner statistics (and, on PostgreSQL, the visibility map) for every table, as a
        database that has been running a while has them."""
        self._read.execute("VACUUM ANALYZE" if self.is_postgres else "ANALYZE")

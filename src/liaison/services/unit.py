"""A unit of work: one service call, one transaction, at most one operation (H6)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from sqlalchemy import Connection, text

from liaison.domain.errors import LiaisonError
from liaison.domain.graph import Graph
from liaison.domain.history import Actor, Source
from liaison.domain.planner import Planner
from liaison.domain.schema import Schema
from liaison.services import collector
from liaison.services.database import Database
from liaison.storage import accounts, history, operations, schemas
from liaison.storage import associations as associations_store
from liaison.storage.clock import now_micros

T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """Who is asking, for which account: every service call gets one (O5)."""

    account_id: int
    actor: Actor


@dataclass
class Unit:
    conn: Connection
    caller: Caller
    kind: str
    source: Source
    now: int = field(default_factory=now_micros)
    history_ids: tuple[int, int] | None = None
    """The first and last history ID this unit wrote: one range, see `operations.note_history`."""
    job_operation: int | None = None
    """Set for a chunk of a job: the job's operation, which this unit's history joins."""

    @property
    def account_id(self) -> int:
        return self.caller.account_id

    @cached_property
    def schema(self) -> Schema:
        return schemas.load(self.conn, self.account_id)

    def schema_at(self, version: int) -> Schema:
        """The schema, given its current version read by the caller (saves the query)."""
        if "schema" not in self.__dict__:
            self.__dict__["schema"] = schemas.load(self.conn, self.account_id, version=version)
        return self.schema

    def forget_schema(self) -> None:
        self.__dict__.pop("schema", None)

    def with_recent_schema(self, read: Callable[[Schema], T]) -> T:
        """Run `read` with the schema last loaded, without the query that checks it is current;
        if `read` is refused, run it again with the checked schema. Only for reads that an older
        schema can make fail but never make wrong: a name it still resolves names the same
        type, as custom type names are never reused while the type has records."""
        recent = schemas.recent(self.conn, self.account_id)
        if recent is not None:
            try:
                return read(recent)
            except LiaisonError:
                pass
        return read(self.schema)

    def with_schema_seen(self, read: Callable[[Schema], tuple[int | None, T]]) -> T:
        """Run `read` with the schema last loaded, unchecked, for a read whose one statement
        also reads the schema's version: `read` returns that version with its result. The
        result stands if it is the version of the schema used; else, or if that schema refused
        the read (a name it does not know), `read` runs again with the checked schema. Unlike
        `with_recent_schema`, right for reads that show what the schema names (labels)."""
        recent = schemas.recent_with_version(self.conn, self.account_id)
        if recent is not None:
            version, schema = recent
            try:
                seen, result = read(schema)
            except LiaisonError:
                pass
            else:
                if seen == version:
                    return result
        return read(self.schema)[1]

    @cached_property
    def operation_id(self) -> int:
        """Created on first use, so a call that changes nothing leaves no trace (A7)."""
        if self.job_operation is not None:
            return self.job_operation
        return operations.insert_operation(
            self.conn,
            self.account_id,
            kind=self.kind,
            source=self.source,
            actor=self.caller.actor,
            now=self.now,
        )

    def planner(self, graph: Graph, *, source: Source | None = None) -> Planner:
        return Planner(self.schema, graph, source or self.source, self.now)

    def save(self, planner: Planner) -> None:
        """Write the planner's changes and their history together (H1)."""
        associations_store.write_changes(self.conn, self.account_id, self.schema, planner.graph)
        if planner.events:
            first, last = history.append(
                self.conn, self.account_id, self.operation_id, planner.events, now=self.now
            )
            self.history_ids = (self.history_ids or (first, last))[0], last

    def finish(self) -> None:
        if self.history_ids is None:
            return
        if self.job_operation is None:
            operations.note_history(
                self.conn, self.account_id, self.operation_id, *self.history_ids
            )
        else:
            operations.extend_history(
                self.conn, self.account_id, self.operation_id, *self.history_ids
            )


_WRITE_SETUP = text(
    "SELECT pg_advisory_xact_lock(:key), set_config('enable_bitmapscan', 'off', true), "
    "set_config('enable_hashjoin', 'off', true)"
)


@contextmanager
def unit_of_work(
    database: Database,
    caller: Caller,
    kind: str,
    *,
    source: Source | None = None,
    job_operation: int | None = None,
) -> Iterator[Unit]:
    """One transaction; with `job_operation`, one chunk of that job (its history joins the
    job's operation instead of a new one)."""
    with collector.held_back(), database.engine.begin() as conn:
        accounts.require(conn, caller.account_id)
        if conn.dialect.name == "postgresql":
            # One writer per account at a time, as SQLite's BEGIN IMMEDIATE gives for the file:
            # the rules (limits, one primary) read before they write. And every read of a write
            # is a lookup by key: keep the planner on index scans even where statistics lag
            # behind a bulk load (a bitmap or hash plan then reads the whole account).
            conn.execute(_WRITE_SETUP, {"key": caller.account_id})
        unit = Unit(conn, caller, kind, source or caller.actor.source, job_operation=job_operation)
        yield unit
        unit.finish()
    database.checkpoints.grew()


@contextmanager
def reading(database: Database, caller: Caller) -> Iterator[Unit]:
    """A read-only unit: nothing is locked and no operation is created."""
    with database.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Each statement sees the latest committed data, as in a READ COMMITTED
            # transaction, without the round trips of BEGIN and COMMIT.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            yield Unit(conn, caller, "read", caller.actor.source)
        else:
            with conn.execution_options(read_only=True).begin():  # one snapshot (WAL)
                yield Unit(conn, caller, "read", caller.actor.source)

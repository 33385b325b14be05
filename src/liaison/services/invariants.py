"""The invariant checker: verifies a whole database, account by account.

- both directions of every association are present, with inverse types (A1, A3);
- every association joins two live records of the same account, of a defined pair (A2, A8, O5);
- at most one primary per record and exclusive type; contacts with companies have one (P1, P3);
- no record gained an association past a limit after the limit was set (A6, not retroactive);
- replaying the history gives exactly the associations stored: no change without history (H1);
- a job's progress is within its total, and a job done did all of it (decision 0013);
- SQLite: every history row is found from its `to_id` side, once (decision 0023).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from liaison.domain.history import Change
from liaison.domain.object_types import COMPANIES
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.storage import history as history_store
from liaison.storage import schemas
from liaison.storage.tables import (
    HISTORY_TO_LEVELS,
    accounts,
    association_history,
    association_labels,
    association_limits,
    associations,
    jobs,
    operations,
    records,
)

_ADDING = (Change.CREATED.value, Change.LABEL_ADDED.value, Change.PRIMARY_SET.value)


@dataclass
class _Account:
    schema: Schema
    records: dict[int, Any]
    links: dict[tuple[int, int], set[int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check(database: Database) -> list[str]:
    """Every broken invariant, as a sentence; an empty list when the database is sound."""
    problems: list[str] = []
    with database.engine.connect() as conn:
        for (account_id,) in conn.execute(select(accounts.c.id).order_by(accounts.c.id)):
            problems += [f"account {account_id}: {p}" for p in _check_account(conn, account_id)]
    return problems


def _check_account(conn: Connection, account_id: int) -> list[str]:
    schema = schemas.load(conn, account_id)
    rows = conn.execute(select(records).where(records.c.account_id == account_id))
    state = _Account(schema, {r.id: r for r in rows})
    _check_associations(conn, account_id, state)
    _check_labels(conn, account_id, state)
    _check_primaries(state)
    history = history_store.every_event(conn, account_id)
    _check_limits(conn, account_id, state, history)
    _check_replay(state, history)
    _check_operation_ranges(conn, account_id, state, history)
    _check_to_side(conn, account_id, state)
    _check_jobs(conn, account_id, state)
    return state.problems


def _check_associations(conn: Connection, account_id: int, state: _Account) -> None:
    for row in conn.execute(select(associations).where(associations.c.account_id == account_id)):
        pair = (row.from_id, row.to_id)
        x, y = state.records.get(row.from_id), state.records.get(row.to_id)
        if x is None or y is None:
            state.problems.append(f"association {pair} points to a record not in the account")
            continue
        if y.type_id != row.to_type:
            state.problems.append(f"association {pair} says {row.to_type}, record is {y.type_id}")
        if x.archived or y.archived:
            state.problems.append(f"association {pair} touches a deleted record")
        if not state.schema.is_defined(x.type_id, y.type_id):
            state.problems.append(f"association {pair} has no definition")
            continue
        state.links[pair] = {state.schema.unlabeled_id(x.type_id, y.type_id)}
    for a, b in state.links:
        if (b, a) not in state.links:
            state.problems.append(f"association {(a, b)} has no reverse row")


def _check_labels(conn: Connection, account_id: int, state: _Account) -> None:
    exclusive = Counter[tuple[int, int]]()
    rows = conn.execute(
        select(association_labels).where(association_labels.c.account_id == account_id)
    )
    for row in rows:
        pair = (row.from_id, row.to_id)
        assoc_type = state.schema.types.get(row.type_id)
        if pair not in state.links:
            state.problems.append(f"label {row.type_id} on {pair} without its association")
            continue
        x, y = state.records[row.from_id], state.records[row.to_id]
        if assoc_type is None or (assoc_type.from_type, assoc_type.to_type) != (
            x.type_id,
            y.type_id,
        ):
            state.problems.append(f"label {row.type_id} on {pair} is not a type of that pair")
            continue
        if row.exclusive != assoc_type.exclusive:
            state.problems.append(f"label {row.type_id} on {pair} has the wrong exclusive flag")
        if row.exclusive:
            exclusive[(row.from_id, row.type_id)] += 1
        state.links[pair].add(row.type_id)
    for pair, types in state.links.items():
        back = state.links.get((pair[1], pair[0]), set())
        if {state.schema.inverse(t) for t in types} != back:
            state.problems.append(
                f"association {pair} has types {sorted(types)} but its reverse has {sorted(back)}"
            )
    for (record_id, type_id), n in exclusive.items():
        if n > 1:
            state.problems.append(
                f"record {record_id} has {n} associations of exclusive type {type_id}"
            )


def _check_primaries(state: _Account) -> None:
    companies: dict[int, list[set[int]]] = defaultdict(list)
    for (a, b), types in state.links.items():
        if state.records[b].type_id == COMPANIES:
            companies[a].append(types)
    for record_id, links in companies.items():
        record_type = state.schema.object_types.get(state.records[record_id].type_id)
        if record_type is None or not record_type.requires_primary_company:
            continue
        primary = state.schema.primary_id(record_type.id)
        count = sum(1 for types in links if primary in types)
        if count != 1:
            state.problems.append(
                f"contact {record_id} has {len(links)} companies and {count} primary"
            )


def _check_limits(conn: Connection, account_id: int, state: _Account, history: list[Any]) -> None:
    limits = conn.execute(
        select(association_limits).where(association_limits.c.account_id == account_id)
    )
    for limit in limits:
        assoc_type = state.schema.types.get(limit.type_id)
        if assoc_type is None:
            continue
        counts = Counter(a for (a, _), types in state.links.items() if limit.type_id in types)
        for record_id, count in counts.items():
            if count <= limit.max_to:
                continue
            added_since = [
                e
                for e in history
                if e.at > limit.updated_at
                and e.change in _ADDING
                and (
                    (e.from_id == record_id and e.type_id == limit.type_id)
                    or (e.to_id == record_id and e.inverse_type_id == limit.type_id)
                )
            ]
            if added_since:
                state.problems.append(
                    f"record {record_id} has {count} associations of type {limit.type_id}, over "
                    f"its limit of {limit.max_to}, and gained some after the limit was set"
                )


def _check_operation_ranges(
    conn: Connection, account_id: int, state: _Account, history: list[Any]
) -> None:
    """Each operation's history rows are exactly the ID range noted on it (H6)."""
    ranges = {
        op.id: (op.first_history_id, op.last_history_id)
        for op in conn.execute(select(operations).where(operations.c.account_id == account_id))
    }
    for e in history:
        first, last = ranges.get(e.operation_id, (None, None))
        if first is None or last is None or not first <= e.id <= last:
            state.problems.append(
                f"history row {e.id} is outside the range noted on operation {e.operation_id}"
            )


def _check_to_side(conn: Connection, account_id: int, state: _Account) -> None:
    """SQLite finds a history row from its `to_id` side through two levels of entries: together
    they must name every row once, by its `to_id`. PostgreSQL indexes `to_id` and leaves them
    empty."""
    entries = Counter[tuple[int, int]]()
    for level in HISTORY_TO_LEVELS:
        found = conn.execute(
            select(level.c.to_id, level.c.id).where(level.c.account_id == account_id)
        )
        entries.update((to_id, history_id) for to_id, history_id in found)
    if conn.dialect.name != "sqlite":
        expected = Counter[tuple[int, int]]()
    else:
        h = association_history.c
        rows = conn.execute(select(h.to_id, h.id).where(h.account_id == account_id))
        expected = Counter((to_id, history_id) for to_id, history_id in rows)
    if entries != expected:
        wrong = sorted((entries - expected) + (expected - entries))[:5]
        state.problems.append(f"the history's to_id entries differ from its rows at {wrong}")


def _check_jobs(conn: Connection, account_id: int, state: _Account) -> None:
    j = jobs.c
    found = conn.execute(
        select(j.operation_id, j.state, j.done, j.total).where(j.account_id == account_id)
    )
    for job_id, job_state, done, total in found:
        if not 0 <= done <= total or (job_state == "done" and done != total):
            state.problems.append(f"job {job_id} is {job_state} with {done} of {total} done")


def _check_replay(state: _Account, history: list[Any]) -> None:
    replayed: dict[tuple[int, int], set[int]] = {}
    for e in history:
        forward, backward = (e.from_id, e.to_id), (e.to_id, e.from_id)
        if e.change == Change.CREATED:
            replayed[forward], replayed[backward] = {e.type_id}, {e.inverse_type_id}
        elif e.change == Change.REMOVED:
            replayed.pop(forward, None)
            replayed.pop(backward, None)
        elif e.change in (Change.LABEL_ADDED, Change.PRIMARY_SET):
            replayed.setdefault(forward, set()).add(e.type_id)
            replayed.setdefault(backward, set()).add(e.inverse_type_id)
        else:
            replayed.get(forward, set()).discard(e.type_id)
            replayed.get(backward, set()).discard(e.inverse_type_id)
    stored = state.links
    for pair in sorted(set(replayed) | set(stored)):
        if replayed.get(pair) != stored.get(pair):
            state.problems.append(
                f"association {pair} is stored as {sorted(stored.get(pair, []))} but its history "
                f"says {sorted(replayed.get(pair, []))}"
            )

"""Accounts (tenants) and their ID sequences."""

from __future__ import annotations

import secrets

from sqlalchemy import BigInteger, Connection, Table, bindparam, func, insert, select, text, update

from liaison.domain.association_types import FIRST_USER_TYPE_ID
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.storage import fetch
from liaison.storage.clock import now_micros
from liaison.storage.tables import accounts, counters

DEFAULT_ACCOUNT_ID = 1
_SEQUENCES = {
    "schema": 0,
    "record": 0,
    "operation": 0,
    "history": 0,
    "object_type": 0,
    "association_type": FIRST_USER_TYPE_ID - 1,
}

_SYNC_ACCOUNT_SEQUENCE = (
    "SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts))"
)
"""After inserting an explicit account ID, keep PostgreSQL's sequence past it."""


def create(conn: Connection, *, name: str, account_id: int | None = None) -> int:
    values: dict[str, object] = {"name": name, "created_at": now_micros()}
    if account_id is not None:
        values["id"] = account_id
    new_id = int(
        conn.execute(insert(accounts).values(values).returning(accounts.c.id)).scalar_one()
    )
    if account_id is not None and conn.dialect.name == "postgresql":
        conn.execute(text(_SYNC_ACCOUNT_SEQUENCE))
    starts = {**_SEQUENCES, "schema": secrets.randbits(48)}
    conn.execute(
        insert(counters),
        [{"account_id": new_id, "name": n, "value": v} for n, v in starts.items()],
    )
    return new_id


def exists(conn: Connection, account_id: int) -> bool:
    return bool(fetch.seen_rows(conn, _EXISTS, {"account": account_id}))


def require(conn: Connection, account_id: int) -> None:
    """ACCOUNT_NOT_FOUND unless the account exists."""
    if not exists(conn, account_id):
        raise not_found(account_id)


_EXISTS = select(accounts.c.id).where(accounts.c.id == bindparam("account"))


def schema_version(conn: Connection, account_id: int) -> int:
    """Bumped by every change of the account's schema (types, labels, limits). It starts at a
    random number, so a re-created account never reuses the versions of an earlier one."""
    params = {"account": account_id, "sequence": "schema"}
    found = fetch.all_rows(conn, _SCHEMA_VERSION, params)
    if not found:
        raise not_found(account_id)
    return int(found[0][0])


def not_found(account_id: int) -> LiaisonError:
    return LiaisonError(ErrorCode.ACCOUNT_NOT_FOUND, f"Account {account_id} does not exist.")


_SCHEMA_VERSION = select(counters.c.value).where(
    counters.c.account_id == bindparam("account"), counters.c.name == bindparam("sequence")
)


def touch_schema(conn: Connection, account_id: int) -> None:
    reserve_ids(conn, account_id, "schema", 1)


def reserve_ids(conn: Connection, account_id: int, sequence: str, count: int) -> int:
    """Take `count` consecutive new IDs from a sequence; return the first."""
    params = {"account": account_id, "sequence": sequence, "count": count}
    ((last,),) = fetch.seen_rows(conn, _RESERVE, params)
    return int(last) - count + 1


_RESERVE = (
    update(counters)
    .where(counters.c.account_id == bindparam("account"), counters.c.name == bindparam("sequence"))
    .values(value=counters.c.value + bindparam("count", type_=BigInteger))
    .returning(counters.c.value)
)


def next_row_id(conn: Connection, table: Table, account_id: int) -> int:
    """The next `id` of a small per-account table (tokens, users): one more than its largest.
    Writers of one account hold its write lock, so no other writer takes the same one."""
    last = conn.execute(
        select(func.max(table.c.id)).where(table.c.account_id == account_id)
    ).scalar_one()
    return int(last or 0) + 1

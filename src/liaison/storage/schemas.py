"""Loading an account's schema: three queries, or none when the cached one is current."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from liaison.domain.schema import Schema
from liaison.storage import association_types, object_types
from liaison.storage.accounts import schema_version

_cache: WeakKeyDictionary[Engine, dict[int, tuple[int, Schema]]] = WeakKeyDictionary()
"""engine -> account -> (version, schema). Every schema write bumps the version in the same
transaction, so `load` uses a cached schema only while it is the one in the database."""


def load(conn: Connection, account_id: int, *, version: int | None = None) -> Schema:
    """The account's schema; `version` is its current version when the caller read it already."""
    cached = _cache.setdefault(conn.engine, {})
    version = schema_version(conn, account_id) if version is None else version
    found = cached.get(account_id)
    if found is not None and found[0] == version:
        return found[1]
    schema = Schema.build(
        object_types.load_custom(conn, account_id),
        association_types.load(conn, account_id),
        association_types.load_limits(conn, account_id),
    )
    cached[account_id] = (version, schema)
    return schema


def recent(conn: Connection, account_id: int) -> Schema | None:
    """The schema last loaded for the account, without checking it is still current."""
    found = recent_with_version(conn, account_id)
    return None if found is None else found[1]


def recent_with_version(conn: Connection, account_id: int) -> tuple[int, Schema] | None:
    """`recent`, with the version it was loaded at."""
    return _cache.get(conn.engine, {}).get(account_id)

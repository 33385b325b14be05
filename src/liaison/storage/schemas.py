"""Loading an account's schema: three queries, or none when the cached one is current."""

from __future__ import annotations

from sqlalchemy import Connection

from liaison.domain.schema import Schema
from liaison.storage import association_types, object_types
from liaison.storage.accounts import schema_version

_cache: dict[tuple[str, int], tuple[int, Schema]] = {}
"""(database, account) -> (version, schema). Every schema write bumps the version in the same
transaction, so a cached schema is used only while it is the one in the database."""


def load(conn: Connection, account_id: int) -> Schema:
    key = (conn.engine.url.render_as_string(), account_id)
    version = schema_version(conn, account_id)
    cached = _cache.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    schema = Schema.build(
        object_types.load_custom(conn, account_id),
        association_types.load(conn, account_id),
        association_types.load_limits(conn, account_id),
    )
    _cache[key] = (version, schema)
    return schema

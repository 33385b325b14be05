"""Loading an account's whole schema in three queries."""

from __future__ import annotations

from sqlalchemy import Connection

from liaison.domain.schema import Schema
from liaison.storage import association_types, object_types


def load(conn: Connection, account_id: int) -> Schema:
    return Schema.build(
        object_types.load_custom(conn, account_id),
        association_types.load(conn, account_id),
        association_types.load_limits(conn, account_id),
    )

"""Records and their properties."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from liaison.domain.properties import Properties
from liaison.storage.accounts import reserve_ids
from liaison.storage.tables import records

CHUNK = 5_000
"""IN-lists are sent in chunks of this size (SQLite's bound-parameter limit is 32,766)."""


def chunked(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert_many(
    conn: Connection, account_id: int, type_id: str, properties: Sequence[Properties], *, now: int
) -> list[int]:
    first = reserve_ids(conn, account_id, "record", len(properties))
    ids = list(range(first, first + len(properties)))
    conn.execute(
        insert(records),
        [
            {
                "account_id": account_id,
                "id": record_id,
                "type_id": type_id,
                "properties": props,
                "created_at": now,
                "updated_at": now,
                "archived": False,
            }
            for record_id, props in zip(ids, properties, strict=True)
        ],
    )
    return ids


def get_many(conn: Connection, account_id: int, ids: Iterable[int]) -> dict[int, Row[Any]]:
    found: dict[int, Row[Any]] = {}
    for batch in chunked(set(ids)):
        rows = conn.execute(
            select(records).where(records.c.account_id == account_id, records.c.id.in_(batch))
        )
        found.update({row.id: row for row in rows})
    return found


def list_page(
    conn: Connection, account_id: int, type_id: str, *, after: int, limit: int, archived: bool
) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(records)
            .where(
                records.c.account_id == account_id,
                records.c.type_id == type_id,
                records.c.archived.is_(archived),
                records.c.id > after,
            )
            .order_by(records.c.id)
            .limit(limit)
        )
    )


def update_properties(
    conn: Connection, account_id: int, changes: dict[int, Properties], *, now: int
) -> None:
    conn.execute(
        update(records)
        .where(records.c.account_id == account_id, records.c.id == bindparam("record_id"))
        .values(properties=bindparam("props"), updated_at=now),
        [{"record_id": i, "props": p} for i, p in changes.items()],
    )


def archive(
    conn: Connection,
    account_id: int,
    ids: Sequence[int],
    *,
    operation_id: int,
    now: int,
    merged_into: int | None = None,
) -> None:
    for batch in chunked(ids):
        conn.execute(
            update(records)
            .where(records.c.account_id == account_id, records.c.id.in_(batch))
            .values(
                archived=True,
                archived_at=now,
                archived_by=operation_id,
                merged_into=merged_into,
                updated_at=now,
            )
        )
    if merged_into is not None:
        conn.execute(
            update(records)
            .where(records.c.account_id == account_id, records.c.merged_into.in_(list(ids)))
            .values(merged_into=merged_into)
        )


def unarchive(conn: Connection, account_id: int, record_id: int, *, now: int) -> None:
    conn.execute(
        update(records)
        .where(records.c.account_id == account_id, records.c.id == record_id)
        .values(archived=False, archived_at=None, archived_by=None, updated_at=now)
    )


def delete_permanently(conn: Connection, account_id: int, record_id: int) -> None:
    conn.execute(
        delete(records).where(records.c.account_id == account_id, records.c.id == record_id)
    )
    conn.execute(
        update(records)
        .where(records.c.account_id == account_id, records.c.merged_into == record_id)
        .values(merged_into=None)
    )

"""Records and their properties."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update

from liaison.domain.properties import Properties
from liaison.storage import bulk, fetch
from liaison.storage.accounts import not_found, reserve_ids
from liaison.storage.tables import counters, records


def insert_many(
    conn: Connection,
    account_id: int,
    type_id: str,
    values: Sequence[tuple[Properties, str]],
    *,
    now: int,
) -> list[int]:
    """Insert records given as (properties, display name); return their new IDs."""
    first = reserve_ids(conn, account_id, "record", len(values))
    ids = list(range(first, first + len(values)))
    json_text = bulk.json_text
    bulk.insert(
        conn,
        records,
        ("id", "properties", "name"),
        [
            (record_id, json_text(props), name)
            for record_id, (props, name) in zip(ids, values, strict=True)
        ],
        same={
            "account_id": account_id,
            "type_id": type_id,
            "created_at": now,
            "updated_at": now,
            "archived": False,
        },
        json_as_text=True,
    )
    return ids


def get_many(conn: Connection, account_id: int, ids: Iterable[int]) -> dict[int, Row[Any]]:
    rows = conn.execute(
        select(records).where(
            records.c.account_id == account_id, bulk.ids_in(conn, records.c.id, ids)
        )
    )
    return {row.id: row for row in rows}


def get_infos(conn: Connection, account_id: int, ids: Iterable[int]) -> list[tuple[Any, ...]]:
    """(ID, type, display name, archived, merged into) of records, without their properties."""
    r = records.c
    statement = select(r.id, r.type_id, r.name, r.archived, r.merged_into).where(
        r.account_id == account_id, bulk.ids_in(conn, r.id, ids)
    )
    return [tuple(row) for row in conn.execute(statement).all()]


_TYPE_AND_SCHEMA_VERSION = select(
    select(records.c.type_id)
    .where(records.c.account_id == bindparam("account"), records.c.id == bindparam("record"))
    .scalar_subquery(),
    select(counters.c.value)
    .where(counters.c.account_id == bindparam("account"), counters.c.name == "schema")
    .scalar_subquery(),
)


def type_and_schema_version(
    conn: Connection, account_id: int, record_id: int
) -> tuple[str | None, int]:
    """The record's type (None if there is no such record) and the account's schema version,
    in one statement: what a read of the record needs to know first."""
    params = {"account": account_id, "record": record_id}
    ((type_id, version),) = fetch.all_rows(conn, _TYPE_AND_SCHEMA_VERSION, params)
    if version is None:
        raise not_found(account_id)
    return type_id, int(version)


def count_of_type(conn: Connection, account_id: int, type_id: str) -> int:
    """How many records of the type the account has, deleted ones included."""
    statement = select(func.count()).where(
        records.c.account_id == account_id, records.c.type_id == type_id
    )
    return int(conn.execute(statement).scalar_one())


def any_in_account(conn: Connection, account_id: int) -> bool:
    """Whether the account has any record, deleted ones included."""
    statement = select(records.c.id).where(records.c.account_id == account_id).limit(1)
    return conn.execute(statement).first() is not None


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
    conn: Connection, account_id: int, changes: dict[int, tuple[Properties, str]], *, now: int
) -> None:
    """Set new (properties, display name) on records."""
    if not changes:
        return
    conn.execute(
        update(records)
        .where(records.c.account_id == account_id, records.c.id == bindparam("record_id"))
        .values(properties=bindparam("props"), name=bindparam("display"), updated_at=now),
        [{"record_id": i, "props": p, "display": n} for i, (p, n) in changes.items()],
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
    conn.execute(
        update(records)
        .where(records.c.account_id == account_id, bulk.ids_in(conn, records.c.id, ids))
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
            .where(
                records.c.account_id == account_id,
                bulk.ids_in(conn, records.c.merged_into, ids),
            )
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


def find_by_property(
    conn: Connection,
    account_id: int,
    type_id: str,
    name: str,
    values: Iterable[str],
    *,
    archived: bool | None = False,
    ignore_case: bool = False,
) -> dict[str, Row[Any]]:
    """Records of the type whose property `name` has one of `values` (each value -> the oldest
    such record). With `ignore_case`, values are compared lowercased (emails)."""
    wanted = [v.lower() for v in values] if ignore_case else list(values)
    if not wanted:
        return {}
    stored = records.c.properties[name].as_string()
    key = func.lower(stored) if ignore_case else stored
    conditions = [records.c.account_id == account_id, records.c.type_id == type_id]
    if archived is not None:
        conditions.append(records.c.archived.is_(archived))
    statement = (
        select(records, key.label("id_value"))
        .where(*conditions, key.in_(wanted))
        .order_by(records.c.id)
    )
    found: dict[str, Row[Any]] = {}
    for row in conn.execute(statement):
        found.setdefault(row.id_value, row)
    return found


def delete_new(conn: Connection, account_id: int, ids: Sequence[int]) -> None:
    """Delete records created in this transaction that nothing refers to yet."""
    conn.execute(
        delete(records).where(
            records.c.account_id == account_id, bulk.ids_in(conn, records.c.id, ids)
        )
    )

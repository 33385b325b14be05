"""An account's own association types (labels, custom pairs) and association limits (A5, A6)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from liaison.domain.association_types import AssociationType, Category, Kind
from liaison.storage.accounts import touch_schema
from liaison.storage.clock import now_micros
from liaison.storage.tables import association_labels, association_limits, association_types


def load(conn: Connection, account_id: int) -> list[AssociationType]:
    rows = conn.execute(
        select(association_types).where(association_types.c.account_id == account_id)
    ).mappings()
    return [_to_domain(row) for row in rows]


def insert_types(conn: Connection, account_id: int, types: Iterable[AssociationType]) -> None:
    touch_schema(conn, account_id)
    now = now_micros()
    conn.execute(
        insert(association_types),
        [
            {
                "account_id": account_id,
                "id": t.id,
                "inverse_id": t.inverse_id,
                "from_type": t.from_type,
                "to_type": t.to_type,
                "kind": t.kind.value,
                "name": t.name,
                "label": t.label,
                "exclusive": t.exclusive,
                "created_at": now,
            }
            for t in types
        ],
    )


def created_at(conn: Connection, account_id: int, type_ids: Iterable[int]) -> dict[int, int]:
    """When each of these association types was defined (microseconds)."""
    ids = list(type_ids)
    if not ids:
        return {}
    rows = conn.execute(
        select(association_types.c.id, association_types.c.created_at).where(
            association_types.c.account_id == account_id, association_types.c.id.in_(ids)
        )
    )
    return {row.id: row.created_at for row in rows}


def rename(conn: Connection, account_id: int, type_id: int, label: str) -> None:
    touch_schema(conn, account_id)
    conn.execute(
        update(association_types)
        .where(association_types.c.account_id == account_id, association_types.c.id == type_id)
        .values(label=label)
    )


def delete_types(conn: Connection, account_id: int, type_ids: Iterable[int]) -> None:
    touch_schema(conn, account_id)
    ids = list(type_ids)
    conn.execute(
        delete(association_types).where(
            association_types.c.account_id == account_id, association_types.c.id.in_(ids)
        )
    )
    conn.execute(
        delete(association_limits).where(
            association_limits.c.account_id == account_id, association_limits.c.type_id.in_(ids)
        )
    )


def uses(conn: Connection, account_id: int, type_id: int) -> int:
    """How many associations carry this type (counted on its own direction)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(association_labels)
            .where(
                association_labels.c.account_id == account_id,
                association_labels.c.type_id == type_id,
            )
        ).scalar_one()
    )


def uses_of(conn: Connection, account_id: int, type_ids: Iterable[int]) -> dict[int, int]:
    """`uses` of several types in one statement; a type no association carries is left out."""
    ids = list(type_ids)
    if not ids:
        return {}
    rows = conn.execute(
        select(association_labels.c.type_id, func.count())
        .where(
            association_labels.c.account_id == account_id,
            association_labels.c.type_id.in_(ids),
        )
        .group_by(association_labels.c.type_id)
    )
    return {int(type_id): int(count) for type_id, count in rows}


def pairs_using(conn: Connection, account_id: int, type_id: int) -> list[tuple[int, int]]:
    rows = conn.execute(
        select(association_labels.c.from_id, association_labels.c.to_id).where(
            association_labels.c.account_id == account_id,
            association_labels.c.type_id == type_id,
        )
    )
    return [(int(a), int(b)) for a, b in rows]


def load_limits(conn: Connection, account_id: int) -> dict[int, int]:
    rows = conn.execute(
        select(association_limits.c.type_id, association_limits.c.max_to).where(
            association_limits.c.account_id == account_id
        )
    )
    return {int(type_id): int(max_to) for type_id, max_to in rows}


def set_limits(conn: Connection, account_id: int, limits: dict[int, int]) -> None:
    touch_schema(conn, account_id)
    delete_limits(conn, account_id, limits)
    now = now_micros()
    conn.execute(
        insert(association_limits),
        [
            {"account_id": account_id, "type_id": t, "max_to": m, "updated_at": now}
            for t, m in limits.items()
        ],
    )


def delete_limits(conn: Connection, account_id: int, type_ids: Iterable[int]) -> None:
    touch_schema(conn, account_id)
    conn.execute(
        delete(association_limits).where(
            association_limits.c.account_id == account_id,
            association_limits.c.type_id.in_(list(type_ids)),
        )
    )


def _to_domain(row: Any) -> AssociationType:
    return AssociationType(
        id=row["id"],
        category=Category.USER_DEFINED,
        from_type=row["from_type"],
        to_type=row["to_type"],
        kind=Kind(row["kind"]),
        label=row["label"],
        name=row["name"],
        inverse_id=row["inverse_id"],
        exclusive=row["exclusive"],
        builtin=False,
    )

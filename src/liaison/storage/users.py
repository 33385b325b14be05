"""Users of the web UI (S1): one row per person and account, the password only as a hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select

from liaison.storage.accounts import next_row_id
from liaison.storage.tables import users


def insert_user(
    conn: Connection,
    account_id: int,
    *,
    email: str,
    name: str | None,
    password_hash: str,
    is_admin: bool,
    now: int,
) -> int:
    user_id = next_row_id(conn, users, account_id)
    conn.execute(
        insert(users).values(
            account_id=account_id,
            id=user_id,
            email=email,
            name=name,
            password_hash=password_hash,
            is_admin=is_admin,
            created_at=now,
        )
    )
    return user_id


def find_by_email(conn: Connection, account_id: int, email: str) -> Row[Any] | None:
    return conn.execute(
        select(users).where(users.c.account_id == account_id, users.c.email == email)
    ).first()


def find_by_id(conn: Connection, account_id: int, user_id: int) -> Row[Any] | None:
    return conn.execute(
        select(users).where(users.c.account_id == account_id, users.c.id == user_id)
    ).first()


def list_users(conn: Connection, account_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(select(users).where(users.c.account_id == account_id).order_by(users.c.id))
    )

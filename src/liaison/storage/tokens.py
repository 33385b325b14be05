"""API tokens: stored by the hash of their secret, never the secret itself (S2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from liaison.storage.accounts import next_row_id
from liaison.storage.tables import api_tokens


def insert_token(
    conn: Connection, account_id: int, *, name: str, secret_hash: str, scopes: list[str], now: int
) -> int:
    token_id = next_row_id(conn, api_tokens, account_id)
    conn.execute(
        insert(api_tokens).values(
            account_id=account_id,
            id=token_id,
            name=name,
            secret_hash=secret_hash,
            scopes=scopes,
            created_at=now,
        )
    )
    return token_id


def find_by_hash(conn: Connection, account_id: int, secret_hash: str) -> Row[Any] | None:
    return conn.execute(
        select(api_tokens).where(
            api_tokens.c.account_id == account_id,
            api_tokens.c.secret_hash == secret_hash,
            api_tokens.c.revoked_at.is_(None),
        )
    ).first()


def list_tokens(conn: Connection, account_id: int) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(api_tokens)
            .where(api_tokens.c.account_id == account_id)
            .order_by(api_tokens.c.id)
        )
    )


def revoke(conn: Connection, account_id: int, token_id: int, *, now: int) -> bool:
    """Revoke the token; False when there is no such token that is still active."""
    done = conn.execute(
        update(api_tokens)
        .where(
            api_tokens.c.account_id == account_id,
            api_tokens.c.id == token_id,
            api_tokens.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return done.rowcount == 1

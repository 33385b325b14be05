"""API tokens (S2): create (the secret is shown once), list, revoke, authenticate."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row

from liaison.domain import scopes as scope_names
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor, ActorKind
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage import accounts
from liaison.storage import tokens as store
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID
from liaison.storage.clock import now_micros, to_datetime

_FORMAT = re.compile(r"^lia_(\d{1,9})_[A-Za-z0-9_-]+$")
_ADMIN_VALUE = re.compile(r"^[A-Za-z0-9_-]{20,200}$")


@dataclass(frozen=True)
class Token:
    account_id: int
    id: int
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def caller(self) -> Caller:
        """Changes made with this token are recorded with source API and its name (S2)."""
        return Caller(self.account_id, Actor(ActorKind.API_TOKEN, f"token:{self.id}", self.name))


def create_token(
    database: Database, account_id: int, *, name: str, scopes: list[str], value: str | None = None
) -> tuple[Token, str]:
    """A new token and its value, which is never shown again. `value` chooses the value (for
    LIAISON_ADMIN_TOKEN); by default it is `lia_{account}_{random secret}`."""
    _check_new(name, scopes)
    value = value or f"lia_{account_id}_{secrets.token_urlsafe(32)}"
    now = now_micros()
    with database.engine.begin() as conn:
        accounts.require(conn, account_id)
        token_id = store.insert_token(
            conn,
            account_id,
            name=name,
            secret_hash=_hash(value),
            scopes=sorted(set(scopes)),
            now=now,
        )
    created = Token(account_id, token_id, name, frozenset(scopes), to_datetime(now), None)
    return created, value


def ensure_admin_token(database: Database, value: str, *, name: str = "admin") -> Token:
    """The default account's token with exactly this value and every scope, created when
    missing. The value is either `lia_1_{secret}` or any 20 to 200 letters, digits, - or _."""
    if _account_of(value) != DEFAULT_ACCOUNT_ID or not _ADMIN_VALUE.match(value):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            "LIAISON_ADMIN_TOKEN must be 20 to 200 letters, digits, '-' or '_', "
            f"or a token of the default account (lia_{DEFAULT_ACCOUNT_ID}_...).",
        )
    found = authenticate(database, value)
    if found is not None:
        return found
    token, _ = create_token(
        database, DEFAULT_ACCOUNT_ID, name=name, scopes=list(scope_names.ALL_SCOPES), value=value
    )
    return token


def authenticate(database: Database, value: str) -> Token | None:
    """The active token with this value, or None."""
    with database.engine.connect() as conn:
        row = store.find_by_hash(conn, _account_of(value), _hash(value))
    return None if row is None else _token(row)


def list_tokens(database: Database, account_id: int) -> list[Token]:
    with database.engine.connect() as conn:
        accounts.require(conn, account_id)
        return [_token(row) for row in store.list_tokens(conn, account_id)]


def revoke_token(database: Database, account_id: int, token_id: int) -> None:
    with database.engine.begin() as conn:
        if not store.revoke(conn, account_id, token_id, now=now_micros()):
            raise LiaisonError(
                ErrorCode.TOKEN_NOT_FOUND,
                f"There is no active token with ID {token_id}.",
                tokenId=token_id,
            )


def _check_new(name: str, scopes: list[str]) -> None:
    if not name.strip() or len(name) > 200:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "A token needs a name of 1 to 200 characters.")
    if not scopes:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "A token needs at least one scope.")
    if unknown := scope_names.unknown(scopes):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Unknown scope {unknown[0]!r}; the scopes are {', '.join(scope_names.ALL_SCOPES)}.",
            scopes=unknown,
        )


def _account_of(value: str) -> int:
    """The account a token belongs to: named in our format, else the default account."""
    match = _FORMAT.match(value)
    return int(match.group(1)) if match else DEFAULT_ACCOUNT_ID


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _token(row: Row[Any]) -> Token:
    return Token(
        account_id=row.account_id,
        id=row.id,
        name=row.name,
        scopes=frozenset(row.scopes),
        created_at=to_datetime(row.created_at),
        revoked_at=None if row.revoked_at is None else to_datetime(row.revoked_at),
    )

"""Users of the web UI (S1): create, list, sign in. Passwords are kept as Argon2id hashes
(argon2-cffi's recommended parameters), never in clear."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage import accounts
from liaison.storage import users as store
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID
from liaison.storage.clock import now_micros, to_datetime

MIN_PASSWORD = 8
DEMO_EMAIL = "demo@liaison.example"
DEMO_PASSWORD = "liaison-demo"
DEMO_NAME = "Demo User"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_hasher = PasswordHasher()
_NOBODY = _hasher.hash("a password no one has")
"""Checked when the email is unknown, so a wrong email takes as long as a wrong password."""


@dataclass(frozen=True)
class User:
    account_id: int
    id: int
    email: str
    name: str | None
    is_admin: bool
    created_at: datetime

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def caller(self) -> Caller:
        """Changes made by this user are recorded with source USER and their name (H2)."""
        return Caller(self.account_id, Actor.user(str(self.id), self.display_name))


def create_user(
    database: Database,
    account_id: int,
    *,
    email: str,
    password: str,
    name: str | None = None,
    is_admin: bool = False,
) -> User:
    email = _check_new(email, password, name)
    with database.engine.begin() as conn:
        accounts.require(conn, account_id)
        if store.find_by_email(conn, account_id, email) is not None:
            raise LiaisonError(
                ErrorCode.INVALID_INPUT,
                f"Account {account_id} already has a user with the email {email}.",
                email=email,
            )
        user_id = store.insert_user(
            conn,
            account_id,
            email=email,
            name=name.strip() if name and name.strip() else None,
            password_hash=_hasher.hash(password),
            is_admin=is_admin,
            now=now_micros(),
        )
        row = store.find_by_id(conn, account_id, user_id)
    assert row is not None
    return _user(row)


def ensure_demo_user(database: Database) -> User:
    """The default account's demo user (an admin), created when missing."""
    with database.engine.connect() as conn:
        row = store.find_by_email(conn, DEFAULT_ACCOUNT_ID, DEMO_EMAIL)
    if row is not None:
        return _user(row)
    return create_user(
        database,
        DEFAULT_ACCOUNT_ID,
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        name=DEMO_NAME,
        is_admin=True,
    )


def sign_in(database: Database, account_id: int, email: str, password: str) -> User | None:
    """The user with this email and password in the account, or None."""
    with database.engine.connect() as conn:
        row = store.find_by_email(conn, account_id, email.strip().lower())
    try:
        _hasher.verify(row.password_hash if row is not None else _NOBODY, password)
    except (VerificationError, InvalidHashError):
        return None
    return None if row is None else _user(row)


def get_user(database: Database, account_id: int, user_id: int) -> User | None:
    with database.engine.connect() as conn:
        row = store.find_by_id(conn, account_id, user_id)
    return None if row is None else _user(row)


def list_users(database: Database, account_id: int) -> list[User]:
    with database.engine.connect() as conn:
        return [_user(row) for row in store.list_users(conn, account_id)]


def _check_new(email: str, password: str, name: str | None) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise LiaisonError(ErrorCode.INVALID_INPUT, f"{email!r} is not an email address.")
    if len(password) < MIN_PASSWORD:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT, f"A password needs at least {MIN_PASSWORD} characters."
        )
    if name is not None and len(name) > 200:
        raise LiaisonError(ErrorCode.INVALID_INPUT, "A name has at most 200 characters.")
    return email


def _user(row: Row[Any]) -> User:
    return User(
        account_id=row.account_id,
        id=row.id,
        email=row.email,
        name=row.name,
        is_admin=row.is_admin,
        created_at=to_datetime(row.created_at),
    )

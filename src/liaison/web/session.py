"""Who is signed in: the session (a signed, expiring cookie) names the user and account; every
page loads that user again, so a removed user is signed out at once."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from liaison.services import users
from liaison.services.database import Database
from liaison.services.users import User
from liaison.web import urls

_USER = "user"
_ACCOUNT = "account"


class SignInRequired(Exception):
    """Raised by pages when nobody is signed in: answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class AdminRequired(Exception):
    """Raised by the settings pages for a signed-in user who is not an admin: a 403 page."""


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def current_user(request: Request) -> User:
    """The signed-in user, or SignInRequired."""
    user_id, account_id = request.session.get(_USER), request.session.get(_ACCOUNT)
    user = None
    if isinstance(user_id, int) and isinstance(account_id, int):
        user = users.get_user(database_of(request), account_id, user_id)
    if user is None:
        request.session.clear()
        raise SignInRequired(request.url.path)
    return user


def current_admin(request: Request) -> User:
    """The signed-in user if an admin (settings pages), else AdminRequired."""
    user = current_user(request)
    if not user.is_admin:
        raise AdminRequired()
    return user


def remember(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({_USER: user.id, _ACCOUNT: user.account_id})


def forget(request: Request) -> None:
    request.session.clear()


def sign_in_url(next_path: str | None = None) -> str:
    if not next_path or not next_path.startswith(urls.PREFIX):
        return urls.SIGN_IN
    return f"{urls.SIGN_IN}?next={quote(next_path)}"


def safe_next(next_path: str | None) -> str:
    """Where to go after signing in: only a page of the UI (no open redirect)."""
    if next_path and next_path.startswith(urls.PREFIX + "/") and "//" not in next_path:
        return next_path
    return urls.home()


Db = Annotated[Database, Depends(database_of)]
SignedIn = Annotated[User, Depends(current_user)]
Admin = Annotated[User, Depends(current_admin)]

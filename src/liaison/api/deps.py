"""What every route gets: the database and the caller's token, with its scopes checked (S2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from liaison.api.errors import ApiError
from liaison.domain import scopes
from liaison.services import tokens
from liaison.services.database import Database
from liaison.services.unit import Caller

_bearer = HTTPBearer(auto_error=False, description="An API token: `liaison token create`.")


async def get_database(request: Request) -> Database:
    """The app's database (async: nothing to wait for, so no hop to a worker thread)."""
    database: Database = request.app.state.database
    return database


@dataclass(frozen=True)
class Access:
    """The authenticated token; `need` checks scopes and gives the caller for services."""

    token: tokens.Token

    def need(self, *wanted: str) -> Caller:
        """The caller, when the token has every wanted scope; else 403 naming the first missing."""
        for scope in wanted:
            if scope not in self.token.scopes:
                raise ApiError(
                    403,
                    f"This token lacks the scope {scope}; create a token with it "
                    f"(liaison token create --scopes {scope}).",
                    category="MISSING_SCOPES",
                    requiredGranularScopes=[scope],
                )
        return self.token.caller

    def read(self, *type_refs: str) -> Caller:
        """The caller, for reading records of these types."""
        return self.need(*(scopes.objects(t, write=False) for t in type_refs))

    def write(self, *type_refs: str) -> Caller:
        """The caller, for changing records (and their associations) of these types."""
        return self.need(*(scopes.objects(t, write=True) for t in type_refs))


def authenticate(
    database: Annotated[Database, Depends(get_database)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Access:
    if credentials is None:
        raise ApiError(
            401,
            "Authentication credentials not found: send an API token as "
            "'Authorization: Bearer <token>'.",
            category="INVALID_AUTHENTICATION",
        )
    token = tokens.authenticate(database, credentials.credentials)
    if token is None:
        raise ApiError(
            401,
            "The API token is not valid: it is unknown or revoked.",
            category="INVALID_AUTHENTICATION",
        )
    return Access(token)


Db = Annotated[Database, Depends(get_database)]
Auth = Annotated[Access, Depends(authenticate)]

"""What HubSpot's API lacks, under /liaison/v1: association history, restore, operations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from liaison.api.deps import Auth

router = APIRouter(tags=["Liaison extensions"])


@router.get("/whoami")
def whoami(access: Auth) -> dict[str, Any]:
    """The token making the request: its account, name and scopes."""
    token = access.token
    return {
        "accountId": token.account_id,
        "tokenId": token.id,
        "name": token.name,
        "scopes": sorted(token.scopes),
    }

"""v4 association limits (definition configurations): read, create, update, purge."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Association limits (v4)"])

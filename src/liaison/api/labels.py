"""v4 association labels of a pair of object types: list, create, rename, delete."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Association labels (v4)"])

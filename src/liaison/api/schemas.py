"""Custom object types (HubSpot's schemas API) and their association definitions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Schemas (v3)"])

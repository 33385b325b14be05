"""v3 objects: records of every type, by name or ID (HubSpot's CRM objects API)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["Objects (v3)"])

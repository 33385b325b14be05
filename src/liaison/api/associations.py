"""v4 associations: one record's associations, and batches between two object types."""

from __future__ import annotations

from fastapi import APIRouter

records_router = APIRouter(tags=["Associations (v4)"])
"""Paths under a record: `/{objectType}/{objectId}/associations/...`."""

batch_router = APIRouter(tags=["Associations (v4)"])
"""Paths between two types: `/{fromObjectType}/{toObjectType}/batch/...`."""

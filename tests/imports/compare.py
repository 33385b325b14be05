"""Comparing two accounts: the same records, associations, labels and primaries, whatever
their IDs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from liaison.services.database import Database
from liaison.storage import schemas
from liaison.storage.tables import association_history, association_labels, associations, records

Signature = tuple[str, tuple[tuple[str, Any], ...]]


def snapshot(database: Database, account_id: int) -> dict[str, Any]:
    """The account's live records by their properties, and each association (both directions)
    between them with its labels by name."""
    with database.engine.connect() as conn:
        schema = schemas.load(conn, account_id)
        rows = conn.execute(
            select(records.c.id, records.c.type_id, records.c.properties).where(
                records.c.account_id == account_id, records.c.archived.is_(False)
            )
        ).all()
        signature: dict[int, Signature] = {
            r.id: (r.type_id, tuple(sorted((k, v) for k, v in r.properties.items() if v)))
            for r in rows
        }
        labels: dict[tuple[int, int], set[str]] = {}
        for from_id, to_id, type_id in conn.execute(
            select(
                association_labels.c.from_id,
                association_labels.c.to_id,
                association_labels.c.type_id,
            ).where(association_labels.c.account_id == account_id)
        ):
            labels.setdefault((from_id, to_id), set()).add(str(schema.types[type_id].label))
        links = sorted(
            (signature[f], signature[t], tuple(sorted(labels.get((f, t), set()))))
            for f, t in conn.execute(
                select(associations.c.from_id, associations.c.to_id).where(
                    associations.c.account_id == account_id
                )
            )
        )
    return {"records": sorted(signature.values()), "associations": links}


def history_counts(database: Database, account_id: int) -> dict[str, int]:
    """How many history rows of each change the account has."""
    h = association_history.c
    with database.engine.connect() as conn:
        rows = conn.execute(
            select(h.change, func.count()).where(h.account_id == account_id).group_by(h.change)
        )
        return {str(change): int(count) for change, count in rows}

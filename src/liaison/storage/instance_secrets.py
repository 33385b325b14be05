"""Secrets of the installation (not of an account), by name."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from liaison.storage.tables import instance_secrets


def get_or_create(conn: Connection, name: str, new_value: str, *, now: int) -> str:
    """The secret named `name`; `new_value` is stored first when there is none. Two processes
    starting at once both end up with the value that was stored first."""
    found = conn.execute(
        select(instance_secrets.c.value).where(instance_secrets.c.name == name)
    ).scalar_one_or_none()
    if found is not None:
        return str(found)
    try:
        with conn.begin_nested():
            conn.execute(
                instance_secrets.insert().values(name=name, value=new_value, created_at=now)
            )
    except IntegrityError:
        pass
    return str(
        conn.execute(
            select(instance_secrets.c.value).where(instance_secrets.c.name == name)
        ).scalar_one()
    )

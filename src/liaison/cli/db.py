"""`liaison db …`: database maintenance."""

from __future__ import annotations

import click

from liaison.cli.options import console, database_option, describe, open_database


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@database_option
def upgrade(database_url: str | None) -> None:
    """Migrate the database to the latest schema (creates a SQLite file if missing)."""
    database = open_database(database_url)
    try:
        console().print(f"[green]✓[/] {describe(database)} is at the latest schema.")
    finally:
        database.close()

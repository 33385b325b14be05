"""`liaison demo`: load the demo data into an empty default account."""

from __future__ import annotations

import click
from rich.console import Console

from liaison.cli.options import console, database_option, open_database
from liaison.domain.errors import LiaisonError
from liaison.services.database import Database
from liaison.services.demo import load_demo


@click.command()
@database_option
def demo(database_url: str | None) -> None:
    """Load the demo data (companies, contacts, deals, tickets, notes) if the account is empty."""
    database = open_database(database_url)
    try:
        load_and_report(database, console())
    finally:
        database.close()


def load_and_report(database: Database, out: Console) -> None:
    try:
        with out.status("Loading the demo data…"):
            summary = load_demo(database)
    except LiaisonError as error:
        raise click.ClickException(f"{error.code.value}: {error.message}") from error
    if summary is None:
        out.print("The account already has records: demo data not loaded.")
        return
    counts = ", ".join(f"{n} {name}" for name, n in summary.records.items())
    out.print(f"[green]✓[/] Demo data loaded: {counts}; {summary.associations} associations.")

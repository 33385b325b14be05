"""`liaison check`: verify the whole database with the invariant checker."""

from __future__ import annotations

import click
from rich.markup import escape

from liaison.cli.options import console, database_option, describe, open_database
from liaison.services import invariants


@click.command()
@database_option
def check(database_url: str | None) -> None:
    """Check every account's associations, labels, limits and history; exit 1 on a problem."""
    database = open_database(database_url)
    out = console()
    try:
        with out.status(f"Checking {describe(database)}…"):
            problems = invariants.check(database)
    finally:
        database.close()
    for problem in problems:
        out.print(f"[red]✗[/] {escape(problem)}")
    if problems:
        out.print(f"[bold red]{len(problems)} problem{'s' if len(problems) != 1 else ''} found.")
        raise SystemExit(1)
    out.print("[green]✓[/] No problems found.")

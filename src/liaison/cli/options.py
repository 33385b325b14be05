"""What every command shares: the --database option, opening the database, the console."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.console import Console
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from liaison.services.database import Database
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID

F = TypeVar("F", bound=Callable[..., Any])
DATABASE_ENV = "LIAISON_DATABASE_URL"


def database_option(function: F) -> F:
    return click.option(
        "--database",
        "database_url",
        envvar=DATABASE_ENV,
        metavar="URL",
        help=f"Database URL (env {DATABASE_ENV}; default sqlite:///./liaison.db). "
        "PostgreSQL: postgresql://user@host/db.",
    )(function)


def console(*, stderr: bool = False) -> Console:
    """A console on the current stdout (or stderr) that never wraps long lines."""
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def open_database(url: str | None) -> Database:
    """Open the database and migrate it to the latest schema (a no-op when it is current)."""
    try:
        with console(stderr=True).status("Opening and migrating the database…"):
            return Database.open(url) if url else Database.open()
    except (ArgumentError, SQLAlchemyError) as error:
        shown = url or "sqlite:///./liaison.db"
        raise click.ClickException(f"Cannot open the database {shown}: {error}") from error


def describe(database: Database) -> str:
    """The database's URL without its password."""
    return database.engine.url.render_as_string(hide_password=True)


def account_option(what: str) -> Callable[[F], F]:
    """`--account ID` (default: the default account), for commands about `what` of an account."""

    def decorate(function: F) -> F:
        return click.option(
            "--account",
            "account_id",
            type=int,
            default=DEFAULT_ACCOUNT_ID,
            show_default=True,
            help=f"The account {what} belongs to.",
        )(function)

    return decorate

"""`liaison user …`: people who sign in to the web UI (S1)."""

from __future__ import annotations

import click
from rich.table import Table

from liaison.cli.options import account_option, console, database_option, open_database
from liaison.domain.errors import LiaisonError
from liaison.services import users

_account_option = account_option("the user")


@click.group()
def user() -> None:
    """Web UI users: create, list."""


@user.command()
@click.option("--email", required=True, help="Signs in with this email (unique per account).")
@click.option("--name", default=None, help="Shown in the UI and as the actor in history.")
@click.option("--admin", is_flag=True, help="May change settings (labels, limits, types).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 8 characters; asked twice when not given.",
)
@_account_option
@database_option
def create(
    email: str,
    name: str | None,
    admin: bool,
    password: str,
    account_id: int,
    database_url: str | None,
) -> None:
    """Create a user who signs in to the web UI with an email and password."""
    database = open_database(database_url)
    try:
        created = users.create_user(
            database, account_id, email=email, password=password, name=name, is_admin=admin
        )
    except LiaisonError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.close()
    role = "admin" if created.is_admin else "user"
    console().print(
        f"[green]✓[/] User {created.id} {created.email} ({role}) in account {account_id}."
    )


@user.command("list")
@_account_option
@database_option
def list_(account_id: int, database_url: str | None) -> None:
    """List the account's users (never their passwords)."""
    database = open_database(database_url)
    try:
        found = users.list_users(database, account_id)
    finally:
        database.close()
    table = Table("ID", "Email", "Name", "Admin", "Created")
    for u in found:
        table.add_row(
            str(u.id),
            u.email,
            u.name or "",
            "yes" if u.is_admin else "",
            u.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console().print(table if found else "No users yet: liaison user create --email E")

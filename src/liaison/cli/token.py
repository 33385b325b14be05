"""`liaison token …`: API tokens (S2). A new token's value is printed once, never again."""

from __future__ import annotations

import click
from rich.table import Table

from liaison.cli.options import account_option, console, database_option, open_database
from liaison.domain.errors import LiaisonError
from liaison.domain.scopes import ALL_SCOPES
from liaison.services import tokens

_account_option = account_option("the token")


@click.group()
def token() -> None:
    """API tokens: create, list, revoke."""


@token.command()
@click.option("--name", required=True, help="Shown as the actor in association history.")
@click.option(
    "--scopes",
    "scope_list",
    required=True,
    multiple=True,
    metavar="SCOPE…",
    help="Scopes, repeated or comma-separated, or 'all'. E.g. crm.objects.contacts.read.",
)
@_account_option
@database_option
def create(
    name: str, scope_list: tuple[str, ...], account_id: int, database_url: str | None
) -> None:
    """Create a token and print its value (shown only this once)."""
    wanted = [s.strip() for value in scope_list for s in value.split(",") if s.strip()]
    if wanted == ["all"]:
        wanted = list(ALL_SCOPES)
    database = open_database(database_url)
    try:
        created, value = tokens.create_token(database, account_id, name=name, scopes=wanted)
    except LiaisonError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.close()
    out = console()
    out.print(f"Token {created.id} '{created.name}' with {len(created.scopes)} scopes:")
    click.echo(value)
    out.print("[yellow]Copy it now: it is stored hashed and cannot be shown again.[/]")


@token.command("list")
@_account_option
@database_option
def list_(account_id: int, database_url: str | None) -> None:
    """List the account's tokens (never their values)."""
    database = open_database(database_url)
    try:
        found = tokens.list_tokens(database, account_id)
    finally:
        database.close()
    table = Table("ID", "Name", "Scopes", "Created", "Revoked")
    for t in found:
        revoked = t.revoked_at.strftime("%Y-%m-%d %H:%M") if t.revoked_at else ""
        table.add_row(
            str(t.id),
            t.name,
            ", ".join(sorted(t.scopes)),
            t.created_at.strftime("%Y-%m-%d %H:%M"),
            revoked,
        )
    console().print(table if found else "No tokens yet: liaison token create --name N --scopes S")


@token.command()
@click.argument("token_id", type=int)
@_account_option
@database_option
def revoke(token_id: int, account_id: int, database_url: str | None) -> None:
    """Revoke a token by its ID: requests with it get 401 from now on."""
    database = open_database(database_url)
    try:
        tokens.revoke_token(database, account_id, token_id)
    except LiaisonError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.close()
    console().print(f"[green]✓[/] Token {token_id} revoked.")

"""`liaison serve`: migrate, optionally load the demo data, and serve the app."""

from __future__ import annotations

import os

import click
import uvicorn

from liaison.api.app import create_app
from liaison.cli.demo import load_and_report
from liaison.cli.options import console, database_option, describe, open_database
from liaison.domain.errors import LiaisonError
from liaison.services import tokens, users
from liaison.services.job_runner import Runner

ADMIN_TOKEN_ENV = "LIAISON_ADMIN_TOKEN"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@database_option
@click.option(
    "--demo",
    is_flag=True,
    help="Load the demo data if the account is empty and make sure the demo user exists.",
)
def serve(host: str, port: int, database_url: str | None, demo: bool) -> None:
    """Migrate the database and serve the web app and API (docs at /docs).

    With LIAISON_ADMIN_TOKEN set, a token with that value and every scope exists for the
    default account. Jobs (bulk changes) run in a thread of this process; jobs left running
    by a process that died are resumed."""
    database = open_database(database_url)
    out = console()
    runner = Runner(database)
    try:
        if demo:
            load_and_report(database, out)
            demo_user = users.ensure_demo_user(database)
            out.print(
                f"Sign in at http://{host}:{port}/ as [bold]{demo_user.email}[/] "
                f"with the password [bold]{users.DEMO_PASSWORD}[/]"
            )
        if admin_token := os.environ.get(ADMIN_TOKEN_ENV):
            try:
                tokens.ensure_admin_token(database, admin_token)
            except LiaisonError as error:
                raise click.ClickException(error.message) from error
            out.print(f"API token from {ADMIN_TOKEN_ENV} is ready (every scope).")
        out.print(f"Liaison on [bold]http://{host}:{port}[/] with {describe(database)}")
        runner.start()
        uvicorn.run(create_app(database), host=host, port=port, log_level="info")
    finally:
        runner.stop()
        database.close()

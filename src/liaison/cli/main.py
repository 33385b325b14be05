"""The `liaison` command group; each command group lives in its own module."""

from __future__ import annotations

from typing import Any

import click

from liaison.cli.check import check
from liaison.cli.db import db
from liaison.cli.demo import demo
from liaison.cli.imports import export_command, import_command
from liaison.cli.serve import serve
from liaison.cli.token import token
from liaison.cli.user import user
from liaison.domain.errors import LiaisonError


class _Commands(click.Group):
    """A refusal any command did not word itself is shown as one line, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LiaisonError as error:
            raise click.ClickException(f"{error.code.value}: {error.message}") from error


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="liaison", prog_name="liaison")
def cli() -> None:
    """Liaison: a self-hosted CRM whose heart is associations."""


for command in (serve, db, check, demo, import_command, export_command, token, user):
    cli.add_command(command)

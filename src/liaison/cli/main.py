"""The `liaison` command group; each command group lives in its own module."""

from __future__ import annotations

import click

from liaison.cli.check import check
from liaison.cli.db import db
from liaison.cli.demo import demo
from liaison.cli.imports import export_command, import_command
from liaison.cli.serve import serve
from liaison.cli.token import token
from liaison.cli.user import user


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="liaison", prog_name="liaison")
def cli() -> None:
    """Liaison: a self-hosted CRM whose heart is associations."""


for command in (serve, db, check, demo, import_command, export_command, token, user):
    cli.add_command(command)

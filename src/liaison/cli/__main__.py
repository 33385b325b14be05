"""`python -m liaison.cli` runs the `liaison` command."""

from liaison.cli.main import cli

cli(prog_name="liaison")

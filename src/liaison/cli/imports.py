"""`liaison import` and `liaison export`: records with their associations, to and from CSV."""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from liaison.cli.options import account_option, console, database_option, open_database
from liaison.domain.errors import LiaisonError
from liaison.domain.history import Actor, ActorKind
from liaison.domain.import_mapping import Mode, RecordIds
from liaison.services import exports, imports
from liaison.services.browse import IndexQuery
from liaison.services.database import Database
from liaison.services.import_chunks import CHUNK_ROWS, Cursor
from liaison.services.import_files import read_rows
from liaison.services.imports import ImportFile, ImportInfo
from liaison.services.unit import Caller


def cli_caller(account_id: int) -> Caller:
    """Imports from the command line are recorded as made by the system user who ran them."""
    user = getpass.getuser()
    return Caller(account_id, Actor(ActorKind.IMPORT, f"cli:{user}", f"liaison import ({user})"))


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--object",
    "objects",
    multiple=True,
    required=True,
    help="The object type of the rows (repeat: one per file, in order, or several per row).",
)
@click.option("--mapping", "mapping_file", type=click.File(), help="Column mapping (JSON).")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in Mode]),
    help="Create or update (default), create only, or update only the main object's records.",
)
@click.option(
    "--record-ids",
    type=click.Choice([r.value for r in RecordIds]),
    help="'file': Record ID columns are keys of the files' own system (an export), not IDs "
    "of this account.",
)
@click.option("--dry-run", is_flag=True, help="Report what would happen, change nothing.")
@click.option("--resume", is_flag=True, help="Go on with the unfinished import of these files.")
@click.option(
    "--errors", "errors_path", type=click.Path(dir_okay=False), help="Where to write refused rows."
)
@click.option("--chunk-rows", type=click.IntRange(1, 50_000), default=CHUNK_ROWS, show_default=True)
@database_option
@account_option("the records are imported into")
def import_command(
    files: tuple[str, ...],
    objects: tuple[str, ...],
    mapping_file: Any,
    mode: str | None,
    record_ids: str | None,
    dry_run: bool,
    resume: bool,
    errors_path: str | None,
    chunk_rows: int,
    database_url: str | None,
    account_id: int,
) -> None:
    """Import records and their associations from CSV or XLSX FILES."""
    paths = [Path(f) for f in files]
    given = _mapping(mapping_file, mode, record_ids)
    out = console()
    database = open_database(database_url)
    caller = cli_caller(account_id)
    try:
        if dry_run:
            report = imports.dry_run(database, caller, _files(paths, objects), given)
            _print_summary(out, report, "Dry run: nothing was written.")
            for error in report.errors:
                out.print(f"  line {error['line']}: {error['code']}: {error['message']}")
            return
        started = _started(database, caller, paths, objects, given, resume)
        finished = _run(database, caller, started, paths, chunk_rows, out)
        _print_summary(out, finished, f"Import {finished.id} done.")
        _write_errors(database, caller, finished, paths, errors_path, out)
    except LiaisonError as error:
        raise click.ClickException(f"{error.code.value}: {error.message}") from error
    finally:
        database.close()


def _files(paths: Sequence[Path], objects: Sequence[str]) -> list[ImportFile]:
    """One object per file when as many are given; otherwise every file holds them all."""
    if len(paths) > 1 and len(objects) == len(paths):
        return [ImportFile(p.name, p, (o,)) for p, o in zip(paths, objects, strict=True)]
    return [ImportFile(p.name, p, tuple(objects)) for p in paths]


def _mapping(mapping_file: Any, mode: str | None, record_ids: str | None) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if mapping_file is not None:
        try:
            given = json.load(mapping_file)
        except json.JSONDecodeError as error:
            raise click.ClickException(f"The mapping is not valid JSON: {error}") from error
        if not isinstance(given, dict):
            raise click.ClickException("The mapping must be a JSON object.")
    if mode:
        given["mode"] = mode
    if record_ids:
        given["record_ids"] = record_ids
    return given


def _started(
    database: Database,
    caller: Caller,
    paths: Sequence[Path],
    objects: Sequence[str],
    given: Mapping[str, Any],
    resume: bool,
) -> ImportInfo:
    if not resume:
        return imports.start(database, caller, _files(paths, objects), given)
    found = imports.resumable(database, caller, paths)
    if found is None:
        raise click.ClickException("There is no unfinished import of these files to resume.")
    return found


def _run(
    database: Database,
    caller: Caller,
    started: ImportInfo,
    paths: Sequence[Path],
    chunk_rows: int,
    out: Console,
) -> ImportInfo:
    sizes = [sum(1 for _ in read_rows(p)) for p in paths]
    done_before = _rows_before(sizes, started.cursor)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[speed]} rows/s"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=out, transient=False) as bar:
        task = bar.add_task(
            f"Import {started.id}",
            total=started.passes * sum(sizes),
            completed=done_before,
            speed="-",
        )

        def moved(progress: imports.Progress) -> None:
            elapsed = bar.tasks[task].elapsed or 0
            speed = f"{progress.rows / elapsed:,.0f}" if elapsed else "-"
            label = ("records", "associations")[progress.phase - 1]
            label = label if started.passes == 2 else "records and associations"
            bar.update(
                task,
                completed=done_before + progress.rows,
                speed=speed,
                description=f"Import {started.id} ({label})",
            )

        return imports.run(database, caller, started.id, on_progress=moved, chunk_rows=chunk_rows)


def _rows_before(sizes: Sequence[int], cursor: Cursor) -> int:
    """Rows (of every phase) done before the cursor."""
    return (cursor.phase - 1) * sum(sizes) + sum(sizes[: cursor.file_index]) + cursor.rows_done


def _print_summary(out: Console, info: ImportInfo, title: str) -> None:
    out.print(f"[green]✓[/] {title}")
    for name, count in sorted(info.counts.items()):
        out.print(f"  {name}: {count}")


def _write_errors(
    database: Database,
    caller: Caller,
    info: ImportInfo,
    paths: Sequence[Path],
    errors_path: str | None,
    out: Console,
) -> None:
    if not info.counts.get("rows_refused"):
        return
    target = Path(errors_path) if errors_path else paths[0].with_suffix(".errors.csv")
    with target.open("w", encoding="utf-8", newline="") as stream:
        count = imports.write_errors(database, caller, info.id, stream)
    out.print(f"[yellow]![/] {count} refused rows written to {target}")


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.option("--object", "object_type", required=True, help="The object type to export.")
@click.option(
    "--associations",
    default="",
    help="Comma-separated object types whose associated records (keys, labels) to include.",
)
@click.option("--search", "query", default="", help="Only the records this text finds.")
@database_option
@account_option("the records belong to")
def export_command(
    file: str,
    object_type: str,
    associations: str,
    query: str,
    database_url: str | None,
    account_id: int,
) -> None:
    """Export records of one type, with their associations, to a CSV FILE."""
    targets = [t.strip() for t in associations.split(",") if t.strip()]
    database = open_database(database_url)
    caller = cli_caller(account_id)
    try:
        with Path(file).open("w", encoding="utf-8", newline="") as stream:
            count = exports.export_csv(
                database, caller, object_type, targets, stream, query=IndexQuery(query)
            )
    except LiaisonError as error:
        raise click.ClickException(f"{error.code.value}: {error.message}") from error
    finally:
        database.close()
    console().print(f"[green]✓[/] {count} records written to {file}")

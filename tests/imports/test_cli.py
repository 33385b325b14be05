"""`liaison import` and `liaison export` on the command line."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from liaison.cli.main import cli
from tests.imports.files import write_csv


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_import_dry_run_then_run_with_an_error_file_then_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    people = write_csv(
        tmp_path / "people.csv",
        [
            ["Email", "First name", "Company name", "Company domain", "Association label"],
            ["ann@acme.example", "Ann", "Acme", "acme.example", ""],
            ["oops", "Bob", "Acme", "acme.example", ""],
        ],
    )
    both = ("--object", "contacts", "--object", "companies", "--database", url)

    code, output = run("import", str(people), *both, "--dry-run")
    assert code == 0, output
    assert "Dry run" in output and "line 3: INVALID_PROPERTY" in output
    assert not (tmp_path / "people.errors.csv").exists()

    code, output = run("import", str(people), *both)
    assert code == 0, output
    assert "contacts.created: 1" in output and "rows_refused: 1" in output
    with (tmp_path / "people.errors.csv").open() as errors:
        refused = list(csv.DictReader(errors))
    assert [(r["Line"], r["Error"], r["Email"]) for r in refused] == [
        ("3", "INVALID_PROPERTY", "oops")
    ]

    code, output = run("import", str(people), *both, "--resume")
    assert code == 1 and "no unfinished import" in output

    exported = tmp_path / "contacts.csv"
    code, output = run(
        "export", str(exported), "--object", "contacts", "--associations", "companies",
        "--database", url,
    )  # fmt: skip
    assert code == 0, output
    with exported.open() as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["email"], r["Associated companies"]) for r in rows] == [
        ("ann@acme.example", "2 (Primary)")
    ]


def test_import_refuses_a_bad_mapping_file_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    people = write_csv(tmp_path / "people.csv", [["Email"], ["ann@acme.example"]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text("{not json")
    code, output = run(
        "import", str(people), "--object", "contacts", "--mapping", str(mapping), "--database", url
    )
    assert code == 1 and "not valid JSON" in output
    mapping.write_text('{"files": [{"columns": {"Email": "contacts.nope"}}]}')
    code, output = run(
        "import", str(people), "--object", "contacts", "--mapping", str(mapping), "--database", url
    )
    assert code == 1 and "INVALID_INPUT" in output

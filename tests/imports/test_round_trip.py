"""Export the demo account, import it into an empty one: the same records, associations,
labels and primaries (issue 6)."""

from __future__ import annotations

from pathlib import Path

from liaison.domain.history import Actor, ActorKind
from liaison.domain.import_mapping import RecordIds
from liaison.services import exports, imports, labels
from liaison.services.browse import IndexQuery
from liaison.services.database import Database, create_account
from liaison.services.demo import demo_caller, load_demo
from liaison.services.imports import ImportFile
from liaison.services.unit import Caller
from tests.imports.compare import snapshot

# Each association exported once from one side (both sides would do too: A7).
EXPORTS = (
    ("companies", ("companies",)),
    ("contacts", ("companies", "contacts")),
    ("deals", ("companies", "contacts")),
    ("tickets", ("companies", "contacts", "deals")),
    ("notes", ("contacts", "companies", "deals", "tickets")),
)


def define_demo_labels(database: Database, caller: Caller) -> None:
    """Labels are the account's settings, not data: an import uses them, never makes them."""
    labels.create_label(database, caller, "contacts", "companies", label="Advisor")
    labels.create_label(
        database, caller, "contacts", "contacts", label="Manager", inverse_label="Employee"
    )
    labels.create_label(database, caller, "contacts", "contacts", label="Colleague")


def export_account(database: Database, caller: Caller, folder: Path) -> list[ImportFile]:
    files = []
    for object_type, targets in EXPORTS:
        path = folder / f"{object_type}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            exports.export_csv(database, caller, object_type, targets, out)
        files.append(ImportFile(path.name, path, (object_type,)))
    return files


def test_round_trip_of_the_demo_account(db: Database, tmp_path: Path) -> None:
    load_demo(db, demo_caller(1))
    files = export_account(db, demo_caller(1), tmp_path)
    target = create_account(db, name="Copy")
    caller = Caller(target, Actor(ActorKind.IMPORT, "test", "Round trip"))
    define_demo_labels(db, caller)

    started = imports.start(db, caller, files, {"record_ids": RecordIds.FILE.value})
    done = imports.run(db, caller, started.id)

    assert done.done
    assert done.counts.get("rows_refused", 0) == 0
    assert snapshot(db, target) == snapshot(db, 1)


def test_export_lists_the_primary_first_with_its_labels(db: Database) -> None:
    load_demo(db, demo_caller(1))
    rows = list(exports.export_rows(db, demo_caller(1), "contacts", ["companies"]))
    header, viktor = rows[0], next(r for r in rows if "Viktor" in r)
    assert header[0] == "Record ID" and header[-1] == "Associated companies"
    first, second = viktor[-1].split(" | ")
    assert first.endswith("(Primary)")
    assert "(" not in second


def test_export_finds_records_as_the_index_search_does(db: Database) -> None:
    load_demo(db, demo_caller(1))
    northwind = IndexQuery("northwind")
    rows = list(exports.export_rows(db, demo_caller(1), "companies", [], query=northwind))
    name = rows[0].index("name")
    assert sorted(r[name] for r in rows[1:]) == ["Northwind Labs", "Northwind Traders"]

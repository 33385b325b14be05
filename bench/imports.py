"""Import of a contacts + companies file with labels, next to the bare store loading the same
rows; and the import's peak memory at two file sizes (it must not grow with the file).

Each import runs in a child process of its own (`python -m bench.imports child …`): one timed,
two traced (tracemalloc) for the peak of the Python heap at two sizes; the floor runs in this
process on the same database.
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Column, MetaData, Table
from sqlalchemy.pool import NullPool

from bench.results import Result
from liaison.domain.history import Actor, ActorKind
from liaison.services import imports, labels
from liaison.services.database import Database, create_account
from liaison.services.import_chunks import CHUNK_ROWS
from liaison.services.imports import ImportFile
from liaison.services.unit import Caller
from liaison.storage.engine import create_engine
from liaison.storage.tables import association_labels, associations, records

ROWS = 100_000
SMALL = 20_000
COMPANY_EVERY = 10
"""One company per ten contacts."""
LABEL_EVERY = 7
"""Every seventh row labels the association Advisor, besides the automatic Primary."""
HEADER = ["Email", "First name", "Last name", "Company name", "Company domain", "Association label"]
GOAL = ">= 0.25"


def write_file(path: Path, rows: int) -> Path:
    companies = max(1, rows // COMPANY_EVERY)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            c = i % companies
            label = "Advisor" if i % LABEL_EVERY == 0 else ""
            writer.writerow(
                [f"p{i}@example.com", f"P{i}", "Bench", f"Co {c}", f"co{c}.example", label]
            )
    return path


def run(database: Database, url: str, *, store: str, scale: float, out: Console) -> list[Result]:
    """The import of ROWS (scaled) rows against the floor, and peak RSS at two sizes."""
    folder = Path(database.engine.url.database or "/tmp").parent if store == "sqlite" else None
    folder = folder or Path("/tmp")
    big, small = max(1000, int(ROWS * scale)), max(500, int(SMALL * scale))
    files = {n: write_file(folder / f"bench-import-{n}.csv", n) for n in (small, big)}
    # The floor runs right before and right after the timed import, and counts as their mean:
    # on a shared machine, speed drifts over the tens of seconds the children take.
    before = _floor(url, files[big])
    timed = _child(url, files[big], big)
    floor = (before + _floor(url, files[big])) / 2
    memory = {n: _child(url, files[n], n, traced=True) for n in (small, big)}
    rate = big / timed["seconds"]
    out.print(
        f"  import {big:,} rows: {timed['seconds']:.1f} s ({rate:,.0f} rows/s), floor "
        f"{floor:.2f} s; peak RSS {timed['rss_mb']:.0f} MB (with SQLite's page cache); "
        f"peak Python heap {memory[small]['heap_mb']:.1f} MB at {small:,} rows, "
        f"{memory[big]['heap_mb']:.1f} MB at {big:,}"
    )
    result = Result(
        f"import {big:,} contacts+companies rows with labels",
        store,
        float(f"{rate:.4g}"),
        float(f"{big / floor:.4g}"),
        "rows/s",
        rate / (big / floor),
        GOAL,
    )
    heap = Result(
        f"import peak Python heap, {big:,} rows vs {small:,} (MB)",
        store,
        memory[big]["heap_mb"],
        memory[small]["heap_mb"],
        "MB",
        memory[big]["heap_mb"] / memory[small]["heap_mb"],
        "<= 1.25",
    )
    return [result, heap]


def _child(url: str, path: Path, rows: int, *, traced: bool = False) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.imports", "child", url, str(path)]
    command += ["traced"] if traced else []
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the import of {rows:,} rows failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def child(url: str, path: Path, *, traced: bool = False) -> dict[str, float]:
    """Import the file into a new account (with the label defined); its time and peak RSS,
    and (`traced`, slower) the peak of the Python heap, which leaves out the database's own
    caches (SQLite keeps up to 64 MB of pages per connection, whatever the import does)."""
    database = Database.open(url)
    if traced:
        tracemalloc.start()
    try:
        account = create_account(database, name=f"bench {path.name}")
        caller = Caller(account, Actor(ActorKind.IMPORT, "bench", "Bench"))
        labels.create_label(database, caller, "contacts", "companies", label="Advisor")
        started = time.perf_counter()
        described = [ImportFile(path.name, path, ("contacts", "companies"))]
        begun = imports.start(database, caller, described)
        done = imports.run(database, caller, begun.id)
        seconds = time.perf_counter() - started
        assert done.done and not done.counts.get("rows_refused"), done.counts
    finally:
        database.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    heap_mb = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    return {"seconds": seconds, "rss_mb": rss_mb, "heap_mb": heap_mb}


# -- the floor -------------------------------------------------------------------------------------
_metadata = MetaData()


def _like(name: str, table: Table) -> Table:
    columns = [
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in table.columns
    ]
    return Table(name, _metadata, *columns, **table.dialect_kwargs)


bare_records = _like("bare_import_records", records)
bare_links = _like("bare_import_associations", associations)
bare_labels = _like("bare_import_labels", association_labels)


def _floor(url: str, path: Path) -> float:
    """The bare store loading the same rows: read the file, insert each new company, each
    contact, both direction rows of each association and its label rows (Primary, Advisor),
    plain `executemany` in one transaction per chunk of rows as Liaison's (CHUNK_ROWS). No
    rules, no history, no lookups."""
    engine = create_engine(url, poolclass=NullPool)
    _metadata.drop_all(engine)
    _metadata.create_all(engine)
    connection = engine.raw_connection()
    postgres = engine.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    sql = {
        t.name: f"INSERT INTO {t.name} ({', '.join(c.name for c in t.columns)}) "
        f"VALUES ({', '.join(mark for _ in t.columns)})"
        for t in (bare_records, bare_links, bare_labels)
    }
    cursor = connection.cursor()
    started = time.perf_counter()
    for batch in _floor_batches(path):
        if not postgres:
            cursor.execute("BEGIN")
        for name, rows in batch.items():
            if rows:
                cursor.executemany(sql[name], rows)
        if postgres:
            connection.commit()
        else:
            cursor.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    _metadata.drop_all(engine)
    engine.dispose()
    return seconds


def _floor_batches(
    path: Path, size: int = CHUNK_ROWS
) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    companies: dict[str, int] = {}
    next_id = 1
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        batch: dict[str, list[tuple[Any, ...]]] = {
            "bare_import_records": [],
            "bare_import_associations": [],
            "bare_import_labels": [],
        }
        for count, (email, first, last, name, domain, label) in enumerate(reader, start=1):
            now = time.time_ns() // 1000
            if domain not in companies:
                companies[domain] = next_id
                batch["bare_import_records"].append(
                    _record(next_id, "0-2", {"name": name, "domain": domain}, name, now)
                )
                next_id += 1
            contact, company = next_id, companies[domain]
            next_id += 1
            batch["bare_import_records"].append(
                _record(contact, "0-1", {"email": email, "firstname": first, "lastname": last},
                        f"{first} {last}", now)
            )  # fmt: skip
            batch["bare_import_associations"] += [
                (1, contact, "0-2", company, now),
                (1, company, "0-1", contact, now),
            ]
            batch["bare_import_labels"].append((1, contact, "0-2", company, 1, True))
            if label:
                batch["bare_import_labels"].append((1, contact, "0-2", company, 999, False))
            if count % size == 0:
                yield batch
                batch = {name: [] for name in batch}
        yield batch


def _record(
    record_id: int, type_id: str, properties: dict[str, str], name: str, now: int
) -> tuple[Any, ...]:
    return (1, record_id, type_id, json.dumps(properties), name, now, now, False, None, None, None)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]), traced="traced" in sys.argv[4:])))

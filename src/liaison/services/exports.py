"""Export (issue 6): the records of one type, as an index page finds them, with their associated
records' IDs and labels, streamed page by page to CSV in the shape `liaison import` reads back.

Columns: `Record ID`, every property of the type (by internal name), then one `Associated
{type}` column per target type listing `ID (Label;Label)` entries separated by ` | `, exclusive
labels (Primary) first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import IO, Any

from liaison.domain.schema import Schema
from liaison.services import browse, import_files
from liaison.services.browse import IndexQuery
from liaison.services.database import Database
from liaison.services.import_rows import ENTRY_SEPARATOR, LABEL_SEPARATOR
from liaison.services.unit import Caller, reading
from liaison.storage import association_reads
from liaison.storage import browse as browse_store

PAGE = 500
_ALL = 2**31
RECORD_ID_HEADER = "Record ID"
EVERY_RECORD = IndexQuery()


def header_of(target_plural: str) -> str:
    return f"Associated {target_plural}"


def export_csv(
    database: Database,
    caller: Caller,
    object_type: str,
    associations: Sequence[str],
    out: IO[str],
    *,
    query: IndexQuery = EVERY_RECORD,
) -> int:
    """Write the CSV; return how many records it holds."""
    count = 0

    def counted() -> Iterator[list[str]]:
        nonlocal count
        for index, row in enumerate(
            export_rows(database, caller, object_type, associations, query=query)
        ):
            count = index
            yield row

    import_files.write_csv(out, counted())
    return count


def export_rows(
    database: Database,
    caller: Caller,
    object_type: str,
    associations: Sequence[str],
    *,
    query: IndexQuery = EVERY_RECORD,
) -> Iterator[list[str]]:
    """The header, then one row per live record an index view shows (`query`: its search and
    filters by association), oldest first, read PAGE records at a time."""
    with reading(database, caller) as unit:
        schema = unit.schema
        kind = schema.object_type(object_type)
        targets = [schema.object_type(t) for t in associations]
        for target in targets:
            schema.unlabeled_id(kind.id, target.id)  # refuses an undefined pair
        properties = list(kind.properties)
        yield [RECORD_ID_HEADER, *properties, *(header_of(t.name) for t in targets)]
        after: int | None = None
        matching, _ = browse.matching_of(unit, kind, query)
        while True:
            rows, _ = browse_store.page_by_id(
                unit.conn, matching, after=after, descending=False, limit=PAGE, cap=0
            )  # cap=0: the page's count is not needed, so it stops at the first record
            if not rows:
                return
            ids = [row[0] for row in rows]
            linked = [
                association_reads.of_records(unit.conn, unit.account_id, ids, t.id, cap=_ALL)
                for t in targets
            ]
            for record_id, _, values, *_ in rows:
                cells = [_text(values.get(p)) for p in properties]
                entries = [_entries(schema, found.get(record_id, [])) for found in linked]
                yield [str(record_id), *cells, *entries]
            after = ids[-1]


def _entries(schema: Schema, targets: list[tuple[int, list[int]]]) -> str:
    """`ID (Label;Label)` per associated record, exclusive labels (Primary) first."""
    described = []
    for to_id, type_ids in targets:
        types = [schema.types[t] for t in type_ids if t in schema.types]
        labels = LABEL_SEPARATOR.join(t.label for t in types if t.label)
        exclusive = any(t.exclusive for t in types)
        described.append((not exclusive, to_id, f"{to_id} ({labels})" if labels else str(to_id)))
    return f" {ENTRY_SEPARATOR} ".join(text for _, _, text in sorted(described))


def _text(value: Any) -> str:
    return "" if value is None else str(value)

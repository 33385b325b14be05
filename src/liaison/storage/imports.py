"""Imports (issue 6): the import row with its cursor, its refused rows, its record keys."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import orjson
from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    tuple_,
    update,
)

from liaison.storage import bulk, fetch
from liaison.storage.tables import (
    TextProperty,
    import_errors,
    import_keys,
    imports,
    operations,
    records,
)

RUNNING, DONE = "RUNNING", "DONE"
_ERRORS_PAGE = 1000


def insert_import(
    conn: Connection,
    account_id: int,
    import_id: int,
    *,
    files: list[dict[str, Any]],
    mapping: dict[str, Any],
    counts: dict[str, int],
    now: int,
) -> None:
    watermark = conn.execute(
        select(func.coalesce(func.max(records.c.id), 0)).where(records.c.account_id == account_id)
    ).scalar_one()
    conn.execute(
        insert(imports).values(
            account_id=account_id,
            id=import_id,
            files=files,
            mapping=mapping,
            state=RUNNING,
            phase=1,
            file_index=0,
            rows_done=0,
            counts=counts,
            watermark=watermark,
            created_at=now,
            updated_at=now,
        )
    )


def get(conn: Connection, account_id: int, import_id: int) -> Row[Any] | None:
    return conn.execute(
        select(imports).where(imports.c.account_id == account_id, imports.c.id == import_id)
    ).first()


def page(conn: Connection, account_id: int, *, after: int, limit: int) -> list[Row[Any]]:
    """Imports newest first, after the keyset cursor `after` (0: from the newest)."""
    conditions = [imports.c.account_id == account_id]
    if after:
        conditions.append(imports.c.id < after)
    statement = select(imports).where(*conditions).order_by(imports.c.id.desc()).limit(limit)
    return list(conn.execute(statement))


def latest_running(conn: Connection, account_id: int) -> list[Row[Any]]:
    statement = (
        select(imports)
        .where(imports.c.account_id == account_id, imports.c.state == RUNNING)
        .order_by(imports.c.id.desc())
    )
    return list(conn.execute(statement))


def move(
    conn: Connection,
    account_id: int,
    import_id: int,
    *,
    phase: int,
    file_index: int,
    rows_done: int,
    counts: dict[str, int],
    state: str,
    now: int,
) -> None:
    conn.execute(
        update(imports)
        .where(imports.c.account_id == account_id, imports.c.id == import_id)
        .values(
            phase=phase,
            file_index=file_index,
            rows_done=rows_done,
            counts=counts,
            state=state,
            updated_at=now,
        )
    )


def note_summary(conn: Connection, account_id: int, import_id: int, counts: dict[str, int]) -> None:
    """The finished import's counts, as its operation's summary (H6)."""
    conn.execute(
        update(operations)
        .where(operations.c.account_id == account_id, operations.c.id == import_id)
        .values(summary=counts)
    )


# -- refused rows --------------------------------------------------------------------------------
def add_errors(
    conn: Connection, account_id: int, import_id: int, errors: Sequence[dict[str, Any]]
) -> None:
    """Insert refused rows: dicts with file_index, line, phase, code, message, cells."""
    if errors:
        conn.execute(
            insert(import_errors),
            [{**e, "account_id": account_id, "import_id": import_id} for e in errors],
        )


def refused_lines(
    conn: Connection, account_id: int, import_id: int, file_index: int, first: int, last: int
) -> set[int]:
    """The lines of a file, between `first` and `last`, refused by an earlier phase."""
    statement = select(import_errors.c.line).where(
        import_errors.c.account_id == account_id,
        import_errors.c.import_id == import_id,
        import_errors.c.file_index == file_index,
        import_errors.c.line.between(first, last),
    )
    return set(conn.execute(statement).scalars())


def errors(conn: Connection, account_id: int, import_id: int) -> Iterator[Row[Any]]:
    """Every refused row, by file and line, read a page at a time (keyset)."""
    after = (-1, -1)
    while True:
        page = errors_page(conn, account_id, import_id, after=after, limit=_ERRORS_PAGE)
        yield from page
        if len(page) < _ERRORS_PAGE:
            return
        after = (page[-1].file_index, page[-1].line)


def errors_page(
    conn: Connection, account_id: int, import_id: int, *, after: tuple[int, int], limit: int
) -> list[Row[Any]]:
    """Refused rows after (file index, line), in that order."""
    e = import_errors.c
    statement = (
        select(import_errors)
        .where(
            e.account_id == account_id,
            e.import_id == import_id,
            tuple_(e.file_index, e.line) > after,
        )
        .order_by(e.file_index, e.line)
        .limit(limit)
    )
    return list(conn.execute(statement))


# -- record keys ---------------------------------------------------------------------------------
_FIND_KEYS_POSTGRESQL = (
    # A lateral subquery behind OFFSET 0 stays one primary-key lookup per key (see bulk.lookup).
    "SELECT w.type_id, w.key, k.record_id "
    "FROM unnest(%b::varchar[], %b::text[]) AS w(type_id, key) "
    "CROSS JOIN LATERAL (SELECT x.record_id FROM import_keys AS x "
    "WHERE x.account_id = %s AND x.import_id = %s AND x.type_id = w.type_id "
    "AND x.key = w.key OFFSET 0) AS k"
)
_FIND_KEYS_SQLITE = (
    # One statement per type: a flat JSON array of keys costs SQLite half what an array of
    # [type, key] pairs does, which it takes apart with two json_extract calls per key.
    "SELECT k.key, k.record_id FROM json_each(?) AS w CROSS JOIN import_keys AS k "
    "WHERE k.account_id = ? AND k.import_id = ? AND k.type_id = ? AND k.key = w.value"
)


def find_keys(
    conn: Connection, account_id: int, import_id: int, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """The records this import named by each (type ID, key) it has seen: one primary-key
    lookup per key, the keys sent as one parameter (arrays on PostgreSQL; on SQLite, a JSON
    array per type)."""
    wanted = set(keys)
    if not wanted:
        return {}
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:  # the driver's own rows: thousands a chunk, without per-row result objects
        if conn.dialect.name == "postgresql":
            types, names = [t for t, _ in wanted], [k for _, k in wanted]
            cursor.execute(_FIND_KEYS_POSTGRESQL, (types, names, account_id, import_id))
            return {(t, k): r for t, k, r in cursor.fetchall()}
        by_type: dict[str, list[str]] = {}
        for type_id, key in wanted:
            by_type.setdefault(type_id, []).append(key)
        found: dict[tuple[str, str], int] = {}
        for type_id, of_type in by_type.items():
            params = (bulk.json_text(of_type), account_id, import_id, type_id)
            cursor.execute(_FIND_KEYS_SQLITE, params)
            found.update(((type_id, k), r) for k, r in cursor.fetchall())
        return found
    finally:
        cursor.close()


def add_keys(
    conn: Connection, account_id: int, import_id: int, keys: dict[tuple[str, str], int]
) -> None:
    rows = [(t, k, r) for (t, k), r in keys.items()]
    same = {"account_id": account_id, "import_id": import_id}
    columns = ("type_id", "key", "record_id")
    bulk.insert(conn, import_keys, columns, rows, same=same)


def find_existing(
    conn: Connection,
    account_id: int,
    type_id: str,
    name: str,
    values: Iterable[str],
    *,
    up_to: int,
) -> dict[str, int]:
    """Live records of the type, made before the import (ID up to `up_to`), whose property
    `name` has one of `values`, compared lowercased: value -> the oldest such record. A
    contact's email and a company's domain are found by their indexes (`tables.CONTACT_EMAIL`,
    `tables.COMPANY_DOMAIN`): the property and the type are written into the statement."""
    if up_to == 0:  # the account had no record when the import started
        return {}
    wanted = sorted(set(values))
    if not wanted:
        return {}
    if not (_PROPERTY.fullmatch(name) and _TYPE_ID.fullmatch(type_id)):
        raise ValueError(f"not a property of a record type: {type_id} {name!r}")
    stored = func.lower(TextProperty(name))
    statement = (
        select(stored, records.c.id)
        .where(
            and_(
                records.c.account_id == account_id,
                records.c.type_id == literal_column(f"'{type_id}'"),
                records.c.archived.is_(False),
                records.c.id <= up_to,
                stored.in_(wanted),
            )
        )
        .order_by(records.c.id)
    )
    found: dict[str, int] = {}
    for value, record_id in conn.execute(statement):
        found.setdefault(value, record_id)
    return found


class Current(NamedTuple):
    """What an import reads of a record it matched."""

    properties: dict[str, Any]
    archived: bool
    name: str
    merged_into: int | None


def current(conn: Connection, account_id: int, ids: Iterable[int]) -> dict[int, Current]:
    """The properties and state of records, by ID: one statement, rows as the driver gives
    them (no per-row result objects: a chunk reads thousands)."""
    params = {"account": account_id, "ids": bulk.id_list(conn, ids)}
    rows = fetch.all_rows(conn, _CURRENT[conn.dialect.name], params)
    text = conn.dialect.name == "sqlite"  # JSON comes as text there
    loads, make = orjson.loads if text else _as_it_is, tuple.__new__
    return {
        i: make(Current, (loads(p), bool(archived), name, merged_into))
        for i, p, archived, name, merged_into in rows
    }


def _as_it_is(value: Any) -> Any:
    return value


_r = records.c
_CURRENT = {
    dialect: select(_r.id, _r.properties, _r.archived, _r.name, _r.merged_into).where(
        _r.account_id == bindparam("account"), bulk.listed(dialect, _r.id, "ids")
    )
    for dialect in ("sqlite", "postgresql")
}
_PROPERTY = re.compile(r"[a-z][a-z0-9_]*")
_TYPE_ID = re.compile(r"[0-9]+-[0-9]+")

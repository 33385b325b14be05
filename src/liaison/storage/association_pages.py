"""Pages of many records' associations at once, each record from its own cursor (batch read).

PostgreSQL: one statement, a LATERAL index range scan per record (the records and cursors sent
as two arrays), labels joined. SQLite: the one-record page of `storage.associations` per record,
in the same read transaction: in process, a statement is a function call, and SQLite has no
LATERAL. Either way a page costs the same whatever the record's total (A9).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from liaison.storage import associations

Page = list[tuple[int, list[int]]]
"""(to ID, label type IDs) per associated record, by to ID; the base type is implied."""

_PAGES = text(
    """
    SELECT r.ord, t.to_id, l.type_id
    FROM unnest(CAST(:records AS bigint[]), CAST(:afters AS bigint[]))
         WITH ORDINALITY AS r(record, after, ord)
    CROSS JOIN LATERAL (
        SELECT a.to_id FROM associations a
        WHERE a.account_id = :account AND a.from_id = r.record AND a.to_type = :to_type
          AND a.to_id > r.after
        ORDER BY a.to_id
        LIMIT :limit
    ) t
    LEFT JOIN association_labels l
      ON l.account_id = :account AND l.from_id = r.record AND l.to_type = :to_type
     AND l.to_id = t.to_id
    ORDER BY r.ord, t.to_id
    """
)


def pages(
    conn: Connection,
    account_id: int,
    requests: Sequence[tuple[int, int]],
    to_type: str,
    *,
    limit: int,
) -> list[Page]:
    """For each (record ID, after) in order, up to `limit` associations to `to_type`."""
    if conn.dialect.name != "postgresql":
        return [
            associations.page(conn, account_id, record, to_type, after=after, limit=limit)
            for record, after in requests
        ]
    found: list[dict[int, list[int]]] = [{} for _ in requests]
    params = {
        "records": [r for r, _ in requests],
        "afters": [a for _, a in requests],
        "account": account_id,
        "to_type": to_type,
        "limit": limit,
    }
    for ordinal, to_id, type_id in conn.execute(_PAGES, params):
        labels = found[ordinal - 1].setdefault(to_id, [])
        if type_id is not None:
            labels.append(type_id)
    return [list(page.items()) for page in found]

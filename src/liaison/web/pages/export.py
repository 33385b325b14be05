"""Export an index view to CSV (issue 6): the records its search and filters find, with one
column per association column shown (labels and the Primary included), in the shape
`liaison import` reads back. Streamed: memory stays flat however many records match."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from liaison.domain.object_types import COMPANIES
from liaison.services import exports
from liaison.web import index_params
from liaison.web.pages.panels import browsable_type
from liaison.web.session import Db, SignedIn

router = APIRouter()
ROWS_PER_WRITE = 500


@router.get("/{type_name}/export")
def export_view(
    request: Request, database: Db, user: SignedIn, type_name: str
) -> StreamingResponse:
    kind = browsable_type(database, user, type_name)
    params = index_params.parse(request.query_params)
    targets = list(params.columns.associations)
    if params.columns.primary_company and not {COMPANIES, "companies"} & set(targets):
        targets.append("companies")  # the Primary label shows which company is the primary
    rows = exports.export_rows(database, user.caller, kind.name, targets, query=params.query)
    first = next(rows)  # the header: refuses a bad view before the response starts
    name = f"{kind.name}-{date.today().isoformat()}.csv"
    return StreamingResponse(
        _csv([first], rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv(head: list[list[str]], rows: Iterator[list[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(head)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % ROWS_PER_WRITE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()

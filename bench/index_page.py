"""An index page with association columns (U4): 50 contacts with their Companies, Deals and
Tickets columns and the Primary company column, among `contacts` contacts with three
associations each (one company, which P3 makes primary, one deal, one ticket).

Liaison: `browse.index_page` (the page with its count in one statement, the association cells
with the primary companies in another); and again with all the web UI's route does for a
request of the page: the page from the service, what surrounds it (`index_context`: the
navigation's types, the links) and the template the request gets rendered as the response's
body, the whole page for a browser's request, the results alone for htmx's (the search box's).
The floor: one hand-written statement on the same tables fetching the same 50 rows (newest
first) with every associated record's name and whether it is the primary. Both must find the
same contacts and the same associated names before they are timed; each is then timed doing its
work alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from starlette.requests import Request

from bench import dataset
from bench.bare import BareStore
from bench.results import Result
from bench.timing import medians
from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS
from liaison.services import associations, browse, users
from liaison.services.associations import AssociationInput
from liaison.services.browse import IndexColumns, IndexPage
from liaison.services.database import Database
from liaison.services.unit import Caller, reading
from liaison.web.index_params import IndexParams
from liaison.web.pages import index
from liaison.web.templating import render

FULL_CONTACTS = 100_000
POOL_SHARE = 10
"""Each pool (companies, deals, tickets) has one record per this many contacts."""
PAGE = 50
GOAL = "<= 5"
MAX_SECONDS = 15.0
_BATCH = 6_000
_BROWSER = [(b"accept", b"text/html")]
_HTMX = [(b"hx-request", b"true"), (b"hx-target", b"results")]
"""The headers of a browser's request for the page (the whole page) and of htmx's (the search
box's: the results alone)."""
COLUMNS = IndexColumns(("companies", "deals", "tickets"), primary_company=True)
"""Four columns: three association columns and the Primary company column."""

_FLOOR = """
SELECT c.id, c.name, c.properties, c.created_at, t.name, l.type_id
FROM (
    SELECT id, name, properties, created_at FROM records
    WHERE account_id = ? AND type_id = ? AND archived = ? ORDER BY id DESC LIMIT ?
) c
LEFT JOIN associations a
    ON a.account_id = ? AND a.from_id = c.id AND a.to_type IN (?, ?, ?)
LEFT JOIN records t ON t.account_id = ? AND t.id = a.to_id
LEFT JOIN association_labels l
    ON l.account_id = ? AND l.from_id = c.id AND l.to_id = a.to_id AND l.type_id = ?
ORDER BY c.id DESC
"""


@dataclass(frozen=True)
class Sizes:
    contacts: int
    pool: int

    @classmethod
    def at_scale(cls, scale: float) -> Sizes:
        contacts = max(1_000, round(FULL_CONTACTS * scale))
        return cls(contacts, max(10, contacts // POOL_SHARE))

    @property
    def associations(self) -> int:
        return self.contacts * 3


def run(
    database: Database,
    caller: Caller,
    bare: BareStore,
    sizes: Sizes,
    *,
    store: str,
    repeat: int,
    out: Console,
) -> list[Result]:
    _fill(database, caller, sizes)
    bare.settle()
    bench = _Bench(database, caller, bare, store, repeat, out)
    name = (
        f"index page of {PAGE} of {sizes.contacts:,} contacts, 4 association columns "
        f"({sizes.associations:,} associations)"
    )
    return [
        bench.compare(name, bench.page),
        bench.compare(f"{name}, rendered as the whole page", bench.whole_page),
        bench.compare(f"{name}, rendered as htmx's results", bench.results),
    ]


def _fill(database: Database, caller: Caller, sizes: Sizes) -> None:
    """The pools, then the contacts, each associated with one company, deal and ticket, in
    service calls of `_BATCH` associations."""
    companies = dataset.companies(database, caller, sizes.pool)
    deals = dataset.create(
        database, caller, "deals", [{"dealname": f"Deal {i}"} for i in range(sizes.pool)]
    )
    tickets = dataset.create(
        database, caller, "tickets", [{"subject": f"Ticket {i}"} for i in range(sizes.pool)]
    )
    people = dataset.create(
        database,
        caller,
        "contacts",
        [{"firstname": "Person", "lastname": str(i)} for i in range(sizes.contacts)],
    )
    inputs = [
        AssociationInput(person, pool[(i * 7 + offset) % sizes.pool])
        for i, person in enumerate(people)
        for offset, pool in enumerate((companies, deals, tickets))
    ]
    for start in range(0, len(inputs), _BATCH):
        result = associations.associate(database, caller, inputs[start : start + _BATCH])
        if result.errors:
            raise RuntimeError(f"Liaison refused an association: {result.errors[0].error}")


class _Bench:
    def __init__(
        self,
        database: Database,
        caller: Caller,
        bare: BareStore,
        store: str,
        repeat: int,
        out: Console,
    ) -> None:
        self.database, self.caller, self.bare = database, caller, bare
        self.store, self.repeat, self.out = store, repeat, out
        self.user = users.ensure_demo_user(database)
        self.primary_type = _primary_type(database, caller)

    def page(self) -> IndexPage:
        return browse.index_page(self.database, self.caller, CONTACTS, limit=PAGE, columns=COLUMNS)

    def whole_page(self) -> _Response:
        return self.rendered(_BROWSER)

    def results(self) -> _Response:
        return self.rendered(_HTMX)

    def rendered(self, headers: list[tuple[bytes, bytes]]) -> _Response:
        """What the web UI's route does for a request of the page with these headers: the
        service's page, the rest of what the page shows (`index_context`), the template the
        request gets (`template_for`) rendered as the response's body."""
        request = Request({"type": "http", "method": "GET", "path": "/", "headers": headers})
        page = self.page()
        context = index.index_context(self.user, page, IndexParams(columns=COLUMNS), paged=False)
        return _Response(page, render(request, index.template_for(request), page=context).body)

    def floor(self) -> list[tuple[Any, ...]]:
        account = self.caller.account_id
        return self.bare.query(
            _FLOOR,
            (
                account,
                CONTACTS,
                False,
                PAGE,
                account,
                COMPANIES,
                DEALS,
                TICKETS,
                account,
                account,
                self.primary_type,
            ),
        )

    def compare(self, name: str, liaison: Callable[[], IndexPage | _Response]) -> Result:
        """Both sides must show the same rows; then each is timed doing its work alone (the
        comparison is not timed)."""
        if _shown(liaison()) != _found(self.floor()):
            raise RuntimeError(f"{name}: Liaison and the floor show different rows")
        liaison_time, floor_time, runs = medians(
            liaison, self.floor, repeat=self.repeat, max_seconds=MAX_SECONDS
        )
        self.out.print(
            f"  {self.store}: {name}: Liaison {liaison_time * 1e3:.3f} ms, "
            f"floor {floor_time * 1e3:.3f} ms (median of {runs})"
        )
        return Result.duration(name, self.store, liaison_time, floor_time, GOAL)


@dataclass(frozen=True)
class _Response:
    page: IndexPage
    body: bytes


Shown = list[tuple[int, frozenset[str]]]
"""Each row's ID with every associated name it shows (the primary company marked)."""


def _shown(result: IndexPage | _Response) -> Shown:
    page = result if isinstance(result, IndexPage) else result.page
    if isinstance(result, _Response) and result.body.count(b'<th scope="row">') != PAGE:
        raise RuntimeError("the rendered page does not show every row")
    shown = []
    for record in page.records:
        names: set[str] = set()
        for to_type in page.columns:
            names |= {r.name for r in page.cell(record.id, to_type).records}
        primary = page.primaries.get(record.id)
        if primary is not None:
            names.add(f"primary:{primary.name}")
        shown.append((record.id, frozenset(names)))
    return shown


def _found(rows: list[tuple[Any, ...]]) -> Shown:
    found: dict[int, set[str]] = {}
    for contact_id, _, _, _, name, primary in rows:
        names = found.setdefault(contact_id, set())
        if name is not None:
            names.add(name)
        if primary is not None:
            names.add(f"primary:{name}")
    return [(i, frozenset(n)) for i, n in found.items()]


def _primary_type(database: Database, caller: Caller) -> int:
    with reading(database, caller) as unit:
        primary = unit.schema.primary_id(CONTACTS)
    if primary is None:
        raise RuntimeError("contacts have no primary company type")
    return primary

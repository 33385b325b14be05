"""Reads of one record with many associations: pages of its associations and of its history.

The record is a company associated with `hot` deals (see dataset.hot_company). The floor gets
the very rows Liaison wrote; each read is then timed as the median of many interleaved
repetitions against the floor's single indexed read, after checking both return the same rows.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from bench import dataset
from bench.bare import BareStore
from bench.dataset import Layout
from bench.results import Result
from bench.timing import medians
from liaison.domain.object_types import DEALS
from liaison.services import associations, history
from liaison.services.database import Database
from liaison.services.unit import Caller

PAGE = 500
HISTORY_PAGE = 100
DEEP = 0.9
"""The deep history page starts after this share of the record's rows, newest first."""
GOAL = "<= 3"
MAX_SECONDS = 15.0
"""Per read: stop repeating after this long (but not before timing.MIN_REPEAT runs)."""
_NEWEST = 2**62


def run(
    database: Database,
    caller: Caller,
    bare: BareStore,
    layout: Layout,
    *,
    store: str,
    repeat: int,
    out: Console,
) -> list[Result]:
    company = dataset.hot_company(database, caller, layout)
    bare.copy_liaison_rows()
    bench = _Bench(database, caller, bare, company, layout.hot, store, repeat, out)
    return [*bench.association_pages(), *bench.history_pages()]


class _Bench:
    def __init__(
        self,
        database: Database,
        caller: Caller,
        bare: BareStore,
        company: int,
        total: int,
        store: str,
        repeat: int,
        out: Console,
    ) -> None:
        self.database, self.caller, self.bare = database, caller, bare
        self.account, self.company, self.total = caller.account_id, company, total
        self.store, self.repeat, self.out = store, repeat, out

    def association_pages(self) -> list[Result]:
        (last_after,) = self.bare.query(
            "SELECT to_id FROM bare_associations WHERE account_id = ? AND from_id = ? "
            "AND to_type = ? ORDER BY to_id LIMIT 1 OFFSET ?",
            (self.account, self.company, DEALS, self.total - PAGE - 1),
        )[0]
        return [
            self._compare(
                f"page of {PAGE} of {self.total:,} associations: {which}",
                lambda after=after: self._liaison_page(after),
                lambda after=after: self.bare.page(self.account, self.company, DEALS, after, PAGE),
            )
            for which, after in (("first", 0), ("last", last_after))
        ]

    def history_pages(self) -> list[Result]:
        (count,) = self.bare.query(
            "SELECT count(*) FROM bare_history WHERE account_id = ? AND to_id = ?",
            (self.account, self.company),
        )[0]
        if count != self.total:
            raise RuntimeError(f"the company has {count:,} history rows, not {self.total:,}")
        skip = round(self.total * DEEP)
        (deep_before,) = self.bare.query(
            "SELECT id FROM bare_history WHERE account_id = ? AND to_id = ? "
            "ORDER BY id DESC LIMIT 1 OFFSET ?",
            (self.account, self.company, skip - 1),
        )[0]
        return [
            self._compare(
                f"history page of {HISTORY_PAGE} of {self.total:,} rows: {which}",
                lambda before=before: self._liaison_history(before),
                lambda before=before: self._floor_history(before),
            )
            for which, before in (("first", None), (f"deep ({skip:,} rows in)", deep_before))
        ]

    def _liaison_page(self, after: int) -> list[int]:
        page = associations.list_associations(
            self.database, self.caller, "companies", self.company, "deals", after=after, limit=PAGE
        )
        return [view.to_id for view in page.results]

    def _liaison_history(self, before: int | None) -> list[int]:
        page = history.record_history(
            self.database, self.caller, "companies", self.company, before=before, limit=HISTORY_PAGE
        )
        return [entry.id for entry in page.entries]

    def _floor_history(self, before: int | None) -> list[int]:
        rows = self.bare.history(self.account, self.company, before or _NEWEST, HISTORY_PAGE)
        return [row[1] for row in rows]  # the id column

    def _compare(
        self, name: str, liaison: Callable[[], list[int]], floor: Callable[[], list[int]]
    ) -> Result:
        mine, bare = liaison(), floor()
        if mine != bare:
            raise RuntimeError(
                f"{name}: Liaison returned {len(mine)} rows, the floor {len(bare)}; they differ"
            )
        liaison_time, floor_time, runs = medians(
            liaison, floor, repeat=self.repeat, max_seconds=MAX_SECONDS
        )
        self.out.print(
            f"  {self.store}: {name}: Liaison {liaison_time * 1e3:.3f} ms, "
            f"floor {floor_time * 1e3:.3f} ms (median of {runs})"
        )
        return Result.duration(name, self.store, liaison_time, floor_time, GOAL)

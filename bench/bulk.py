"""Bulk associate: contact-company pairs in batches of 2,000, one transaction per batch.

Liaison goes through `associations.associate` (all rules, both direction rows, labels, the
operation and its history rows); the floor inserts the two direction rows of each pair into
`bare_associations` with one executemany. Batches alternate between the two sides (and which
side goes first), so a slow moment of the machine falls on both. When the run passes its time
budget it stops after the current batch and says so: the figures then cover the pairs done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from bench import dataset
from bench.bare import BareStore
from bench.dataset import BATCH_PAIRS, Layout, Pair
from bench.results import Result
from bench.timing import both
from liaison.domain.object_types import COMPANIES, CONTACTS
from liaison.services import associations
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage.clock import now_micros

GOAL = ">= 0.35"


@dataclass
class _Tally:
    pairs: int = 0
    liaison: float = 0.0
    floor: float = 0.0

    def add(self, pairs: int, took: tuple[float, float]) -> None:
        self.pairs += pairs
        self.liaison += took[0]
        self.floor += took[1]

    def rates(self) -> str:
        liaison, floor = self.pairs / self.liaison, self.pairs / self.floor
        return f"Liaison {liaison:>9,.0f}/s  floor {floor:>9,.0f}/s"


def run(
    database: Database,
    caller: Caller,
    bare: BareStore,
    layout: Layout,
    *,
    store: str,
    budget: float | None,
    out: Console,
) -> Result:
    started = time.perf_counter()
    pool = dataset.companies(database, caller, layout.pool)
    tally = _Tally()
    for turn, batch in enumerate(dataset.bulk_batches(database, caller, layout, pool)):
        liaison = liaison_batch(database, caller, batch)
        floor = floor_batch(bare, caller.account_id, batch)
        tally.add(len(batch), both(liaison, floor, turn))
        out_of_time = budget is not None and time.perf_counter() - started > budget
        if tally.pairs % max(layout.pairs // 10, BATCH_PAIRS) == 0 or out_of_time:
            out.print(f"  {store}: {tally.pairs:>9,} / {layout.pairs:,} pairs  {tally.rates()}")
        if out_of_time and tally.pairs < layout.pairs:
            out.print(
                f"[bold yellow]  {store}: time budget of {budget:,.0f} s spent: "
                f"stopping after {tally.pairs:,} of {layout.pairs:,} pairs[/bold yellow]"
            )
            break
    return Result.throughput(
        _name(tally.pairs, layout.pairs),
        store,
        tally.pairs / tally.liaison,
        tally.pairs / tally.floor,
        GOAL,
    )


def _name(done: int, total: int) -> str:
    if done == total:
        return f"bulk associate {total:,} pairs, batches of {BATCH_PAIRS:,}"
    return f"bulk associate {done:,} pairs (of {total:,}: time budget), batches of {BATCH_PAIRS:,}"


def liaison_batch(database: Database, caller: Caller, batch: list[Pair]) -> Callable[[], Any]:
    inputs = [AssociationInput(contact, company) for contact, company in batch]

    def associate() -> None:
        result = associations.associate(database, caller, inputs)
        if result.errors:
            raise RuntimeError(f"Liaison refused part of a batch: {result.errors[0].error}")

    return associate


def floor_batch(bare: BareStore, account: int, batch: list[Pair]) -> Callable[[], Any]:
    now = now_micros()
    rows = [
        row
        for contact, company in batch
        for row in (
            (account, contact, COMPANIES, company, now),
            (account, company, CONTACTS, contact, now),
        )
    ]
    return lambda: bare.insert(rows)

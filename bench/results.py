"""Benchmark figures: the table printed at the end and `bench/results.json`."""

from __future__ import annotations

import json
import operator
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).parent / "results.json"
_OPERATORS = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Result:
    name: str
    store: str
    liaison: float
    floor: float
    unit: str
    ratio: float
    goal: str
    """An operator and a number, such as ">= 0.35" or "<= 3" for the ratio; a number with a
    unit, such as ">= 50000/s", is a goal for Liaison's own figure."""

    @classmethod
    def throughput(
        cls, name: str, store: str, liaison: float, floor: float, goal: str, unit: str = "pairs/s"
    ) -> Result:
        """Per second figures: the ratio is Liaison's throughput over the floor's."""
        return cls(name, store, _round(liaison), _round(floor), unit, liaison / floor, goal)

    @classmethod
    def duration(cls, name: str, store: str, liaison: float, floor: float, goal: str) -> Result:
        """Times in seconds, kept in ms: the ratio is Liaison's time over the floor's."""
        ms = 1000.0
        return cls(
            name, store, _round(liaison * ms), _round(floor * ms), "ms", liaison / floor, goal
        )

    @property
    def met(self) -> bool:
        symbol, _, bound = self.goal.partition(" ")
        if bound.endswith("/s"):
            return bool(_OPERATORS[symbol](self.liaison, float(bound.removesuffix("/s"))))
        return bool(_OPERATORS[symbol](round(self.ratio, 3), float(bound)))

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ratio": round(self.ratio, 3)}


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def print_table(results: list[Result], console: Console) -> None:
    table = Table(title="Liaison against the bare store (same run, same database)")
    for column in ("benchmark", "store", "Liaison", "floor", "unit", "ratio", "goal", ""):
        table.add_column(column, justify="left" if column in ("benchmark", "store") else "right")
    for r in results:
        table.add_row(
            r.name,
            r.store,
            f"{r.liaison:,.4g}" if r.unit == "ms" else f"{r.liaison:,.0f}",
            f"{r.floor:,.4g}" if r.unit == "ms" else f"{r.floor:,.0f}",
            r.unit,
            f"{r.ratio:.3f}",
            r.goal,
            "[green]ok[/green]" if r.met else "[bold red]MISSED[/bold red]",
        )
    console.print(table)


def save(results: list[Result], path: Path = RESULTS) -> None:
    """Add this run's rows to the file, replacing earlier rows of the same name and store."""
    fresh = {(r.name, r.store): r.as_json() for r in results}
    kept = [
        row
        for row in (json.loads(path.read_text()) if path.exists() else [])
        if (row["name"], row["store"]) not in fresh
    ]
    path.write_text(json.dumps([*kept, *fresh.values()], indent=2) + "\n")

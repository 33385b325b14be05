"""`python -m bench`: run every benchmark on each store, print the table, save the figures.

Exits non-zero when a ratio misses its goal. A PostgreSQL server that cannot be reached is
skipped with a loud message (a failure when LIAISON_REQUIRE_ALL=1).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from bench import bulk, domain_run, http, index_page, reads, stores
from bench import imports as import_bench
from bench.bare import BareStore
from bench.dataset import Layout
from bench.results import RESULTS, Result, print_table, save
from liaison.domain.history import Actor
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage.accounts import DEFAULT_ACCOUNT_ID

STORES = ("sqlite", "postgres")
BENCHMARKS = ("reads", "bulk", "http", "imports", "index", "domain")
CALLER = Caller(DEFAULT_ACCOUNT_ID, Actor.user("bench", "Bench"))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--store", choices=STORES, action="append", help="run on this store only (repeatable)"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="data size; 1.0 = the sizes in the goals"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=150.0,
        help="seconds the bulk benchmark may take per store before it stops early; 0 = no limit",
    )
    parser.add_argument(
        "--repeat", type=int, default=101, help="runs of each read (the median is kept)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("LIAISON_BENCH_POSTGRES_URL", stores.DEFAULT_POSTGRES_URL),
        help=f"an admin URL; the run creates and drops the database {stores.BENCH_DATABASE}",
    )
    parser.add_argument(
        "--only", choices=BENCHMARKS, action="append", help="run this benchmark only (repeatable)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON file to add to")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    out = Console(width=max(Console().width, 132))
    layout = Layout.at_scale(args.scale)
    out.print(
        f"[bold]Liaison benchmarks[/bold]: bulk {layout.pairs:,} pairs ({layout.contacts:,} "
        f"contacts, {layout.pool:,} companies); reads of a company with {layout.hot:,} deals"
    )
    results: list[Result] = []
    skipped: list[str] = []
    for store in args.store or STORES:
        problem = stores.unreachable(args.postgres_url) if store == "postgres" else None
        if problem is not None:
            out.print(
                f"[bold red]SKIPPED LOUDLY: PostgreSQL at {args.postgres_url} is unreachable "
                f"({problem}); no PostgreSQL figures in this run.[/bold red]"
            )
            skipped.append(store)
            continue
        results += run_store(store, layout, args, out)
    print_table(results, out)
    save(results, args.results)
    out.print(f"Figures added to {args.results}")
    return _verdict(results, skipped, out)


def run_store(store: str, layout: Layout, args: argparse.Namespace, out: Console) -> list[Result]:
    """Each benchmark asked for, on a database of its own (see bench/README.md for why)."""
    started = time.perf_counter()
    chosen = set(args.only or BENCHMARKS)
    results: list[Result] = []
    if "reads" in chosen:
        out.print(f"[bold]{store}[/bold]: reads")
        with _opened(store, args.postgres_url) as (database, bare):
            results += reads.run(
                database, CALLER, bare, layout, store=store, repeat=args.repeat, out=out
            )
    if "bulk" in chosen:
        out.print(f"[bold]{store}[/bold]: bulk associate")
        with _opened(store, args.postgres_url) as (database, bare):
            budget = args.budget or None
            results.insert(
                0, bulk.run(database, CALLER, bare, layout, store=store, budget=budget, out=out)
            )
    if "imports" in chosen:
        out.print(f"[bold]{store}[/bold]: import")
        with _opened(store, args.postgres_url) as (database, _):
            url = database.engine.url.render_as_string(hide_password=False)
            results += import_bench.run(database, url, store=store, scale=args.scale, out=out)
    if store == "sqlite" and "http" in chosen:
        out.print(f"[bold]{store}[/bold]: batch create over HTTP")
        with _opened(store, args.postgres_url) as (database, bare):
            url = database.engine.url.render_as_string(hide_password=False)
            results += http.run(database, url, CALLER, bare, layout, store=store, out=out)
    if "index" in chosen:
        sizes = index_page.Sizes.at_scale(args.scale)
        out.print(
            f"[bold]{store}[/bold]: index page ({sizes.contacts:,} contacts, "
            f"{sizes.associations:,} associations)"
        )
        with _opened(store, args.postgres_url) as (database, bare):
            results += index_page.run(
                database, CALLER, bare, sizes, store=store, repeat=args.repeat, out=out
            )
    if "domain" in chosen:
        domain_sizes = domain_run.Sizes.at_scale(args.scale)
        out.print(
            f"[bold]{store}[/bold]: domain run ({domain_sizes.contacts:,} contacts, "
            f"{domain_sizes.companies:,} companies)"
        )
        with _opened(store, args.postgres_url) as (database, bare):
            results += domain_run.run(database, CALLER, bare, domain_sizes, store=store, out=out)
    out.print(f"[bold]{store}[/bold]: done in {time.perf_counter() - started:,.0f} s")
    return results


@contextmanager
def _opened(store: str, postgres_url: str) -> Iterator[tuple[Database, BareStore]]:
    """Liaison (migrated, default account) and the bare store, on a fresh database."""
    with stores.fresh(store, postgres_url) as url:
        database = Database.open(url)
        bare = BareStore(url)
        try:
            yield database, bare
        finally:
            _close_all(bare.close, database.close)


def _close_all(*closers: Callable[[], None]) -> None:
    for close in closers:
        close()


def _verdict(results: list[Result], skipped: list[str], out: Console) -> int:
    missed = [r for r in results if not r.met]
    for r in missed:
        out.print(f"[bold red]MISSED[/bold red] {r.store}: {r.name}: {r.ratio:.3f}, goal {r.goal}")
    if skipped:
        out.print(f"[bold red]SKIPPED LOUDLY: no figures for {', '.join(skipped)}.[/bold red]")
        if os.environ.get("LIAISON_REQUIRE_ALL") == "1":
            return 1
    return 1 if missed else 0

"""Batch create of associations over HTTP: 2,000 inputs per request to a real `liaison serve`.

The server is a subprocess on loopback; this process is the client (one keep-alive connection,
request bodies built before timing). Three sides per turn, on one SQLite file, alternating who
goes first: a request to `POST /crm/v4/associations/contacts/companies/batch/create`, the engine
doing another batch of the same shape in process (`associations.associate`), and the bare store
inserting the request's pairs. The goal is on the HTTP figure itself (≥ 50,000 associations/s
on SQLite); its ratios to the bare store and to the engine are reported next to it.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from rich.console import Console

from bench import dataset
from bench.bare import BareStore
from bench.bulk import floor_batch, liaison_batch
from bench.dataset import BATCH_PAIRS, Layout, Pair
from bench.results import Result
from liaison.services.database import Database
from liaison.services.unit import Caller

GOAL = ">= 50000/s"
PATH = "/crm/v4/associations/contacts/companies/batch/create"
TOKEN = "liaison-bench-admin-token-0123456789"
REQUESTS = 100
"""Requests at scale 1: 200,000 associations over HTTP (and as many through the engine)."""


def run(
    database: Database,
    url: str,
    caller: Caller,
    bare: BareStore,
    layout: Layout,
    *,
    store: str,
    out: Console,
) -> list[Result]:
    requests = max(4, round(REQUESTS * layout.pairs / dataset.FULL_PAIRS))
    pool = dataset.companies(database, caller, layout.pool)
    batches = _batches(database, caller, pool, requests * 2)
    over_http, in_engine = batches[0::2], batches[1::2]
    timings = {"http": 0.0, "engine": 0.0, "floor": 0.0}
    with _served(url) as port:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for turn, (sent, engine) in enumerate(zip(over_http, in_engine, strict=True)):
            sides = {
                "http": _request(client, sent),
                "engine": liaison_batch(database, caller, engine),
                "floor": floor_batch(bare, caller.account_id, sent),
            }
            order = list(sides)[turn % 3 :] + list(sides)[: turn % 3]
            for side in order:
                timings[side] += _seconds(sides[side])
        client.close()
    pairs = requests * BATCH_PAIRS
    rate = {side: pairs / took for side, took in timings.items()}
    out.print(
        f"  {store}: HTTP {rate['http']:,.0f}/s  engine {rate['engine']:,.0f}/s  "
        f"floor {rate['floor']:,.0f}/s over {requests} requests of {BATCH_PAIRS:,}"
    )
    name = f"batch create over HTTP, {requests} requests of {BATCH_PAIRS:,} inputs"
    return [
        Result.throughput(name, store, rate["http"], rate["floor"], GOAL),
        Result.throughput(f"{name}, vs the engine", store, rate["http"], rate["engine"], ">= 0.5"),
    ]


def _batches(database: Database, caller: Caller, pool: list[int], count: int) -> list[list[Pair]]:
    layout = Layout(pairs=count * BATCH_PAIRS, hot=0, pool=len(pool))
    return list(dataset.bulk_batches(database, caller, layout, pool))


def _request(client: http.client.HTTPConnection, batch: list[Pair]) -> Callable[[], Any]:
    body = orjson.dumps(
        {
            "inputs": [
                {
                    "from": {"id": str(contact)},
                    "to": {"id": str(company)},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
                }
                for contact, company in batch
            ]
        }
    )
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def send() -> None:
        client.request("POST", PATH, body=body, headers=headers)
        response = client.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"HTTP {response.status}: {answer[:500]!r}")

    return send


def _seconds(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@contextmanager
def _served(url: str) -> Iterator[int]:
    """`liaison serve` on a free port of loopback, with the bench's admin token."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "LIAISON_ADMIN_TOKEN": TOKEN}
    command = [sys.executable, "-m", "liaison.cli", "serve", "--port", str(port), "--database", url]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait(f"http://127.0.0.1:{port}/health", server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait(health: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(health, timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                errors = server.stderr.read().decode() if server.stderr else ""
                raise RuntimeError(f"liaison serve did not start:\n{errors}") from None
            time.sleep(0.2)

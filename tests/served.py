"""A real `liaison serve` subprocess on a free port of loopback, for tests that need one."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(
    database_url: str, log_path: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve the database until the block ends; yield the base URL. The server's output goes
    to `log_path`, which must hold no traceback when it stops."""
    server, url = launch(database_url, log_path, *options, env=env)
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    text = log_path.read_text()
    assert "Traceback" not in text, f"the live server logged an error:\n{text}"


def launch(
    database_url: str, log_path: Path, *options: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `liaison serve` and wait until it answers: its process (the caller stops it) and
    base URL. Its output goes to `log_path`."""
    port = free_port()
    command = [sys.executable, "-m", "liaison.cli", "serve", "--port", str(port), *options]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*command, "--database", database_url],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    _wait_until_up(f"http://127.0.0.1:{port}/health", server, log_path)
    return server, f"http://127.0.0.1:{port}"


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):  # refused, reset, or timed out while busy
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"liaison serve did not answer:\n{log_path.read_text()}")
            time.sleep(0.2)

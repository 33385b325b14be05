"""Helpers of the browser tests: where screenshots go, which Chromium, signing in, waiting for
htmx."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from liaison.services import users

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("LIAISON_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "liaison-screenshots"
)
"""The README's screenshots are refreshed on demand (`LIAISON_SCREENSHOTS=1 make test`), so a
plain test run leaves the working tree clean."""
CHROMIUM = os.environ.get("LIAISON_CHROMIUM", "/usr/bin/chromium")


def sign_in(page: Any, url: str) -> None:
    """Sign in as the demo user from the home page; the contacts index opens."""
    page.goto(url + "/")
    assert "/app/signin" in page.url
    page.get_by_label("Email").fill(users.DEMO_EMAIL)
    page.get_by_label("Password").fill(users.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/app/contacts$"))


def card_item(page: Any, name: str, card: str = "companies") -> Any:
    """A sidebar card's entry for the record with this name (found by its link, not by the
    text of its menu, which may name other records)."""
    section = page.locator(f'section[data-type="{card}"]')
    return section.locator("li.assoc-item", has=page.get_by_role("link", name=name, exact=True))


_IDLE = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
_SETTLES = """() => {
    if (window.liaisonSettles === undefined) {
        window.liaisonSettles = 0;
        document.addEventListener("htmx:afterSettle", () => { window.liaisonSettles += 1; });
    }
    return window.liaisonSettles;
}"""


def settled(page: Any) -> None:
    """Wait until htmx has swapped and settled what it is fetching, so that the new content's
    triggers are bound (htmx binds them a moment after the swap) before the test acts on it.
    For content that came by itself (`hx-trigger="load"`, polling) and is already shown."""
    page.wait_for_function(f"() => {_IDLE}")


@contextlib.contextmanager
def swapping(page: Any) -> Iterator[None]:
    """Around an action that makes htmx fetch and swap content (a click, a typed search after
    its delay, a changed select): leave only once a swap has settled and htmx is idle. Acting
    on what a pending request is about to replace is what makes a browser test flaky."""
    before = page.evaluate(_SETTLES)
    yield
    page.wait_for_function(f"before => window.liaisonSettles > before && {_IDLE}", arg=before)

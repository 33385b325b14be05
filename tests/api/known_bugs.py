"""Server errors found in other routes by the generic API tests (authorization matrix, fuzzing),
listed so that those tests stay useful while the bug waits for its owner.

Each entry is one request body (and its variants with more fields). The fuzzer leaves those
requests out; the authorization matrix sends the body and checks that it still fails: when it
is fixed, it fails with "fixed: remove from known_bugs.py".
"""

from __future__ import annotations

from typing import Any

KNOWN_SERVER_ERRORS: dict[tuple[str, str], Any] = {}
"""(method, OpenAPI path) -> the JSON body that makes it answer 500."""


def is_known(method: str, template: str, body: Any) -> bool:
    """Whether this request is (a variant of) a known one: the known body's fields have the
    known values (other fields may be there too)."""
    known = KNOWN_SERVER_ERRORS.get((method, template))
    if not isinstance(known, dict) or not isinstance(body, dict):
        return False
    return all(body.get(key) == value for key, value in known.items())

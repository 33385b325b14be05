"""Where each page lives. The UI is mounted at PREFIX, clear of the API's paths."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote_plus

from liaison.domain.object_types import ObjectType

PREFIX = "/app"
SIGN_IN = f"{PREFIX}/signin"
SIGN_OUT = f"{PREFIX}/signout"
STATIC = f"{PREFIX}/static"


def index(
    object_type: ObjectType, pairs: Sequence[tuple[str, str]] = (), **query: str | int | None
) -> str:
    """The type's index page; `pairs` are parameters that may repeat (filters), in order."""
    return f"{PREFIX}/{object_type.name}" + _query(query, pairs)


def export(object_type: ObjectType, pairs: Sequence[tuple[str, str]] = ()) -> str:
    """The CSV of an index view (its search, filters and association columns)."""
    return f"{PREFIX}/{object_type.name}/export" + _query({}, pairs)


def cell(object_type: ObjectType, record_id: int, to_type: ObjectType) -> str:
    """The popup of an index page's association cell."""
    return f"{record(object_type, record_id)}/cell/{to_type.name}"


def filter_records(object_type: ObjectType) -> str:
    """The record picker of the "Associated with" filter of the type's index page."""
    return f"{PREFIX}/{object_type.name}/filters/records"


def filter_labels(object_type: ObjectType) -> str:
    """The label select of the "At least" filter of the type's index page."""
    return f"{PREFIX}/{object_type.name}/filters/labels"


def record(object_type: ObjectType, record_id: int) -> str:
    return f"{PREFIX}/{object_type.name}/{record_id}"


def association(object_type: ObjectType, record_id: int, to_id: int, action: str) -> str:
    return f"{record(object_type, record_id)}/associations/{to_id}/{action}"


def home() -> str:
    return f"{PREFIX}/"


def recycle_bin(object_type: ObjectType, **query: str | int | None) -> str:
    return f"{PREFIX}/{object_type.name}/recycle-bin" + _query(query)


def record_action(object_type: ObjectType, record_id: int, action: str) -> str:
    """A page acting on the whole record: `delete`, `merge`, `merge/{other}`."""
    return f"{record(object_type, record_id)}/{action}"


SETTINGS = f"{PREFIX}/settings"


def settings(page: str, **query: str | int | None) -> str:
    """A settings page (`labels`, `limits`, `types`, `types/{name}`…), with its query."""
    return f"{SETTINGS}/{page}" + _query(query)


def history(object_type: ObjectType, record_id: int, **query: str | int | None) -> str:
    """A record's association history (H3), `type=` the associated type shown."""
    return f"{record(object_type, record_id)}/history" + _query(query)


def pair_history(
    object_type: ObjectType,
    record_id: int,
    to_type: ObjectType,
    to_id: int,
    **query: str | int | None,
) -> str:
    """The history of one association (H4), seen from the record."""
    path = f"{record(object_type, record_id)}/history/{to_type.name}/{to_id}"
    return path + _query(query)


def _query(query: dict[str, str | int | None], pairs: Sequence[tuple[str, str]] = ()) -> str:
    """`?a=1&b=2` of `pairs` and the parameters that have a value, or nothing: what `urlencode`
    makes of them."""
    params = [*pairs, *((k, str(v)) for k, v in query.items() if v not in (None, ""))]
    if not params:
        return ""
    return "?" + "&".join([f"{_quoted(k)}={_quoted(v)}" for k, v in params])


_UNQUOTED = re.compile("[A-Za-z0-9_.~-]*")
"""What `quote_plus` leaves as it is."""


def _quoted(value: str) -> str:
    """`quote_plus(value)`; most parameters (names, sorts, IDs) need no quoting, which one match
    finds out at a fraction of its cost (an index page makes a dozen links)."""
    return value if _UNQUOTED.fullmatch(value) else quote_plus(value)

"""Where each page lives. The UI is mounted at PREFIX, clear of the API's paths."""

from __future__ import annotations

from urllib.parse import urlencode

from liaison.domain.object_types import ObjectType

PREFIX = "/app"
SIGN_IN = f"{PREFIX}/signin"
SIGN_OUT = f"{PREFIX}/signout"
STATIC = f"{PREFIX}/static"


def index(object_type: ObjectType, **query: str | int | None) -> str:
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{PREFIX}/{object_type.name}" + (f"?{urlencode(params)}" if params else "")


def record(object_type: ObjectType, record_id: int) -> str:
    return f"{PREFIX}/{object_type.name}/{record_id}"


def association(object_type: ObjectType, record_id: int, to_id: int, action: str) -> str:
    return f"{record(object_type, record_id)}/associations/{to_id}/{action}"


def home() -> str:
    return f"{PREFIX}/"


def recycle_bin(object_type: ObjectType, **query: str | int | None) -> str:
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{PREFIX}/{object_type.name}/recycle-bin" + (f"?{urlencode(params)}" if params else "")


def record_action(object_type: ObjectType, record_id: int, action: str) -> str:
    """A page acting on the whole record: `delete`, `merge`, `merge/{other}`."""
    return f"{record(object_type, record_id)}/{action}"

"""Association history: who changed which association, how, from where, in which operation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple


class Source(StrEnum):
    """Where a change came from (H2)."""

    USER = "USER"
    OBJECT_DELETION = "OBJECT_DELETION"
    OBJECT_MERGE = "OBJECT_MERGE"
    OBJECT_RESTORE = "OBJECT_RESTORE"
    IMPORT = "IMPORT"
    DOMAIN_AUTO = "DOMAIN_AUTO"
    API = "API"
    JOB = "JOB"
    MIGRATION = "MIGRATION"
    UNKNOWN = "UNKNOWN"


class Change(StrEnum):
    """What happened to an association (H1). Each is undone by its opposite."""

    CREATED = "CREATED"
    REMOVED = "REMOVED"
    LABEL_ADDED = "LABEL_ADDED"
    LABEL_REMOVED = "LABEL_REMOVED"
    PRIMARY_SET = "PRIMARY_SET"
    PRIMARY_REMOVED = "PRIMARY_REMOVED"

    @property
    def opposite(self) -> Change:
        return _OPPOSITES[self]


_OPPOSITES = {
    Change.CREATED: Change.REMOVED,
    Change.REMOVED: Change.CREATED,
    Change.LABEL_ADDED: Change.LABEL_REMOVED,
    Change.LABEL_REMOVED: Change.LABEL_ADDED,
    Change.PRIMARY_SET: Change.PRIMARY_REMOVED,
    Change.PRIMARY_REMOVED: Change.PRIMARY_SET,
}


class ActorKind(StrEnum):
    USER = "USER"
    API_TOKEN = "API_TOKEN"
    IMPORT = "IMPORT"
    JOB = "JOB"
    SYSTEM = "SYSTEM"


_DEFAULT_SOURCE = {
    ActorKind.USER: Source.USER,
    ActorKind.API_TOKEN: Source.API,
    ActorKind.IMPORT: Source.IMPORT,
    ActorKind.JOB: Source.JOB,
    ActorKind.SYSTEM: Source.UNKNOWN,
}


@dataclass(frozen=True)
class Actor:
    """Who asked for a change: every write carries one."""

    kind: ActorKind
    id: str
    name: str | None = None

    @property
    def source(self) -> Source:
        return _DEFAULT_SOURCE[self.kind]

    @classmethod
    def user(cls, user_id: str, name: str | None = None) -> Actor:
        return cls(ActorKind.USER, user_id, name)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(ActorKind.SYSTEM, name, name)


class HistoryEvent(NamedTuple):
    """One change of one association, as seen from `from_id` (the record the change was made on).

    `type_id` is directional (from `from_id` to `to_id`); for CREATED and REMOVED it is the
    pair's base (unlabeled) type. The inverse type and both labels are kept as they were, so an
    event reads the same from either record even after a label is renamed or deleted. A record's
    associations at any past moment are the replay of its events up to then; an operation is
    undone by applying its events' opposites in reverse order.
    """

    change: Change
    from_type: str
    from_id: int
    to_type: str
    to_id: int
    type_id: int
    label: str | None
    inverse_type_id: int
    inverse_label: str | None
    from_name: str | None
    to_name: str | None
    source: Source
    detail: dict[str, Any] | None = None


class HistoryEntry(NamedTuple):
    """A stored event, seen from one of its two records (the `record_id` side)."""

    id: int
    operation_id: int
    at: datetime
    change: Change
    record_type: str
    record_id: int
    other_type: str
    other_id: int
    other_name: str | None
    record_name: str | None
    type_id: int
    label: str | None
    source: Source
    actor_kind: ActorKind
    actor_id: str
    actor_name: str | None
    detail: dict[str, Any] | None

    @property
    def reason(self) -> str | None:
        """Why an automatic change was made, as the history shows it: "added by rule:
        contact's primary company" (T3), "added by domain: matched acme.com" (L4)."""
        reason = (self.detail or {}).get("reason")
        return reason if isinstance(reason, str) else None

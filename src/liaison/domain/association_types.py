"""Association types: the unlabeled base type, Primary, and labels, per direction (A2-A5, P1, P6).

A type is directional: it lives on the row from one record to another and has an inverse on the
row back. A label on the row from X to Y describes Y as seen from X: type 1 (contact to company)
means "this company is the contact's primary company". So if Ann is Bob's Manager, the row from
Bob to Ann carries Manager and the row from Ann to Bob carries its inverse, Employee (A4).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from liaison.domain.object_types import (
    ACTIVITY_TYPES,
    CALLS,
    COMPANIES,
    CONTACTS,
    DEALS,
    EMAILS,
    MEETINGS,
    NOTES,
    TASKS,
    TICKETS,
)

MAX_LABELS_PER_PAIR = 50
MAX_LIMIT = 10_000
FIRST_USER_TYPE_ID = 10_000
"""Labels and custom-object definitions get IDs from here up, clear of HubSpot's own IDs."""
_FIRST_LIAISON_BUILTIN_ID = 9_000
"""Built-in pairs HubSpot gives no ID (e.g. note to task) are numbered from here."""


class Category(StrEnum):
    HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
    USER_DEFINED = "USER_DEFINED"


class Kind(StrEnum):
    UNLABELED = "UNLABELED"
    PRIMARY = "PRIMARY"
    LABEL = "LABEL"


@dataclass(frozen=True)
class AssociationType:
    id: int
    category: Category
    from_type: str
    to_type: str
    kind: Kind
    label: str | None
    name: str
    inverse_id: int
    exclusive: bool = False
    """At most one association of this type per record on the from side (primary, P1, P6)."""
    builtin: bool = True


def _pair(
    from_type: str,
    to_type: str,
    forward: int,
    backward: int,
    *,
    kind: Kind = Kind.UNLABELED,
    label: str | None = None,
    inverse_label: str | None = None,
    exclusive: bool = False,
    category: Category = Category.HUBSPOT_DEFINED,
    name: str = "",
    builtin: bool = True,
) -> list[AssociationType]:
    """Both directions of one definition; a symmetric same-type pair is a single type."""
    first = AssociationType(
        forward,
        category,
        from_type,
        to_type,
        kind,
        label,
        name or f"{from_type}_to_{to_type}",
        backward,
        exclusive,
        builtin,
    )
    if forward == backward:
        return [first]
    second = AssociationType(
        backward,
        category,
        to_type,
        from_type,
        kind,
        label if inverse_label is None else inverse_label,
        name or f"{to_type}_to_{from_type}",
        forward,
        False,
        builtin,
    )
    return [first, second]


_CORE_UNLABELED = [
    (CONTACTS, COMPANIES, 279, 280),
    (CONTACTS, CONTACTS, 449, 449),
    (COMPANIES, COMPANIES, 450, 450),
    (CONTACTS, DEALS, 4, 3),
    (CONTACTS, TICKETS, 15, 16),
    (DEALS, COMPANIES, 341, 342),
    (TICKETS, COMPANIES, 339, 340),
    (DEALS, TICKETS, 27, 28),
    (DEALS, DEALS, 451, 451),
    (TICKETS, TICKETS, 452, 452),
]
_CORE_PRIMARY = [(CONTACTS, 1, 2), (DEALS, 5, 6), (TICKETS, 26, 25)]
_ACTIVITY_IDS = {  # activity: (contact, company, deal, ticket) as (core->activity, activity->core)
    CALLS: ((193, 194), (181, 182), (205, 206), (219, 220)),
    EMAILS: ((197, 198), (185, 186), (209, 210), (223, 224)),
    MEETINGS: ((199, 200), (187, 188), (211, 212), (225, 226)),
    NOTES: ((201, 202), (189, 190), (213, 214), (227, 228)),
    TASKS: ((203, 204), (191, 192), (215, 216), (229, 230)),
}
_ACTIVITY_PAIRS = {(CALLS, MEETINGS): (399, 400)}


def _builtin_types() -> list[AssociationType]:
    types: list[AssociationType] = []
    for from_type, to_type, forward, backward in _CORE_UNLABELED:
        types += _pair(from_type, to_type, forward, backward)
    for from_type, forward, backward in _CORE_PRIMARY:
        types += _pair(
            from_type,
            COMPANIES,
            forward,
            backward,
            kind=Kind.PRIMARY,
            label="Primary",
            exclusive=True,
            name=f"{from_type}_to_primary_company",
        )
    types += _pair(
        COMPANIES,
        COMPANIES,
        13,
        14,
        kind=Kind.LABEL,
        label="Child company",
        inverse_label="Parent company",
        name="parent_to_child_company",
    )
    for activity, ids in _ACTIVITY_IDS.items():
        for core, (forward, backward) in zip(
            (CONTACTS, COMPANIES, DEALS, TICKETS), ids, strict=True
        ):
            types += _pair(core, activity, forward, backward)
    next_id = itertools.count(_FIRST_LIAISON_BUILTIN_ID)
    for first, second in itertools.combinations_with_replacement(ACTIVITY_TYPES, 2):
        if (second, first) in _ACTIVITY_PAIRS:
            first, second = second, first
        forward, backward = _ACTIVITY_PAIRS.get((first, second), (0, 0))
        if not forward:
            forward = next(next_id)
            backward = forward if first == second else next(next_id)
        types += _pair(first, second, forward, backward)
    return types


BUILTIN_ASSOCIATION_TYPES: tuple[AssociationType, ...] = tuple(_builtin_types())


def user_defined_pair(
    *,
    from_type: str,
    to_type: str,
    forward: int,
    backward: int,
    kind: Kind,
    label: str | None,
    inverse_label: str | None,
    name: str,
    exclusive: bool,
) -> list[AssociationType]:
    """An account's own definition: a custom pair's base type, its Primary, or a label."""
    return _pair(
        from_type,
        to_type,
        forward,
        backward,
        kind=kind,
        label=label,
        inverse_label=inverse_label,
        exclusive=exclusive,
        category=Category.USER_DEFINED,
        name=name,
        builtin=False,
    )

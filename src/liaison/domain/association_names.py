"""The v3 names of association types, as `?associations=` shows them (`contact_to_company`).

HubSpot's rule is not published; Liaison follows what HubSpot is seen to send:

- a Primary type is `{from}_to_{to}` (`contact_to_company` is type 1, `deal_to_company` type 5);
- the base (unlabeled) type of a pair that has a Primary type in either direction is
  `{from}_to_{to}_unlabeled` (`contact_to_company_unlabeled` is 279, `company_to_contact_unlabeled`
  280); of any other pair it is `{from}_to_{to}` (`contact_to_deal` is 4);
- company parent/child (13, 14) are `parent_to_child_company` and `child_to_parent_company`;
- a user-defined label is `{from}_to_{to}_{label}`, the label lowercased with every run of other
  characters than letters and digits made one underscore (`contact_to_company_billing_contact`).

`{from}` and `{to}` are singular names (`contact`, `company`, `deal`, `ticket`, `note`, `call`,
`email`, `task`, and `meeting_event` for meetings, as HubSpot names them); a custom type uses
its name (`car`).
"""

from __future__ import annotations

import re

from liaison.domain.association_types import AssociationType, Kind
from liaison.domain.object_types import BUILTIN_BY_ID, MEETINGS
from liaison.domain.schema import Schema

_SPECIAL = {13: "parent_to_child_company", 14: "child_to_parent_company"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def v3_name(schema: Schema, association_type: AssociationType) -> str:
    special = _SPECIAL.get(association_type.id)
    if special is not None:
        return special
    stem = (
        f"{_noun(schema, association_type.from_type)}_to_{_noun(schema, association_type.to_type)}"
    )
    if association_type.kind is Kind.PRIMARY:
        return stem
    if association_type.kind is Kind.UNLABELED:
        has_primary = any(
            t.kind is Kind.PRIMARY
            for t in (
                *schema.types_between(association_type.from_type, association_type.to_type),
                *schema.types_between(association_type.to_type, association_type.from_type),
            )
        )
        return f"{stem}_unlabeled" if has_primary else stem
    label = _NOT_WORD.sub("_", (association_type.label or "").lower()).strip("_")
    return f"{stem}_{label}" if label else stem


def _noun(schema: Schema, type_id: str) -> str:
    if type_id == MEETINGS:
        return "meeting_event"
    builtin = BUILTIN_BY_ID.get(type_id)
    if builtin is not None:
        return builtin.singular
    return schema.object_types[type_id].name.lower()

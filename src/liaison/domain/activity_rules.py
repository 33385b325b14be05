"""Activity rules (T2, T3): which records an activity logged on a record is also associated
with, per (record type, activity type, target type), and how each such association is told."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.object_types import COMPANIES, CONTACTS, DEALS, TICKETS, ObjectType


class Rule(StrEnum):
    NONE = "none"
    PRIMARY_COMPANY = "primary_company"
    MOST_RECENT = "most_recent"
    FIVE_MOST_RECENT = "five_most_recent"
    ALL = "all"

    @property
    def limit(self) -> int | None:
        """How many of the most recently associated targets the rule follows (None: all)."""
        return {Rule.MOST_RECENT: 1, Rule.FIVE_MOST_RECENT: 5}.get(self)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Rule.NONE: "None",
    Rule.PRIMARY_COMPANY: "Primary company",
    Rule.MOST_RECENT: "Most recent",
    Rule.FIVE_MOST_RECENT: "Five most recent",
    Rule.ALL: "All",
}

_DEFAULTS: dict[tuple[str, str], Rule] = {
    (CONTACTS, COMPANIES): Rule.PRIMARY_COMPANY,
    (CONTACTS, DEALS): Rule.FIVE_MOST_RECENT,
    (CONTACTS, TICKETS): Rule.FIVE_MOST_RECENT,
    (DEALS, COMPANIES): Rule.PRIMARY_COMPANY,
    (DEALS, CONTACTS): Rule.ALL,
    (TICKETS, COMPANIES): Rule.PRIMARY_COMPANY,
    (TICKETS, CONTACTS): Rule.ALL,
}
"""SPEC T2's defaults, the same for every activity type; every other combination is NONE."""

OPEN_ONLY = frozenset({DEALS, TICKETS})
"""Target types whose closed records a rule does not follow (T2: "open deals and tickets")."""

CLOSED_DEAL_STAGES = ("closedwon", "closedlost")
CLOSED_TICKET_STAGES = ("4",)
"""HubSpot's default pipelines' closed stages: deals won or lost, tickets Closed."""


@dataclass(frozen=True)
class RuleKey:
    record_type: str
    activity_type: str
    target_type: str


def default_rule(key: RuleKey) -> Rule:
    return _DEFAULTS.get((key.record_type, key.target_type), Rule.NONE)


def parse_rule(value: object) -> Rule:
    try:
        return Rule(str(value))
    except ValueError:
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"Rule {value!r} is not one of: {', '.join(r.value for r in Rule)}.",
            rule=value,
        ) from None


def check_rule(rule: Rule, record_type: ObjectType, target_type: ObjectType) -> None:
    """PRIMARY_COMPANY follows a primary company: only toward companies, from a record type
    that has one (P1)."""
    if rule is Rule.PRIMARY_COMPANY and (
        target_type.id != COMPANIES or not record_type.can_have_primary_company
    ):
        raise LiaisonError(
            ErrorCode.INVALID_INPUT,
            f"The rule 'primary_company' applies only from {record_type.plural} to companies, "
            f"and only for records that have a primary company.",
            recordType=record_type.name,
            targetType=target_type.name,
        )


def reason(rule: Rule, record_type: ObjectType, target_type: ObjectType) -> str:
    """How the history tells why the association exists (T3)."""
    owner = f"{record_type.singular}'s"
    if rule is Rule.PRIMARY_COMPANY:
        return f"added by rule: {owner} primary company"
    if rule is Rule.MOST_RECENT:
        return f"added by rule: {owner} most recent {target_type.singular}"
    if rule is Rule.FIVE_MOST_RECENT:
        return f"added by rule: {owner} five most recent {target_type.plural.lower()}"
    return f"added by rule: all the {owner} {target_type.plural.lower()}"


def detail(
    rule: Rule, record_type: ObjectType, target_type: ObjectType, logged_on: int, target: int
) -> dict[str, Any]:
    """The history detail of an automatic association (T3): the rule and the association it
    followed (the record the activity was logged on -> the target)."""
    return {
        "reason": reason(rule, record_type, target_type),
        "rule": rule.value,
        "followed": {
            "fromObjectTypeId": record_type.id,
            "fromObjectId": logged_on,
            "toObjectTypeId": target_type.id,
            "toObjectId": target,
        },
    }

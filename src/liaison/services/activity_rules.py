"""Activity rules (T2, T3): reading and changing them, and applying them when an activity is
logged on records, in the transaction that logs it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from liaison.domain import activity_rules as rules_domain
from liaison.domain.activity_rules import Rule, RuleKey, check_rule, default_rule, parse_rule
from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Source
from liaison.domain.object_types import ACTIVITY_TYPES, COMPANIES, ObjectType
from liaison.domain.schema import Schema
from liaison.services.database import Database
from liaison.services.unit import Caller, Unit, reading, unit_of_work
from liaison.storage import activity_rules as store
from liaison.storage.associations import Needs, load_graph
from liaison.storage.records import get_infos


@dataclass(frozen=True)
class RuleSetting:
    record_type: ObjectType
    activity_type: ObjectType
    target_type: ObjectType
    rule: Rule
    default: Rule


@dataclass(frozen=True)
class RuleChange:
    """A rule to set, its types named by ID or name."""

    record_type: str
    activity_type: str
    target_type: str
    rule: str


def list_rules(database: Database, caller: Caller) -> list[RuleSetting]:
    """Every (record type, activity type, target type) combination with its rule."""
    with reading(database, caller) as unit:
        chosen = store.load(unit.conn, unit.account_id)
        return [_setting(unit.schema, key, chosen) for key in combinations(unit.schema)]


def set_rules(
    database: Database, caller: Caller, changes: Sequence[RuleChange]
) -> list[RuleSetting]:
    """Set rules, all or nothing; answers every rule as it now is."""
    with unit_of_work(database, caller, "activity-rules") as unit:
        schema = unit.schema
        valid = set(combinations(schema))
        wanted: dict[RuleKey, Rule] = {}
        for change in changes:
            key = RuleKey(
                schema.object_type(change.record_type).id,
                schema.object_type(change.activity_type).id,
                schema.object_type(change.target_type).id,
            )
            if key not in valid:
                raise _not_a_combination(schema, key)
            rule = parse_rule(change.rule)
            check_rule(
                rule,
                schema.object_types[key.record_type],
                schema.object_types[key.target_type],
            )
            wanted[key] = rule
        store.save(unit.conn, unit.account_id, wanted, now=unit.now)
        chosen = store.load(unit.conn, unit.account_id)
        return [_setting(schema, key, chosen) for key in combinations(schema)]


def combinations(schema: Schema) -> list[RuleKey]:
    """The combinations a rule can be set for: from each record type (not an activity), for
    each activity type, to each other record type both can be associated with."""
    kinds = [t for t in schema.object_types.values() if not t.is_activity]
    return [
        RuleKey(record.id, activity, target.id)
        for record in kinds
        for activity in ACTIVITY_TYPES
        for target in kinds
        if target.id != record.id
        and schema.is_defined(record.id, target.id)
        and schema.is_defined(activity, target.id)
    ]


def _setting(schema: Schema, key: RuleKey, chosen: dict[RuleKey, Rule]) -> RuleSetting:
    default = default_rule(key)
    return RuleSetting(
        schema.object_types[key.record_type],
        schema.object_types[key.activity_type],
        schema.object_types[key.target_type],
        chosen.get(key, default),
        default,
    )


def _not_a_combination(schema: Schema, key: RuleKey) -> LiaisonError:
    names = [schema.object_types[t].name for t in (key.record_type, key.activity_type)]
    target = schema.object_types[key.target_type].name
    return LiaisonError(
        ErrorCode.INVALID_INPUT,
        f"No rule applies to {names[1]} logged on {names[0]} toward {target}: the first must "
        "be a record type, the second an activity type, the third another record type both "
        "can be associated with.",
        recordType=names[0],
        activityType=names[1],
        targetType=target,
    )


@dataclass(frozen=True)
class _Follow:
    activity: int
    logged_on: int
    target: int
    rule: Rule
    record_type: ObjectType
    target_type: ObjectType


def apply(
    unit: Unit, activity_type: ObjectType, logged: Sequence[tuple[int, Sequence[int]]]
) -> None:
    """T2: each activity, logged on the records listed with it, is also associated with the
    records its rules follow from each of them; each association says why (T3), source JOB.
    A target a rule cannot take (a limit reached) is left out; the logging stands."""
    schema = unit.schema
    on_ids = {record for _, on in logged for record in on}
    if not on_ids:
        return
    types = {row[0]: row[1] for row in get_infos(unit.conn, unit.account_id, on_ids)}
    chosen = store.load(unit.conn, unit.account_id)
    valid = set(combinations(schema))
    asked: dict[int, list[tuple[str, Rule]]] = {}  # logged-on record -> (target type, rule)
    for record in on_ids:
        record_type = types.get(record)
        if record_type is None or record_type in ACTIVITY_TYPES:
            continue
        for key in valid:
            if key.record_type == record_type and key.activity_type == activity_type.id:
                rule = chosen.get(key, default_rule(key))
                if rule is not Rule.NONE:
                    asked.setdefault(record, []).append((key.target_type, rule))
    follows = _targets(unit, schema, types, asked)
    if not follows:
        return
    plan = [
        _Follow(activity, record, target, rule, schema.object_types[types[record]], target_type)
        for activity, on in logged
        for record in on
        for target_type, rule, target in follows.get(record, [])
        if target not in on
    ]
    if not plan:
        return
    graph = load_graph(
        unit.conn,
        unit.account_id,
        schema,
        Needs(
            records={f.activity for f in plan} | {f.target for f in plan},
            pairs={(f.activity, f.target) for f in plan},
        ),
    )
    planner = unit.planner(graph, source=Source.JOB)
    for f in plan:
        planner.detail = rules_domain.detail(
            f.rule, f.record_type, f.target_type, f.logged_on, f.target
        )
        planner.attempt(planner.associate, f.activity, f.target)
    unit.save(planner)


def _targets(
    unit: Unit,
    schema: Schema,
    types: dict[int, str],
    asked: dict[int, list[tuple[str, Rule]]],
) -> dict[int, list[tuple[ObjectType, Rule, int]]]:
    """For each logged-on record, the targets its rules follow: (target type, rule, target)."""
    by_primary = [
        r for r, wanted in asked.items() if any(x is Rule.PRIMARY_COMPANY for _, x in wanted)
    ]
    primaries = (
        store.primary_companies(
            unit.conn,
            unit.account_id,
            by_primary,
            {p for r in by_primary if (p := schema.primary_id(types[r])) is not None},
        )
        if by_primary
        else {}
    )
    by_recency = {
        (r, target_type): rule
        for r, wanted in asked.items()
        for target_type, rule in wanted
        if rule is not Rule.PRIMARY_COMPANY
    }
    limits = [rule.limit for rule in by_recency.values()]
    recent = (
        store.most_recent(
            unit.conn,
            unit.account_id,
            sorted({r for r, _ in by_recency}),
            sorted({t for _, t in by_recency}),
            cap=None if None in limits else max(x for x in limits if x is not None),
        )
        if by_recency
        else {}
    )
    found: dict[int, list[tuple[ObjectType, Rule, int]]] = {}
    for record, wanted in asked.items():
        for target_type, rule in wanted:
            kind = schema.object_types[target_type]
            if rule is Rule.PRIMARY_COMPANY:
                if target_type == COMPANIES and record in primaries:
                    found.setdefault(record, []).append((kind, rule, primaries[record]))
                continue
            for target in recent.get((record, target_type), [])[: rule.limit]:
                found.setdefault(record, []).append((kind, rule, target))
    return found

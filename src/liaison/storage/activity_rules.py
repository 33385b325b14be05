"""Activity rules (T2): the account's own choices, and the records a rule follows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, and_, delete, func, not_, or_, select

from liaison.domain.activity_rules import (
    CLOSED_DEAL_STAGES,
    CLOSED_TICKET_STAGES,
    Rule,
    RuleKey,
)
from liaison.domain.object_types import COMPANIES, DEALS, TICKETS
from liaison.storage import bulk
from liaison.storage.tables import activity_rules, association_labels, associations, records


def load(conn: Connection, account_id: int) -> dict[RuleKey, Rule]:
    """The rules the account chose; every other combination follows its default."""
    r = activity_rules.c
    rows = conn.execute(
        select(r.record_type, r.activity_type, r.target_type, r.rule).where(
            r.account_id == account_id
        )
    )
    return {RuleKey(row[0], row[1], row[2]): Rule(row[3]) for row in rows}


def save(conn: Connection, account_id: int, rules: dict[RuleKey, Rule], *, now: int) -> None:
    """Store the chosen rules, replacing the ones they name."""
    r = activity_rules.c
    for key in rules:
        conn.execute(
            delete(activity_rules).where(
                r.account_id == account_id,
                r.record_type == key.record_type,
                r.activity_type == key.activity_type,
                r.target_type == key.target_type,
            )
        )
    bulk.insert(
        conn,
        activity_rules,
        ("account_id", "record_type", "activity_type", "target_type", "rule", "updated_at"),
        [
            (account_id, k.record_type, k.activity_type, k.target_type, rule.value, now)
            for k, rule in rules.items()
        ],
    )


def primary_companies(
    conn: Connection, account_id: int, record_ids: Iterable[int], primary_type_ids: Iterable[int]
) -> dict[int, int]:
    """Each record's primary company (record ID -> company ID), for those that have one."""
    labels = association_labels.c
    rows = conn.execute(
        select(labels.from_id, labels.to_id).where(
            labels.account_id == account_id,
            bulk.ids_in(conn, labels.from_id, record_ids),
            labels.to_type == COMPANIES,
            labels.type_id.in_(list(primary_type_ids)),
        )
    )
    return {int(from_id): int(to_id) for from_id, to_id in rows}


def most_recent(
    conn: Connection,
    account_id: int,
    record_ids: Sequence[int],
    target_types: Sequence[str],
    *,
    cap: int | None,
) -> dict[tuple[int, str], list[int]]:
    """Each record's live associated records of each target type, most recently associated
    first, at most `cap` each (None: all); closed deals and tickets are left out (T2)."""
    if not record_ids or not target_types:
        return {}
    a, r = associations.c, records.c
    ranked = (
        select(
            a.from_id,
            a.to_type,
            a.to_id,
            func.row_number()
            .over(
                partition_by=(a.from_id, a.to_type), order_by=(a.created_at.desc(), a.to_id.desc())
            )
            .label("n"),
        )
        .join(records, and_(r.account_id == a.account_id, r.id == a.to_id))
        .where(
            a.account_id == account_id,
            bulk.ids_in(conn, a.from_id, record_ids),
            a.to_type.in_(list(target_types)),
            not_(r.archived),
            not_(_closed()),
        )
        .subquery()
    )
    statement = select(ranked.c.from_id, ranked.c.to_type, ranked.c.to_id).order_by(
        ranked.c.from_id, ranked.c.to_type, ranked.c.n
    )
    if cap is not None:
        statement = statement.where(ranked.c.n <= cap)
    found: dict[tuple[int, str], list[int]] = {}
    for from_id, to_type, to_id in conn.execute(statement):
        found.setdefault((from_id, to_type), []).append(to_id)
    return found


def _closed() -> ColumnElement[bool]:
    r = records.c
    stage = func.coalesce(r.properties["dealstage"].as_string(), "")
    ticket_stage = func.coalesce(r.properties["hs_pipeline_stage"].as_string(), "")
    return or_(
        and_(r.type_id == DEALS, stage.in_(CLOSED_DEAL_STAGES)),
        and_(r.type_id == TICKETS, ticket_stage.in_(CLOSED_TICKET_STAGES)),
    )

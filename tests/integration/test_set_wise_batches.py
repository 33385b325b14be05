"""Plain associate batches of new pairs are planned set-wise (`Planner.associate_new`): they must
write exactly what the input-by-input path writes (A1, A7, P3, H1, H6)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from liaison.domain.errors import ErrorCode
from liaison.domain.history import Actor
from liaison.services import associations as assoc
from liaison.services import labels, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller, unit_of_work
from tests.helpers import company, contact, deal, dump

CONTACT_TO_COMPANY, PRIMARY = 279, 1
MISSING = 10**9
"""A record ID that does not exist: one such input sends a batch down the input-by-input path."""

_WRITTEN = {
    "associations": "from_id, to_type, to_id",
    "association_labels": "from_id, to_type, to_id, type_id, exclusive",
    "association_history": (
        "id, operation_id, change, from_type, from_id, to_type, to_id, type_id, label, "
        "inverse_type_id, inverse_label, from_name, to_name, source, primary_type_id, "
        "primary_label, primary_inverse_type_id, primary_inverse_label"
    ),
    "operations": "id, kind, source, actor_kind, first_history_id, last_history_id",
}


def _written(db: Database, account_id: int) -> dict[str, list[Any]]:
    """The account's association rows, history and operations, times left out."""
    with db.engine.connect() as conn:
        return {
            table: sorted(
                tuple(row)
                for row in conn.execute(
                    text(f"SELECT {columns} FROM {table} WHERE account_id = :a"), {"a": account_id}
                )
            )
            for table, columns in _WRITTEN.items()
        }


def _scenario(
    db: Database, caller: Caller, *, forced_slow: bool, existing: bool = False
) -> list[assoc.AssociationView]:
    """Contacts, companies and deals, some with a primary already, then one plain batch."""
    ann, bob, cy, dee = (contact(db, caller, name) for name in ("Ann", "Bob", "Cy", "Dee"))
    acme, initech, umbrella = (company(db, caller, name) for name in ("Acme", "Initech", "Umb"))
    big = deal(db, caller)
    assoc.associate(db, caller, [Link(bob.id, umbrella.id)]).check()  # Bob has a primary
    batch = [
        Link(ann.id, acme.id),  # Ann's first company: her primary (P3)
        Link(initech.id, ann.id),  # from the company's side: not her primary
        Link(bob.id, acme.id),  # Bob keeps his primary
        Link(cy.id, big.id),
        Link(initech.id, cy.id),  # Cy's first company, from the company's side: primary
        Link(big.id, acme.id),  # deals get no automatic primary
        Link(acme.id, umbrella.id),
        Link(dee.id, umbrella.id, (CONTACT_TO_COMPANY, PRIMARY)),  # Primary-first, as sent
        Link(dee.id, initech.id, (CONTACT_TO_COMPANY,)),  # the base type named
    ]
    if existing:  # found by the set-wise write itself, which is then undone whole
        batch.append(Link(umbrella.id, bob.id))
    if forced_slow:
        batch.append(Link(ann.id, MISSING))
    result = assoc.associate(db, caller, batch)
    assert len(result.errors) == (1 if forced_slow else 0)
    return result.results


def test_a_set_wise_batch_writes_what_the_input_by_input_path_writes(db: Database) -> None:
    fast = Caller(create_account(db, name="set-wise"), Actor.user("u", "U"))
    slow = Caller(create_account(db, name="input by input"), Actor.user("u", "U"))
    fast_views = _scenario(db, fast, forced_slow=False)
    slow_views = _scenario(db, slow, forced_slow=True)
    assert fast_views == slow_views
    assert _written(db, fast.account_id) == _written(db, slow.account_id)
    assert _written(db, fast.account_id)["association_labels"]  # primaries were given


def _labelled_scenario(db: Database, caller: Caller, *, forced_slow: bool) -> Any:
    """One batch asking for labels nothing can refuse (a single and a paired one, from either
    side, repeated, next to the base type and to a first company's Primary)."""
    advisor, _ = labels.create_label(db, caller, "contacts", "companies", label="Advisor")
    owner, owned = labels.create_label(
        db, caller, "contacts", "companies", label="Owner", inverse_label="Owned by"
    )
    ann, bob, cy = (contact(db, caller, name) for name in ("Ann", "Bob", "Cy"))
    acme, initech = company(db, caller, "Acme"), company(db, caller, "Initech")
    batch = [
        Link(ann.id, acme.id, (advisor.id,)),  # her first company: CREATED, PRIMARY_SET, label
        Link(ann.id, initech.id, (owner.id, CONTACT_TO_COMPANY, owner.id, advisor.id)),
        Link(acme.id, bob.id, (owned.id,)),  # the paired label from the company's side
        Link(cy.id, initech.id),
    ]
    if forced_slow:
        batch.append(Link(ann.id, MISSING))
    set_wise = _goes_set_wise(db, caller, batch)
    result = assoc.associate(db, caller, batch)
    assert len(result.errors) == (1 if forced_slow else 0)
    return set_wise, result.results


class _Undone(Exception):
    pass


def _goes_set_wise(db: Database, caller: Caller, batch: list[Link]) -> bool:
    """Whether `associate_new` takes the batch whole (what it writes is rolled back)."""
    try:
        with unit_of_work(db, caller, "probe") as unit:
            raise _Undone(assoc.associate_new(unit, batch) is not None)
    except _Undone as undone:
        return bool(undone.args[0])


def test_a3_a_set_wise_batch_with_labels_writes_what_the_input_by_input_path_writes(
    db: Database,
) -> None:
    fast = Caller(create_account(db, name="set-wise labels"), Actor.user("u", "U"))
    slow = Caller(create_account(db, name="input by input labels"), Actor.user("u", "U"))
    fast_set_wise, fast_views = _labelled_scenario(db, fast, forced_slow=False)
    slow_set_wise, slow_views = _labelled_scenario(db, slow, forced_slow=True)
    assert (fast_set_wise, slow_set_wise) == (True, False)
    assert fast_views == slow_views
    assert _written(db, fast.account_id) == _written(db, slow.account_id)
    rows = _written(db, fast.account_id)["association_history"]
    primary_type_id = (
        14  # its place in _WRITTEN's columns: set on a row that is its PRIMARY_SET too
    )
    changes = [row[2] for row in rows]
    changes += ["PRIMARY_SET" for row in rows if row[primary_type_id] is not None]
    assert changes.count("LABEL_ADDED") == 4 and changes.count("PRIMARY_SET") == 3


def test_a_batch_asking_for_a_label_and_the_primary_it_gets_anyway_goes_set_wise(
    db: Database,
) -> None:
    fast = Caller(create_account(db, name="set-wise"), Actor.user("u", "U"))
    slow = Caller(create_account(db, name="input by input"), Actor.user("u", "U"))
    for caller, forced_slow in ((fast, False), (slow, True)):
        advisor, _ = labels.create_label(db, caller, "contacts", "companies", label="Advisor")
        ann, acme = contact(db, caller), company(db, caller)
        mixed = [Link(ann.id, acme.id, (PRIMARY, advisor.id))]
        mixed += [Link(ann.id, MISSING)] if forced_slow else []
        assert _goes_set_wise(db, caller, mixed) is not forced_slow
        result = assoc.associate(db, caller, mixed)
        assert result.results[0].labels == ["Primary", "Advisor"]
    assert _written(db, fast.account_id) == _written(db, slow.account_id)
    changes = [row[2] for row in _written(db, fast.account_id)["association_history"]]
    assert changes == ["CREATED", "LABEL_ADDED"]  # the first holds the PRIMARY_SET too


def test_a_set_wise_write_that_meets_an_existing_pair_is_undone_and_goes_input_by_input(
    db: Database,
) -> None:
    fast = Caller(create_account(db, name="set-wise first"), Actor.user("u", "U"))
    slow = Caller(create_account(db, name="input by input"), Actor.user("u", "U"))
    fast_views = _scenario(db, fast, forced_slow=False, existing=True)
    slow_views = _scenario(db, slow, forced_slow=True, existing=True)
    assert fast_views == slow_views
    assert _written(db, fast.account_id) == _written(db, slow.account_id)


def test_a7_a_batch_of_pairs_already_associated_changes_nothing(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    before = dump(db)
    again = assoc.associate(db, me, [Link(acme.id, ann.id), Link(ann.id, acme.id)])
    assert again.errors == []
    assert again.results == [
        assoc.between(db, me, acme.id, ann.id),
        assoc.between(db, me, ann.id, acme.id),
    ]
    assert dump(db) == before


def test_a_batch_repeating_a_pair_either_way_makes_it_once(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    result = assoc.associate(db, me, [Link(ann.id, acme.id), Link(acme.id, ann.id)]).check()
    assert [v.to_id for v in result.results] == [acme.id, ann.id]
    page = assoc.list_associations(db, me, "contacts", ann.id, "companies")
    assert [(a.to_id, a.labels) for a in page.results] == [(acme.id, ["Primary"])]


def test_p2_a_primary_asked_for_a_contact_that_has_one_replaces_it(
    db: Database, me: Caller
) -> None:
    ann, acme, initech = contact(db, me), company(db, me, "Acme"), company(db, me, "Initech")
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    assoc.associate(db, me, [Link(ann.id, initech.id, (PRIMARY,))]).check()
    page = assoc.list_associations(db, me, "contacts", ann.id, "companies")
    assert [(a.to_id, a.labels) for a in page.results] == [(acme.id, []), (initech.id, ["Primary"])]


def test_set_wise_batches_refuse_what_the_rules_refuse(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    gone = contact(db, me, "Gone")
    records.delete(db, me, "contacts", gone.id)
    result = assoc.associate(
        db, me, [Link(ann.id, acme.id), Link(gone.id, acme.id), Link(ann.id, ann.id)]
    )
    assert [(e.index, e.error.code) for e in result.errors] == [
        (1, ErrorCode.RECORD_ARCHIVED),
        (2, ErrorCode.SELF_ASSOCIATION),
    ]
    assert [v.to_id for v in result.results] == [acme.id]


def test_within_a_unit_a_set_wise_write_that_meets_an_existing_pair_rolls_back_to_its_savepoint(
    db: Database, me: Caller
) -> None:
    ann, bob, acme = contact(db, me, "Ann"), contact(db, me, "Bob"), company(db, me, "Acme")
    assoc.associate(db, me, [Link(bob.id, acme.id)]).check()
    with unit_of_work(db, me, "bulk") as unit:
        result = assoc.associate(
            db, me, [Link(ann.id, acme.id), Link(acme.id, bob.id)], within=unit
        ).check()
    assert [(v.from_id, v.to_id) for v in result.results] == [(ann.id, acme.id), (acme.id, bob.id)]
    with db.engine.connect() as conn:
        created = conn.execute(
            text(
                "SELECT from_id, to_id FROM association_history "
                "WHERE account_id = :a AND change = 'CREATED' ORDER BY id"
            ),
            {"a": me.account_id},
        ).all()
    assert [tuple(r) for r in created] == [(bob.id, acme.id), (ann.id, acme.id)]

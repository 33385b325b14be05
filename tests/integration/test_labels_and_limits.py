"""Label definitions (A5) and association limits (A6)."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Change
from liaison.services import associations as assoc
from liaison.services import history, labels, limits
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import company, contact, deal, dump, types_between


def test_a5_labels_are_created_renamed_and_listed(db: Database, me: Caller) -> None:
    manager, employee = labels.create_label(
        db, me, "contacts", "contacts", label="Manager", inverse_label="Employee"
    )
    labels.rename_label(db, me, "contacts", "contacts", manager.id, label="Boss")
    listed = {t.id: t.label for t in labels.list_types(db, me, "contacts", "contacts")}
    assert listed[manager.id] == "Boss" and listed[employee.id] == "Employee"


def test_a5_label_names_are_unique_per_pair_case_insensitive(db: Database, me: Caller) -> None:
    labels.create_label(db, me, "contacts", "companies", label="Advisor")
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        labels.create_label(db, me, "contacts", "companies", label="advisor", name="other")
    assert refused.value.code is ErrorCode.LABEL_EXISTS
    assert dump(db) == before
    labels.create_label(db, me, "contacts", "deals", label="Advisor")  # another pair is fine


def test_a5_at_most_50_labels_per_pair(db: Database, me: Caller) -> None:
    for i in range(50):
        labels.create_label(db, me, "deals", "companies", label=f"Label {i}")
    with pytest.raises(LiaisonError) as refused:
        labels.create_label(db, me, "deals", "companies", label="One too many")
    assert refused.value.code is ErrorCode.TOO_MANY_LABELS


def test_a5_deleting_a_used_label_is_refused_with_the_count(db: Database, me: Caller) -> None:
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    acme = company(db, me)
    for name in ("Ann", "Bob"):
        assoc.associate(db, me, [Link(contact(db, me, name).id, acme.id, (advisor.id,))]).check()
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        labels.delete_label(db, me, "contacts", "companies", advisor.id)
    assert refused.value.code is ErrorCode.LABEL_IN_USE
    assert refused.value.context["uses"] == 2
    assert "2 associations" in refused.value.message
    assert dump(db) == before


def test_a5_label_uses_counts_each_label_of_the_direction(db: Database, me: Caller) -> None:
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    boss, staff = labels.create_label(
        db, me, "contacts", "companies", label="Owner", inverse_label="Owned by"
    )
    acme = company(db, me)
    for name in ("Ann", "Bob"):
        assoc.associate(db, me, [Link(contact(db, me, name).id, acme.id, (advisor.id,))]).check()
    assoc.associate(db, me, [Link(contact(db, me, "Cy").id, acme.id, (boss.id,))]).check()
    assert labels.label_uses(db, me, "contacts", "companies") == {advisor.id: 2, boss.id: 1}
    assert labels.label_uses(db, me, "companies", "contacts") == {
        advisor.inverse_id: 2,
        staff.id: 1,
    }


def test_a5_force_delete_removes_the_label_and_records_it(db: Database, me: Caller) -> None:
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id, (advisor.id,))]).check()
    assert labels.delete_label(db, me, "contacts", "companies", advisor.id, force=True) == 1
    assert types_between(db, me, ann.id, acme.id) == {279, 1}
    newest = history.record_history(db, me, "contacts", ann.id).entries[0]
    assert (newest.change, newest.label) == (Change.LABEL_REMOVED, "Advisor")
    assert all(t.id != advisor.id for t in labels.list_types(db, me, "contacts", "companies"))


@pytest.mark.parametrize("type_id", [279, 1, 280, 2])
def test_a5_builtin_types_cannot_be_renamed_or_deleted(
    db: Database, me: Caller, type_id: int
) -> None:
    from_type, to_type = (
        ("contacts", "companies") if type_id in (279, 1) else ("companies", "contacts")
    )
    with pytest.raises(LiaisonError) as refused:
        labels.rename_label(db, me, from_type, to_type, type_id, label="Mine")
    assert refused.value.code is ErrorCode.BUILTIN_TYPE_READ_ONLY
    with pytest.raises(LiaisonError) as refused:
        labels.delete_label(db, me, from_type, to_type, type_id)
    assert refused.value.code is ErrorCode.BUILTIN_TYPE_READ_ONLY


def test_a6_limit_refuses_the_change_naming_record_limit_and_count(
    db: Database, me: Caller
) -> None:
    limits.set_limits(db, me, "deals", "companies", {341: 1})
    big = deal(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(big.id, acme.id)]).check()
    before = dump(db)
    error = assoc.associate(db, me, [Link(big.id, beta.id)]).errors[0].error
    assert error.code is ErrorCode.LIMIT_EXCEEDED
    assert f"Deal {big.id} (Big deal)" in error.message
    assert "at most 1 company" in error.message and "it has 1" in error.message
    assert dump(db) == before
    assoc.associate(
        db, me, [Link(acme.id, deal(db, me, "Other").id)]
    ).check()  # other direction: many


def test_a6_limit_per_label(db: Database, me: Caller) -> None:
    billing, inverse = labels.create_label(db, me, "companies", "contacts", label="Billing contact")
    limits.set_limits(db, me, "companies", "contacts", {billing.id: 1})
    acme = company(db, me)
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    assoc.associate(db, me, [Link(acme.id, ann.id, (billing.id,))]).check()
    error = assoc.associate(db, me, [Link(bob.id, acme.id, (inverse.id,))]).errors[0].error
    assert error.code is ErrorCode.LIMIT_EXCEEDED
    assert "labelled Billing contact" in error.message
    assert types_between(db, me, bob.id, acme.id) is None  # all or nothing: not even unlabeled
    assoc.associate(db, me, [Link(acme.id, bob.id)]).check()


def test_a6_in_a_batch_each_input_is_all_or_nothing(db: Database, me: Caller) -> None:
    limits.set_limits(db, me, "contacts", "deals", {4: 2})
    ann = contact(db, me)
    deals = [deal(db, me, f"D{i}") for i in range(4)]
    result = assoc.associate(db, me, [Link(ann.id, d.id) for d in deals])
    assert [e.index for e in result.errors] == [2, 3]
    assert len(result.results) == 2


def test_a6_label_limit_may_not_exceed_the_pair_limit(db: Database, me: Caller) -> None:
    billing, _ = labels.create_label(db, me, "companies", "contacts", label="Billing contact")
    limits.set_limits(db, me, "companies", "contacts", {280: 10})
    with pytest.raises(LiaisonError) as refused:
        limits.set_limits(db, me, "companies", "contacts", {billing.id: 11})
    assert refused.value.code is ErrorCode.INVALID_LIMIT
    assert "between 1 and 10" in refused.value.message
    limits.set_limits(db, me, "companies", "contacts", {billing.id: 9})
    with pytest.raises(LiaisonError):
        limits.set_limits(db, me, "companies", "contacts", {280: 5})


@pytest.mark.parametrize("bad", [0, -1, 10_001])
def test_a6_limit_is_between_1_and_10000(db: Database, me: Caller, bad: int) -> None:
    with pytest.raises(LiaisonError) as refused:
        limits.set_limits(db, me, "contacts", "deals", {4: bad})
    assert refused.value.code is ErrorCode.INVALID_LIMIT


def test_a6_lowering_a_limit_is_not_retroactive(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    deals = [deal(db, me, f"D{i}") for i in range(3)]
    assoc.associate(db, me, [Link(ann.id, d.id) for d in deals[:2]]).check()
    limits.set_limits(db, me, "contacts", "deals", {4: 1})
    assert types_between(db, me, ann.id, deals[0].id) == {4}  # existing ones stay
    assert assoc.associate(db, me, [Link(ann.id, deals[2].id)]).errors[0].error.code is (
        ErrorCode.LIMIT_EXCEEDED
    )
    limits.remove_limits(db, me, "contacts", "deals", [4])
    assoc.associate(db, me, [Link(ann.id, deals[2].id)]).check()
    assert limits.get_limits(db, me) == []


def test_a6_same_type_unlabeled_limit_applies_both_ways(db: Database, me: Caller) -> None:
    limits.set_limits(db, me, "contacts", "contacts", {449: 1})
    ann, bob, cid = contact(db, me, "Ann"), contact(db, me, "Bob"), contact(db, me, "Cid")
    assoc.associate(db, me, [Link(ann.id, bob.id)]).check()
    assert assoc.associate(db, me, [Link(cid.id, ann.id)]).errors[0].error.code is (
        ErrorCode.LIMIT_EXCEEDED
    )
    assert [lim.max_to for lim in limits.get_limits(db, me, "contacts", "contacts")] == [1]


def test_a5_a_label_with_a_nul_character_is_refused(db: Database, me: Caller) -> None:
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        labels.create_label(db, me, "contacts", "companies", label="a\x00b")
    assert refused.value.code is ErrorCode.INVALID_INPUT
    assert dump(db) == before

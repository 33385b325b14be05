"""Record lifecycle: delete (L1), restore (L2), merge (L3), permanent delete (L5)."""

from __future__ import annotations

import time

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Change, Source
from liaison.services import associations as assoc
from liaison.services import history, labels, limits, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import company, contact, deal, dump, ticket, types_between


def test_l1_delete_archives_and_removes_associations_on_both_sides(
    db: Database, me: Caller
) -> None:
    ann, acme, big = contact(db, me), company(db, me), deal(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, big.id)]).check()
    records.delete(db, me, "contacts", ann.id)
    assert records.get(db, me, "contacts", ann.id, archived=True).archived
    with pytest.raises(LiaisonError):
        records.get(db, me, "contacts", ann.id)
    assert types_between(db, me, big.id, ann.id) is None
    for record_type, record_id in (("companies", acme.id), ("deals", big.id), ("contacts", ann.id)):
        newest = history.record_history(db, me, record_type, record_id).entries[0]
        assert (newest.change, newest.source) == (Change.REMOVED, Source.OBJECT_DELETION)


def test_l1_a_contact_whose_primary_was_deleted_gets_its_only_other_company(
    db: Database, me: Caller
) -> None:
    ann, acme, beta = contact(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    records.delete(db, me, "companies", acme.id)
    assert types_between(db, me, ann.id, beta.id) == {279, 1}


def test_l1_with_several_left_the_most_recently_associated_becomes_primary(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta, gamma = (company(db, me, n) for n in ("Acme", "Beta", "Gamma"))
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    assoc.associate(db, me, [Link(ann.id, gamma.id)]).check()
    time.sleep(0.002)
    assoc.associate(db, me, [Link(ann.id, beta.id)]).check()
    records.delete(db, me, "companies", acme.id)
    assert types_between(db, me, ann.id, beta.id) == {279, 1}
    assert types_between(db, me, ann.id, gamma.id) == {279}


def test_l1_deals_lose_a_deleted_primary_without_replacement(db: Database, me: Caller) -> None:
    big, acme, beta = deal(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(big.id, acme.id, (5,)), Link(big.id, beta.id)]).check()
    records.delete(db, me, "companies", acme.id)
    assert types_between(db, me, big.id, beta.id) == {341}


def test_l2_restore_brings_back_exactly_what_the_deletion_removed(db: Database, me: Caller) -> None:
    ann, bob, acme, big = (
        contact(db, me, "Ann"),
        contact(db, me, "Bob"),
        company(db, me),
        deal(db, me),
    )
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    assoc.associate(
        db, me, [Link(ann.id, acme.id, (advisor.id,)), Link(ann.id, big.id), Link(ann.id, bob.id)]
    ).check()
    before = {other: types_between(db, me, ann.id, other) for other in (acme.id, big.id, bob.id)}
    records.delete(db, me, "contacts", ann.id)
    assoc.associate(db, me, [Link(bob.id, big.id)]).check()  # unrelated change in between
    restored = records.restore(db, me, "contacts", ann.id)
    assert restored.associations_restored == 3 and restored.skipped == []
    after = {other: types_between(db, me, ann.id, other) for other in (acme.id, big.id, bob.id)}
    assert after == before
    newest = history.record_history(db, me, "contacts", ann.id).entries[0]
    assert newest.source is Source.OBJECT_RESTORE


def test_l2_a_restored_primary_that_would_conflict_comes_back_without_it(
    db: Database, me: Caller
) -> None:
    ann, acme, beta = contact(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    records.delete(db, me, "companies", acme.id)  # Beta becomes Ann's primary
    records.restore(db, me, "companies", acme.id)
    assert types_between(db, me, ann.id, acme.id) == {279}
    assert types_between(db, me, ann.id, beta.id) == {279, 1}


def test_l2_restore_skips_records_gone_since_and_reports_limits(db: Database, me: Caller) -> None:
    ann, big, acme = contact(db, me), deal(db, me, "Big"), company(db, me)
    assoc.associate(db, me, [Link(acme.id, big.id), Link(acme.id, ann.id)]).check()
    records.delete(db, me, "companies", acme.id)
    records.delete(db, me, "contacts", ann.id)
    limits.set_limits(db, me, "deals", "companies", {341: 1})
    assoc.associate(db, me, [Link(big.id, company(db, me, "Other").id)]).check()
    restored = records.restore(db, me, "companies", acme.id)
    assert restored.associations_restored == 0
    skipped = {s["toObjectId"]: s["category"] for s in restored.skipped}
    assert skipped == {big.id: "LIMIT_EXCEEDED", ann.id: "RECORD_ARCHIVED"}


def test_l2_only_deleted_records_can_be_restored(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    with pytest.raises(LiaisonError) as refused:
        records.restore(db, me, "contacts", ann.id)
    assert refused.value.code is ErrorCode.RECORD_NOT_FOUND


def test_l3_merge_moves_associations_and_unions_labels(db: Database, me: Caller) -> None:
    a, b = company(db, me, "Acme"), company(db, me, "Acme Inc", city="Oslo")
    ann, bob, big = contact(db, me, "Ann"), contact(db, me, "Bob"), deal(db, me)
    partner, _ = labels.create_label(db, me, "companies", "deals", label="Partner")
    reseller, _ = labels.create_label(db, me, "companies", "deals", label="Reseller")
    assoc.associate(
        db,
        me,
        [
            Link(a.id, big.id, (partner.id,)),
            Link(b.id, big.id, (reseller.id,)),
            Link(b.id, bob.id),
            Link(a.id, ann.id),
            Link(a.id, b.id),
        ],
    ).check()
    survivor = records.merge(db, me, "companies", a.id, b.id)
    assert survivor.id == a.id and survivor.properties["city"] == "Oslo"
    assert types_between(db, me, a.id, big.id) == {342, partner.id, reseller.id}
    assert types_between(db, me, bob.id, a.id) == {279, 1}  # Bob's primary moved with him
    assert types_between(db, me, a.id, b.id) is None
    assert records.get(db, me, "companies", b.id).id == a.id  # reading B's ID returns A
    merged = history.record_history(db, me, "contacts", bob.id).entries
    assert {e.source for e in merged[:3]} == {Source.OBJECT_MERGE}


def test_l3_the_survivors_primary_wins(db: Database, me: Caller) -> None:
    a, b = contact(db, me, "Ann"), contact(db, me, "Ann", lastname="L.")
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(a.id, acme.id), Link(b.id, beta.id)]).check()
    records.merge(db, me, "contacts", a.id, b.id)
    assert types_between(db, me, a.id, acme.id) == {279, 1}
    assert types_between(db, me, a.id, beta.id) == {279}


def test_l3_a_survivor_without_companies_takes_the_merged_primary(db: Database, me: Caller) -> None:
    a, b = contact(db, me, "Ann"), contact(db, me, "Ann")
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(b.id, beta.id), Link(b.id, acme.id, (1,))]).check()
    records.merge(db, me, "contacts", a.id, b.id)
    assert types_between(db, me, a.id, acme.id) == {279, 1}
    assert types_between(db, me, a.id, beta.id) == {279}


def test_l3_merge_of_different_types_or_itself_is_refused(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        records.merge(db, me, "contacts", ann.id, ann.id)
    assert refused.value.code is ErrorCode.MERGE_INVALID
    with pytest.raises(LiaisonError) as refused:
        records.merge(db, me, "contacts", ann.id, ticket(db, me).id)
    assert refused.value.code is ErrorCode.RECORD_NOT_FOUND
    assert {k: v for k, v in dump(db).items() if k != "records" and k != "counters"} == {
        k: v for k, v in before.items() if k != "records" and k != "counters"
    }


def test_l3_writes_to_a_merged_record_are_refused_with_its_survivor(
    db: Database, me: Caller
) -> None:
    a, b, big = contact(db, me), contact(db, me), deal(db, me)
    records.merge(db, me, "contacts", a.id, b.id)
    error = assoc.associate(db, me, [Link(b.id, big.id)]).errors[0].error
    assert error.code is ErrorCode.RECORD_ARCHIVED
    assert f"merged into record {a.id}" in error.message


def test_l5_permanent_delete_removes_the_record_and_its_name_from_history(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me, "Ann"), company(db, me, "Acme")
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    records.purge(db, me, "contacts", ann.id)
    with pytest.raises(LiaisonError):
        records.get(db, me, "contacts", ann.id, archived=True)
    entries = history.record_history(db, me, "companies", acme.id).entries
    assert [e.change for e in entries] == [
        Change.REMOVED,
        Change.PRIMARY_REMOVED,
        Change.PRIMARY_SET,
        Change.CREATED,
    ]
    assert {e.other_name for e in entries} == {None}
    assert all("Ann" not in row for row in dump(db)["association_history"])


def test_l5_an_archived_record_can_be_purged(db: Database, me: Caller) -> None:
    ann = contact(db, me, "Ann")
    records.delete(db, me, "contacts", ann.id)
    records.purge(db, me, "contacts", ann.id)
    assert all("Ann" not in row for row in dump(db)["records"])


def test_l3_deleting_a_merged_id_is_refused_naming_its_survivor(db: Database, me: Caller) -> None:
    a, b = contact(db, me), contact(db, me)
    records.merge(db, me, "contacts", a.id, b.id)
    with pytest.raises(LiaisonError) as refused:
        records.delete(db, me, "contacts", b.id)
    assert refused.value.code is ErrorCode.RECORD_ARCHIVED
    assert f"merged into record {a.id}" in refused.value.message
    assert records.update(db, me, "contacts", b.id, {"jobtitle": "CEO"}).id == a.id

"""Associations: A1-A9."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor
from liaison.services import associations as assoc
from liaison.services import labels, object_types, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from tests.helpers import car_type, company, contact, deal, dump, ticket, types_between

CONTACT_TO_COMPANY, COMPANY_TO_CONTACT = 279, 280
PRIMARY, PRIMARY_INVERSE = 1, 2


def test_a1_an_association_is_visible_from_both_sides(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    assoc.associate(db, me, [Link(ann.id, big.id)]).single()
    assert types_between(db, me, ann.id, big.id) == {4}
    assert types_between(db, me, big.id, ann.id) == {3}
    from_deal = assoc.list_associations(db, me, "deals", big.id, "contacts")
    assert [v.to_id for v in from_deal.results] == [ann.id]


@pytest.mark.parametrize(
    ("make_a", "make_b", "base"),
    [
        (contact, contact, 449),
        (company, company, 450),
        (deal, deal, 451),
        (ticket, ticket, 452),
        (deal, ticket, 27),
        (contact, ticket, 15),
        (ticket, company, 339),
    ],
)
def test_a2_builtin_pairs_including_same_type_are_defined(
    db: Database, me: Caller, make_a: object, make_b: object, base: int
) -> None:
    a = make_a(db, me, "one")  # type: ignore[operator]
    b = make_b(db, me, "two")  # type: ignore[operator]
    view = assoc.associate(db, me, [Link(a.id, b.id)]).single()
    assert view.types[0].id == base


def test_a2_activities_associate_with_core_records_and_each_other(db: Database, me: Caller) -> None:
    note = records.create(
        db, me, "notes", {"hs_note_body": "Called Ann", "hs_timestamp": "2026-01-05T10:00:00Z"}
    )
    call = records.create(
        db, me, "calls", {"hs_call_title": "Intro", "hs_timestamp": "2026-01-05T10:00:00Z"}
    )
    meeting = records.create(
        db, me, "meetings", {"hs_meeting_title": "Kickoff", "hs_timestamp": "2026-01-05T10:00:00Z"}
    )
    ann = contact(db, me)
    assert assoc.associate(db, me, [Link(ann.id, note.id)]).single().types[0].id == 201
    assert assoc.associate(db, me, [Link(call.id, meeting.id)]).single().types[0].id == 399
    assert types_between(db, me, meeting.id, call.id) == {400}
    assert assoc.associate(db, me, [Link(note.id, call.id)]).single().types[0].id >= 9000


def test_a2_custom_objects_need_a_definition_first(db: Database, me: Caller) -> None:
    car = car_type(db, me)
    beetle = records.create(db, me, car.id, {"model": "Beetle"})
    ann = contact(db, me)
    before = dump(db)
    refused = assoc.associate(db, me, [Link(beetle.id, ann.id)]).errors[0].error
    assert refused.code is ErrorCode.NO_ASSOCIATION_DEFINITION
    assert dump(db) == before
    object_types.define_association(db, me, car.id, "contacts")
    view = assoc.associate(db, me, [Link(beetle.id, ann.id)]).single()
    assert view.types[0].id >= 10_000
    assert types_between(db, me, ann.id, beetle.id) == {view.types[0].inverse_id}


def test_a3_every_association_has_the_unlabeled_type_and_any_labels(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    billing, _ = labels.create_label(db, me, "contacts", "companies", label="Billing contact")
    view = assoc.associate(db, me, [Link(ann.id, acme.id, (advisor.id, billing.id))]).single()
    assert view.types[0].id == CONTACT_TO_COMPANY
    assert {t.id for t in view.types} == {CONTACT_TO_COMPANY, PRIMARY, advisor.id, billing.id}
    assert set(view.labels) == {"Primary", "Advisor", "Billing contact"}


def test_a3_removing_the_base_type_removes_all_labels(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    champion, _ = labels.create_label(db, me, "contacts", "deals", label="Champion")
    assoc.associate(db, me, [Link(ann.id, big.id, (champion.id,))]).single()
    assoc.remove_labels(db, me, [Link(ann.id, big.id, (4,))]).check()
    assert types_between(db, me, ann.id, big.id) is None
    assert types_between(db, me, big.id, ann.id) is None


def test_a3_removing_a_label_keeps_the_association(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    champion, _ = labels.create_label(db, me, "contacts", "deals", label="Champion")
    assoc.associate(db, me, [Link(ann.id, big.id, (champion.id,))]).single()
    assoc.remove_labels(db, me, [Link(ann.id, big.id, (champion.id,))]).single()
    assert types_between(db, me, ann.id, big.id) == {4}


def test_a3_replacing_labels_sets_exactly_the_types_sent(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    champion, _ = labels.create_label(db, me, "contacts", "deals", label="Champion")
    blocker, _ = labels.create_label(db, me, "contacts", "deals", label="Blocker")
    assoc.associate(db, me, [Link(ann.id, big.id, (champion.id,))]).single()
    assoc.associate(db, me, [Link(ann.id, big.id, (blocker.id,))], replace_labels=True).single()
    assert types_between(db, me, ann.id, big.id) == {4, blocker.id}


def test_a3_a_label_of_another_pair_is_refused(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    before = dump(db)
    for wrong in (advisor.id, PRIMARY, 280, 999_999):
        error = assoc.associate(db, me, [Link(ann.id, big.id, (wrong,))]).errors[0].error
        assert error.code in (ErrorCode.LABEL_NOT_FOR_PAIR, ErrorCode.ASSOCIATION_TYPE_NOT_FOUND)
        assert str(wrong) in error.message
    assert dump(db) == before


def test_a4_paired_label_on_the_same_type_is_directional(db: Database, me: Caller) -> None:
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    manager, employee = labels.create_label(
        db, me, "contacts", "contacts", label="Manager", inverse_label="Employee"
    )
    assert manager.inverse_id == employee.id and manager.id != employee.id
    # Ann is Bob's Manager: the row from Bob to Ann says Manager, from Ann to Bob says Employee.
    assoc.associate(db, me, [Link(bob.id, ann.id, (manager.id,))]).single()
    assert assoc.between(db, me, bob.id, ann.id).labels == ["Manager"]  # type: ignore[union-attr]
    assert assoc.between(db, me, ann.id, bob.id).labels == ["Employee"]  # type: ignore[union-attr]


def test_a4_single_label_reads_the_same_from_both_sides(db: Database, me: Caller) -> None:
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    (colleague,) = labels.create_label(db, me, "contacts", "contacts", label="Colleague")
    assoc.associate(db, me, [Link(ann.id, bob.id, (colleague.id,))]).single()
    assert assoc.between(db, me, bob.id, ann.id).labels == ["Colleague"]  # type: ignore[union-attr]


def test_a7_associating_again_changes_nothing_and_writes_no_history(
    db: Database, me: Caller
) -> None:
    ann, big = contact(db, me), deal(db, me)
    champion, _ = labels.create_label(db, me, "contacts", "deals", label="Champion")
    assoc.associate(db, me, [Link(ann.id, big.id, (champion.id,))]).single()
    before = dump(db)
    again = assoc.associate(db, me, [Link(ann.id, big.id, (champion.id,))])
    assert again.errors == [] and len(again.results) == 1
    assoc.associate(db, me, [Link(big.id, ann.id, (champion.inverse_id,))]).single()
    assert dump(db) == before


def test_a8_self_association_is_refused(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    before = dump(db)
    error = assoc.associate(db, me, [Link(ann.id, ann.id)]).errors[0].error
    assert error.code is ErrorCode.SELF_ASSOCIATION
    assert dump(db) == before


def test_a8_archived_record_is_refused(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    records.delete(db, me, "companies", acme.id)
    before = dump(db)
    error = assoc.associate(db, me, [Link(ann.id, acme.id)]).errors[0].error
    assert error.code is ErrorCode.RECORD_ARCHIVED
    assert "restore" in error.message
    assert dump(db) == before


def test_a8_record_of_another_account_is_refused(db: Database, me: Caller) -> None:
    other = Caller(create_account(db, name="Other"), Actor.user("u2", "Bob"))
    ann = contact(db, me)
    theirs = [company(db, other, f"Theirs {i}") for i in range(3)]
    assert theirs[-1].id > ann.id  # IDs are per account: this one exists only over there
    before = dump(db)
    error = assoc.associate(db, me, [Link(ann.id, theirs[-1].id)]).errors[0].error
    assert error.code is ErrorCode.RECORD_NOT_FOUND
    assert dump(db) == before


def test_a8_unknown_record_and_wrong_type_are_refused(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    result = assoc.associate(
        db,
        me,
        [Link(ann.id, 99_999), Link(acme.id, ann.id)],
        from_type="contacts",
        to_type="companies",
    )
    assert [e.error.code for e in result.errors] == [ErrorCode.RECORD_NOT_FOUND] * 2
    assert [e.index for e in result.errors] == [0, 1]


def test_a6_batch_reports_each_refused_input_and_applies_the_rest(db: Database, me: Caller) -> None:
    ann, bob, acme = contact(db, me, "Ann"), contact(db, me, "Bob"), company(db, me)
    result = assoc.associate(
        db, me, [Link(ann.id, acme.id), Link(bob.id, bob.id), Link(bob.id, acme.id, (12345,))]
    )
    assert [e.index for e in result.errors] == [1, 2]
    assert types_between(db, me, ann.id, acme.id) == {CONTACT_TO_COMPANY, PRIMARY}
    assert types_between(db, me, bob.id, acme.id) is None


def test_a6_an_all_or_nothing_batch_writes_nothing_when_one_input_is_refused(
    db: Database, me: Caller
) -> None:
    ann, bob, acme = contact(db, me, "Ann"), contact(db, me, "Bob"), company(db, me)
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        assoc.associate(db, me, [Link(ann.id, acme.id), Link(bob.id, bob.id)], all_or_nothing=True)
    assert refused.value.code is ErrorCode.SELF_ASSOCIATION
    assert dump(db) == before
    done = assoc.associate(db, me, [Link(ann.id, acme.id)], all_or_nothing=True)
    assert [v.to_id for v in done.results] == [acme.id]


def test_a9_paging_by_cursor_reaches_every_association_once(db: Database, me: Caller) -> None:
    acme = company(db, me)
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(1205)]
    )
    assoc.associate(db, me, [Link(acme.id, p.id) for p in people])
    seen, after, pages = [], 0, 0
    while True:
        page = assoc.list_associations(
            db, me, "companies", acme.id, "contacts", after=after, limit=500
        )
        seen += [v.to_id for v in page.results]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == 3
    assert seen == sorted(p.id for p in people)
    first = assoc.list_associations(db, me, "contacts", people[0].id, "companies")
    assert {t.id for t in first.results[0].types} == {CONTACT_TO_COMPANY, PRIMARY}


def test_a9_page_limit_is_checked(db: Database, me: Caller) -> None:
    acme = company(db, me)
    with pytest.raises(LiaisonError) as refused:
        assoc.list_associations(db, me, "companies", acme.id, "contacts", limit=501)
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_remove_association_that_does_not_exist_is_a_no_op(db: Database, me: Caller) -> None:
    ann, big = contact(db, me), deal(db, me)
    before = dump(db)
    assert assoc.remove(db, me, [Link(ann.id, big.id)]).errors == []
    assert dump(db) == before

"""Primary company: P1-P6."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import associations as assoc
from liaison.services import labels, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import car_type, company, contact, deal, dump, ticket, types_between

PRIMARY = 1


def primary_of(
    db: Database, me: Caller, record_id: int, object_type: str = "contacts"
) -> list[int]:
    page = assoc.list_associations(db, me, object_type, record_id, "companies")
    return [v.to_id for v in page.results if any(t.exclusive for t in v.types)]


def test_p1_primary_exists_only_towards_companies(db: Database, me: Caller) -> None:
    types = labels.list_types(db, me, "contacts", "companies")
    assert [(t.id, t.label) for t in types][:2] == [(279, None), (1, "Primary")]
    assert all(
        t.label != "Primary"
        for t in labels.list_types(db, me, "companies", "contacts")
        if t.exclusive
    )
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id)]).single()
    from_company = assoc.between(db, me, acme.id, ann.id)
    assert from_company is not None
    assert {t.id for t in from_company.types} == {
        280,
        2,
    }  # "a contact whose primary company this is"
    assert not any(t.exclusive for t in from_company.types)


def test_p1_a_record_has_at_most_one_primary_company(db: Database, me: Caller) -> None:
    big = deal(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(big.id, acme.id, (5,)), Link(big.id, beta.id, (5,))]).check()
    assert primary_of(db, me, big.id, "deals") == [beta.id]


def test_p2_choosing_a_new_primary_replaces_the_old_which_stays_associated(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    assert primary_of(db, me, ann.id) == [acme.id]
    assoc.set_primary(db, me, ann.id, beta.id)
    assert primary_of(db, me, ann.id) == [beta.id]
    assert types_between(db, me, ann.id, acme.id) == {279}


def test_p2_primary_chosen_when_associating_several_companies_at_once(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id, (PRIMARY,))]).check()
    assert primary_of(db, me, ann.id) == [beta.id]


def test_p2_set_primary_without_replace_is_refused_when_one_exists(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        assoc.set_primary(db, me, ann.id, beta.id, replace=False)
    assert refused.value.code is ErrorCode.PRIMARY_EXISTS
    assert "Acme" in refused.value.message
    assert dump(db) == before


def test_p2_set_primary_associates_a_new_company(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    assoc.set_primary(db, me, ann.id, acme.id)
    assert primary_of(db, me, ann.id) == [acme.id]


def test_p3_a_contacts_first_company_becomes_primary(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(acme.id, ann.id)]).check()  # from the company's side too
    assoc.associate(db, me, [Link(ann.id, beta.id)]).check()
    assert primary_of(db, me, ann.id) == [acme.id]


def test_p3_the_only_companys_primary_label_cannot_be_removed(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        assoc.remove_primary(db, me, ann.id, acme.id)
    assert refused.value.code is ErrorCode.PRIMARY_REQUIRED
    assert "only one company" in refused.value.message
    assert dump(db) == before
    # Setting the pair's labels to "just the base type" keeps the Primary P3 requires, and so
    # changes nothing (HubSpot's labelled PUT of type 279 on a contact's only company).
    kept = assoc.associate(db, me, [Link(ann.id, acme.id, (279,))], replace_labels=True).single()
    assert {t.id for t in kept.types} == {279, 1}
    assert dump(db) == before


def test_p4_setting_labels_without_primary_needs_the_new_primary(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    before = dump(db)
    refused = assoc.associate(db, me, [Link(ann.id, acme.id, (279,))], replace_labels=True)
    assert refused.errors[0].error.code is ErrorCode.PRIMARY_REQUIRED
    assert dump(db) == before
    named = Link(ann.id, acme.id, (279,), successor=beta.id)
    assoc.associate(db, me, [named], replace_labels=True).check()
    assert primary_of(db, me, ann.id) == [beta.id]


def test_p4_removing_the_primary_label_needs_the_new_primary(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        assoc.remove_primary(db, me, ann.id, acme.id)
    assert refused.value.code is ErrorCode.PRIMARY_REQUIRED
    with pytest.raises(LiaisonError) as wrong:
        assoc.remove_primary(db, me, ann.id, acme.id, successor=acme.id)
    assert wrong.value.code is ErrorCode.INVALID_SUCCESSOR
    assert dump(db) == before
    assoc.remove_primary(db, me, ann.id, acme.id, successor=beta.id)
    assert primary_of(db, me, ann.id) == [beta.id]
    assert types_between(db, me, ann.id, acme.id) == {279}


def test_p4_removing_the_primary_company_with_one_left_promotes_it(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    assoc.remove(db, me, [Link(acme.id, ann.id)]).check()  # from the company's side
    assert primary_of(db, me, ann.id) == [beta.id]


def test_p4_removing_the_primary_company_with_several_left_needs_a_successor(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    acme, beta, gamma = (company(db, me, n) for n in ("Acme", "Beta", "Gamma"))
    assoc.associate(db, me, [Link(ann.id, c.id) for c in (acme, beta, gamma)]).check()
    before = dump(db)
    refused = assoc.remove(db, me, [Link(ann.id, acme.id)]).errors[0].error
    assert refused.code is ErrorCode.PRIMARY_REQUIRED
    assert "2 other companies" in refused.message
    assert dump(db) == before
    assoc.remove(db, me, [Link(ann.id, acme.id, successor=gamma.id)]).check()
    assert primary_of(db, me, ann.id) == [gamma.id]
    assert types_between(db, me, ann.id, acme.id) is None


def test_p4_removing_the_last_company_leaves_no_primary(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    assoc.remove(db, me, [Link(ann.id, acme.id)]).check()
    assert primary_of(db, me, ann.id) == []


def test_p5_deals_tickets_and_custom_objects_may_go_without_primary(
    db: Database, me: Caller
) -> None:
    big, broken, acme = deal(db, me), ticket(db, me), company(db, me)
    car = car_type(db, me, "companies")
    beetle = records.create(db, me, car.id, {"model": "Beetle"})
    for record, object_type in ((big, "deals"), (broken, "tickets"), (beetle, car.id)):
        assoc.associate(db, me, [Link(record.id, acme.id)]).check()
        assert primary_of(db, me, record.id, object_type) == []
    assoc.set_primary(db, me, beetle.id, acme.id)
    assert primary_of(db, me, beetle.id, car.id) == [acme.id]
    assoc.set_primary(db, me, broken.id, acme.id)
    assert types_between(db, me, broken.id, acme.id) == {339, 26}
    assoc.remove_primary(db, me, broken.id, acme.id)
    assert primary_of(db, me, broken.id, "tickets") == []


def test_p6_custom_primary_label_allows_one_per_record_and_replaces(
    db: Database, me: Caller
) -> None:
    broken = ticket(db, me)
    first, second = deal(db, me, "First"), deal(db, me, "Second")
    main_deal, _ = labels.create_label(
        db, me, "tickets", "deals", label="Primary deal", primary=True
    )
    assert main_deal.exclusive
    assoc.associate(db, me, [Link(broken.id, first.id, (main_deal.id,))]).check()
    assoc.associate(db, me, [Link(broken.id, second.id, (main_deal.id,))]).check()
    assert types_between(db, me, broken.id, first.id) == {28}
    assert types_between(db, me, broken.id, second.id) == {28, main_deal.id}
    other = ticket(db, me, "Other")
    assoc.associate(db, me, [Link(other.id, second.id, (main_deal.id,))]).check()
    assert types_between(db, me, other.id, second.id) == {
        28,
        main_deal.id,
    }  # per record, not per deal


def test_p6_custom_primary_label_set_from_the_other_side(db: Database, me: Caller) -> None:
    broken, first, second = ticket(db, me), deal(db, me, "First"), deal(db, me, "Second")
    main_deal, inverse = labels.create_label(
        db, me, "tickets", "deals", label="Primary deal", inverse_label="Main ticket", primary=True
    )
    assoc.associate(db, me, [Link(first.id, broken.id, (inverse.id,))]).check()
    assoc.associate(db, me, [Link(second.id, broken.id, (inverse.id,))]).check()
    assert types_between(db, me, broken.id, first.id) == {28}
    assert types_between(db, me, broken.id, second.id) == {28, main_deal.id}


def test_p4_removing_the_primary_of_records_not_associated_is_refused(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        assoc.remove_primary(db, me, ann.id, acme.id)
    assert refused.value.code is ErrorCode.NOT_ASSOCIATED
    assert "not associated" in refused.value.message
    assert dump(db) == before

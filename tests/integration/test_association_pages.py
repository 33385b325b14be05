"""A page of a record's associations (A9): one statement, and never read with a stale schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import associations as assoc
from liaison.services import labels, object_types, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from tests.helpers import car_type, company, contact, deal, driver_statements


@pytest.fixture
def elsewhere(db: Database) -> Iterator[Database]:
    """The same database opened again, as another process would: its own schema cache."""
    other = Database.open(db.engine.url.render_as_string(hide_password=False), migrate=False)
    yield other
    other.close()


def _labels_by_target(page: assoc.AssociationPage) -> dict[int, list[str]]:
    return {found.to_id: found.labels for found in page.results}


def test_a9_a_page_is_one_statement_with_or_without_labels(db: Database, me: Caller) -> None:
    acme = company(db, me)
    others = records.create_many(
        db, me, "companies", [records.NewRecord({"name": f"C{i}"}) for i in range(5)]
    )
    (partner,) = labels.create_label(db, me, "companies", "companies", label="Partner")
    assoc.associate(db, me, [Link(acme.id, c.id, (partner.id,)) for c in others[:2]]).check()
    assoc.associate(db, me, [Link(acme.id, c.id) for c in others[2:]]).check()
    lonely = company(db, me, "Lonely")
    assoc.list_associations(db, me, "companies", acme.id, "companies")  # the schema is loaded

    for record_id, after in ((acme.id, 0), (acme.id, others[1].id), (lonely.id, 0)):
        with driver_statements(db) as statements:
            assoc.list_associations(db, me, "companies", record_id, "companies", after=after)
        assert len(statements) == 1, statements


def test_a9_a_record_that_is_not_there_costs_one_statement_too(db: Database, me: Caller) -> None:
    acme, ann = company(db, me), contact(db, me)
    assoc.list_associations(db, me, "companies", acme.id, "contacts")
    for record_id in (ann.id, 999_999):  # another type's record, then no record at all
        with driver_statements(db) as statements, pytest.raises(LiaisonError) as refused:
            assoc.list_associations(db, me, "companies", record_id, "contacts")
        assert refused.value.code is ErrorCode.RECORD_NOT_FOUND
        assert len(statements) == 1, statements


def test_a9_each_page_shows_the_labels_of_its_own_targets(db: Database, me: Caller) -> None:
    acme = company(db, me)
    deals = records.create_many(
        db, me, "deals", [records.NewRecord({"dealname": f"D{i}"}) for i in range(7)]
    )
    advisor, _ = labels.create_label(db, me, "companies", "deals", label="Advisor")
    labelled = {deals[i].id for i in (0, 2, 3, 6)}  # 3 starts the second page of three
    assoc.associate(
        db, me, [Link(acme.id, d.id, (advisor.id,) if d.id in labelled else ()) for d in deals]
    ).check()
    seen: dict[int, list[str]] = {}
    after: int | None = 0
    while after is not None:
        page = assoc.list_associations(db, me, "companies", acme.id, "deals", after=after, limit=3)
        seen |= _labels_by_target(page)
        after = page.next_after
    assert seen == {d.id: ["Advisor"] if d.id in labelled else [] for d in deals}


def test_a9_a_label_renamed_by_another_process_shows_its_new_name(
    db: Database, elsewhere: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    assoc.associate(db, me, [Link(ann.id, acme.id, (advisor.id,))]).check()
    first = assoc.list_associations(db, me, "contacts", ann.id, "companies")
    assert _labels_by_target(first) == {acme.id: ["Primary", "Advisor"]}

    labels.rename_label(elsewhere, me, "contacts", "companies", advisor.id, label="Mentor")
    again = assoc.list_associations(db, me, "contacts", ann.id, "companies")
    assert _labels_by_target(again) == {acme.id: ["Primary", "Mentor"]}


def test_a9_types_and_labels_made_by_another_process_are_read(
    db: Database, elsewhere: Database, me: Caller
) -> None:
    ann = contact(db, me)
    assoc.list_associations(db, me, "contacts", ann.id, "companies")  # this schema has no cars

    cars = car_type(elsewhere, me, "contacts")
    car = records.create(elsewhere, me, cars.name, {"model": "T"})
    fan, _ = labels.create_label(elsewhere, me, cars.name, "contacts", label="Fan")
    assoc.associate(elsewhere, me, [Link(car.id, ann.id, (fan.id,))]).check()

    from_car = assoc.list_associations(db, me, cars.name, car.id, "contacts")
    assert _labels_by_target(from_car) == {ann.id: ["Fan"]}
    from_ann = assoc.list_associations(db, me, "contacts", ann.id, cars.name)
    assert [found.to_id for found in from_ann.results] == [car.id]


def test_a9_a_type_deleted_by_another_process_is_refused(
    db: Database, elsewhere: Database, me: Caller
) -> None:
    ann, big = contact(db, me), deal(db, me)
    cars = car_type(db, me, "contacts")
    assoc.list_associations(db, me, "contacts", ann.id, cars.name)  # this schema knows cars

    object_types.archive_object_type(elsewhere, me, cars.id)
    with pytest.raises(LiaisonError) as refused:
        assoc.list_associations(db, me, "contacts", ann.id, cars.name)
    assert refused.value.code is ErrorCode.OBJECT_TYPE_NOT_FOUND
    assert assoc.list_associations(db, me, "deals", big.id, "contacts").results == []

"""Association history: H1, H2, H4-H6."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor, ActorKind, Change, HistoryEvent, Source
from liaison.services import associations as assoc
from liaison.services import history, labels, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.storage import history as history_store
from liaison.storage import operations as operations_store
from liaison.storage.tables import association_history
from tests.helpers import car_type, company, contact, deal, driver_statements, dump


def changes(page: history.HistoryPage) -> list[tuple[Change, int, str | None]]:
    return [(e.change, e.other_id, e.label) for e in page.entries]


def test_h1_every_change_is_recorded_with_both_records_label_source_actor(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me, "Ann"), company(db, me, "Acme")
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    assoc.associate(db, me, [Link(ann.id, acme.id, (advisor.id,))]).check()
    assoc.remove_labels(db, me, [Link(ann.id, acme.id, (advisor.id,))]).check()
    assoc.remove(db, me, [Link(ann.id, acme.id)]).check()
    page = history.record_history(db, me, "contacts", ann.id)
    assert changes(page) == [
        (Change.REMOVED, acme.id, None),
        (Change.PRIMARY_REMOVED, acme.id, "Primary"),
        (Change.LABEL_REMOVED, acme.id, "Advisor"),
        (Change.LABEL_ADDED, acme.id, "Advisor"),
        (Change.PRIMARY_SET, acme.id, "Primary"),
        (Change.CREATED, acme.id, None),
    ]
    first = page.entries[-1]
    assert (first.record_id, first.record_name, first.other_name) == (ann.id, "Ann Lee", "Acme")
    assert (first.source, first.actor_kind, first.actor_name) == (
        Source.USER,
        ActorKind.USER,
        "Ann Admin",
    )
    assert first.other_type == "0-2" and first.type_id == 279


def test_h1_history_reads_from_the_other_side_with_inverse_types(db: Database, me: Caller) -> None:
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    manager, employee = labels.create_label(
        db, me, "contacts", "contacts", label="Manager", inverse_label="Employee"
    )
    assoc.associate(db, me, [Link(bob.id, ann.id, (manager.id,))]).check()
    seen_by_ann = history.record_history(db, me, "contacts", ann.id).entries[0]
    assert (seen_by_ann.other_id, seen_by_ann.type_id, seen_by_ann.label) == (
        bob.id,
        employee.id,
        "Employee",
    )
    assert seen_by_ann.other_name == "Bob Lee"


def test_h1_names_are_kept_as_they_were(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me, "Ann"), company(db, me, "Acme")
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    records.update(db, me, "companies", acme.id, {"name": "Acme Renamed"})
    entry = history.record_history(db, me, "contacts", ann.id).entries[-1]
    assert entry.other_name == "Acme"


@pytest.mark.parametrize(
    ("actor", "source"),
    [
        (Actor.user("u9", None), Source.USER),
        (Actor(ActorKind.API_TOKEN, "t1", "CI token"), Source.API),
        (Actor(ActorKind.IMPORT, "imp-1", "contacts.csv"), Source.IMPORT),
        (Actor(ActorKind.JOB, "job-1", "rules"), Source.JOB),
    ],
)
def test_h2_source_follows_the_actor(db: Database, actor: Actor, source: Source) -> None:
    caller = Caller(1, actor)
    ann, big = contact(db, caller), deal(db, caller)
    assoc.associate(db, caller, [Link(ann.id, big.id)]).check()
    entry = history.record_history(db, caller, "deals", big.id).entries[0]
    assert entry.source is source
    assert entry.actor_id == actor.id


def test_h2_a_page_of_several_operations_shows_each_change_s_own_actor(
    db: Database, me: Caller
) -> None:
    """Each entry carries the actor of its own operation, whichever side the record is on; on
    PostgreSQL the page and its actors are one statement."""
    ann, acme, beta = contact(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    script = Caller(me.account_id, Actor(ActorKind.API_TOKEN, "t7", "Sync script"))
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    assoc.associate(db, script, [Link(beta.id, ann.id)]).check()  # Ann on the `to` side
    history.record_history(db, me, "contacts", ann.id)  # the schema is loaded
    with driver_statements(db) as statements:
        page = history.record_history(db, me, "contacts", ann.id)
    assert [(e.change, e.other_id, e.actor_kind, e.actor_id, e.source) for e in page.entries] == [
        (Change.CREATED, beta.id, ActorKind.API_TOKEN, "t7", Source.API),
        (Change.PRIMARY_SET, acme.id, ActorKind.USER, "user-1", Source.USER),
        (Change.CREATED, acme.id, ActorKind.USER, "user-1", Source.USER),
    ]
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == 1, statements


def test_h4_one_associations_history_newest_first(db: Database, me: Caller) -> None:
    ann, acme, beta = contact(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    assoc.set_primary(db, me, ann.id, beta.id)
    assoc.remove(db, me, [Link(acme.id, ann.id)]).check()
    page = history.association_history(db, me, "contacts", ann.id, "companies", acme.id)
    assert [e.change for e in page.entries] == [
        Change.REMOVED,
        Change.PRIMARY_REMOVED,
        Change.PRIMARY_SET,
        Change.CREATED,
    ]
    assert {e.other_id for e in page.entries} == {acme.id}
    from_company = history.association_history(db, me, "companies", acme.id, "contacts", ann.id)
    assert [e.id for e in from_company.entries] == [e.id for e in page.entries]
    assert from_company.entries[1].label == "Primary" and from_company.entries[1].type_id == 2


def test_h3_record_history_filters_by_type_and_pages(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    companies = [company(db, me, f"C{i}") for i in range(5)]
    deals = [deal(db, me, f"D{i}") for i in range(3)]
    assoc.associate(db, me, [Link(ann.id, r.id) for r in companies + deals]).check()
    only_deals = history.record_history(db, me, "contacts", ann.id, other_type="deals")
    assert {e.other_id for e in only_deals.entries} == {d.id for d in deals}
    seen, before = [], None
    while True:
        page = history.record_history(db, me, "contacts", ann.id, before=before, limit=2)
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == 9 and seen == sorted(seen, reverse=True)


def test_h5_history_is_append_only(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    kept = dump(db)["association_history"]
    assoc.remove(db, me, [Link(ann.id, acme.id)]).check()
    assert set(kept) <= set(dump(db)["association_history"])


def test_h6_every_change_belongs_to_an_operation(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    entries = history.record_history(db, me, "contacts", ann.id).entries
    assert len({e.operation_id for e in entries}) == 1
    operation = history.operation(db, me, entries[0].operation_id)
    assert operation.kind == "associate" and operation.actor_name == "Ann Admin"
    assert operation.source is Source.USER
    assert sorted(e.id for e in operation.entries) == sorted(e.id for e in entries)
    with pytest.raises(LiaisonError) as refused:
        history.operation(db, me, 999)
    assert refused.value.code is ErrorCode.OPERATION_NOT_FOUND


def test_h6_an_operation_can_be_reversed_from_its_history(db: Database, me: Caller) -> None:
    """Undo by applying the opposite of each event in reverse order restores the state exactly."""
    ann, acme, beta = contact(db, me), company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(db, me, [Link(ann.id, acme.id), Link(ann.id, beta.id)]).check()
    state_before = {
        (v.to_id, tuple(t.id for t in v.types))
        for v in assoc.list_associations(db, me, "contacts", ann.id, "companies").results
    }
    assoc.set_primary(db, me, ann.id, beta.id)
    entries = history.record_history(db, me, "contacts", ann.id).entries
    operation = history.operation(db, me, entries[0].operation_id)
    for entry in reversed(operation.entries):
        undo = entry.change.opposite
        assert undo in (Change.PRIMARY_SET, Change.PRIMARY_REMOVED)
        if undo is Change.PRIMARY_SET:
            assoc.set_primary(db, me, entry.record_id, entry.other_id)
    state_after = {
        (v.to_id, tuple(t.id for t in v.types))
        for v in assoc.list_associations(db, me, "contacts", ann.id, "companies").results
    }
    assert state_after == state_before


def test_h3_history_of_a_record_of_a_type_created_since_the_schema_was_cached(
    db: Database, me: Caller
) -> None:
    """History reads trust the cached schema until it refuses; a new type must not be refused."""
    history.record_history(db, me, "contacts", contact(db, me).id)  # caches the schema
    car = car_type(db, me, "contacts")
    beetle, ann = records.create(db, me, car.id, {"model": "B1"}), contact(db, me, "Ann")
    assoc.associate(db, me, [Link(beetle.id, ann.id)]).check()
    entries = history.record_history(db, me, "car", beetle.id, other_type="contacts").entries
    assert [e.other_id for e in entries] == [ann.id]


def _pages(db: Database, me: Caller, record_id: int, limit: int) -> list[int]:
    """The IDs of the record's whole history, read page by page."""
    seen: list[int] = []
    before = None
    while True:
        page = history.record_history(db, me, "companies", record_id, before=before, limit=limit)
        seen += [e.id for e in page.entries]
        if page.next_before is None:
            return seen
        before = page.next_before


def test_h3_a_history_reads_the_same_whichever_level_holds_its_to_side(
    db: Database, me: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite finds rows from their `to_id` side in a small level and a large one (decision
    0023): a page merges both, and moving entries between them changes no page."""
    acme = company(db, me, "Acme")
    people = [contact(db, me, f"P{i}") for i in range(6)]
    assoc.associate(db, me, [Link(p.id, acme.id) for p in people[:3]]).check()
    before_moving = _pages(db, me, acme.id, limit=100)
    with db.engine.begin() as conn:
        history_store.merge_to_side(conn, me.account_id)
    assert _pages(db, me, acme.id, limit=100) == before_moving
    monkeypatch.setattr(history_store, "MERGE_EVERY", 4)  # a move every few rows from now on
    for p in people[3:]:
        assoc.associate(db, me, [Link(p.id, acme.id)]).check()
    everything = _pages(db, me, acme.id, limit=100)
    assert len(everything) == 12  # each contact: CREATED and PRIMARY_SET, seen from Acme
    assert everything == sorted(everything, reverse=True)
    assert _pages(db, me, acme.id, limit=5) == everything
    page = history.record_history(db, me, "companies", acme.id, other_type="contacts", limit=100)
    assert [e.id for e in page.entries] == everything


def test_l5_a_purged_record_s_name_leaves_the_history_from_both_levels(
    db: Database, me: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = company(db, me, "Acme")
    monkeypatch.setattr(history_store, "MERGE_EVERY", 3)
    for name in ("Ann", "Bob", "Cy", "Di"):
        assoc.associate(db, me, [Link(contact(db, me, name).id, acme.id)]).check()
    records.purge(db, me, "companies", acme.id)
    assert all("Acme" not in row for row in dump(db)["association_history"])


def test_h1_a_batch_of_many_shapes_keeps_every_label_and_order(db: Database, me: Caller) -> None:
    """On SQLite a batch's rows are written one statement per shape of change with the shared
    values in the statement (decision 0025): labels that cannot be written there as they are
    (quotes, backslashes, a control character) are bound instead, and read back the same."""
    odd, plain = 'O\'Brien \\ "co"\n--', "Rådgiver (ekstern) 2/3"
    quoted, _ = labels.create_label(db, me, "contacts", "companies", label=odd, name="odd")
    norsk, _ = labels.create_label(db, me, "contacts", "companies", label=plain, name="norsk")
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    acme, beta = company(db, me, "Acme"), company(db, me, "Beta")
    assoc.associate(
        db,
        me,
        [
            Link(ann.id, acme.id, (quoted.id,)),
            Link(bob.id, acme.id, (norsk.id,)),
            Link(ann.id, beta.id, (norsk.id, quoted.id)),
        ],
    ).check()
    seen = {
        (e.other_id, e.change, e.label)
        for who in (ann, bob)
        for e in history.record_history(db, me, "contacts", who.id).entries
    }
    assert {(other, label) for other, change, label in seen if change is Change.LABEL_ADDED} == {
        (acme.id, quoted.label),
        (acme.id, norsk.label),
        (beta.id, norsk.label),
        (beta.id, quoted.label),
    }
    assert quoted.label is not None and "'" in quoted.label and norsk.label == plain
    ids = [e.id for e in history.record_history(db, me, "contacts", ann.id).entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_h1_history_rows_of_every_shape_are_read_back_as_their_events(
    db: Database, me: Caller
) -> None:
    """Every field of every event is read back as it was, whichever statement wrote it
    (decision 0025): shapes with and without a detail, with labels written into the statement
    and with a label that must be bound; a CREATED and the PRIMARY_SET made with it share one
    row (decision 0029), a PRIMARY_SET that differs in anything does not. Written in a
    transaction that is rolled back."""
    odd, api, job = "it's \\ odd", Source.API, Source.JOB
    unlabeled, primary, labelled = (
        (279, None, 280, None),
        (1, "Primary", 2, "Primary"),
        (9001, odd, 9002, "x"),
    )
    events = [
        _event(Change.CREATED, 1, unlabeled, ("A", "B"), api),
        _event(Change.LABEL_ADDED, 1, labelled, ("A", None), job, {"rule": odd}),
        _event(Change.CREATED, 3, unlabeled, (None, "B"), api),
        _event(Change.PRIMARY_SET, 3, primary, ("C", "B"), job, {"why": "first"}),
        _event(Change.LABEL_ADDED, 3, labelled, ("C", "B"), job),
        _event(Change.CREATED, 5, unlabeled, ("D", "B"), job, {"why": "first"}),
        _event(Change.PRIMARY_SET, 5, primary, ("D", "B"), job, {"why": "first"}),
        _event(Change.CREATED, 7, unlabeled, ("E", odd), api),
        _event(Change.PRIMARY_SET, 7, (1, odd, 2, "Primary"), ("E", odd), api),
    ]
    with db.engine.connect() as conn, conn.begin() as transaction:
        operation = operations_store.insert_operation(
            conn, me.account_id, kind="test", source=Source.API, actor=me.actor, now=7
        )
        first, last = history_store.append(conn, me.account_id, operation, events, now=7)
        operations_store.note_history(conn, me.account_id, operation, first, last)
        read = history_store.for_operation(conn, me.account_id, operation)
        pages = [
            history_store.for_operation(conn, me.account_id, operation, after=after, limit=1)
            for after in range(first - 1, last)
        ]
        stored = conn.execute(
            select(func.count()).where(
                association_history.c.account_id == me.account_id,
                association_history.c.operation_id == operation,
            )
        ).scalar_one()
        transaction.rollback()
    assert [e.id for e in read] == list(range(first, last + 1))
    assert [(e.change, *e[5:15], e.source, e.detail) for e in read] == [
        (e.change.value, *e[1:11], e.source.value, e.detail) for e in events
    ]
    assert pages == [[e] for e in read]  # one at a time, a shared row's halves apart
    assert stored == len(events) - 2


def test_h3_h4_pages_of_one_event_part_a_created_and_its_primary_set(
    db: Database, me: Caller
) -> None:
    """A new association and the primary it gives share one row (decision 0029): pages of one
    event still give both, newest first, from either record and for the pair alone."""
    ann, acme = contact(db, me, "Ann"), company(db, me, "Acme")
    assoc.associate(db, me, [Link(ann.id, acme.id)]).check()
    readers = {
        "contact": lambda before: history.record_history(
            db, me, "contacts", ann.id, before=before, limit=1
        ),
        "company": lambda before: history.record_history(
            db, me, "companies", acme.id, before=before, limit=1
        ),
        "pair": lambda before: history.association_history(
            db, me, "companies", acme.id, "contacts", ann.id, before=before, limit=1
        ),
    }
    for side, read in readers.items():
        seen, before = [], None
        while True:
            page = read(before)
            seen += page.entries
            if page.next_before is None:
                break
            before = page.next_before
        assert [e.change for e in seen] == [Change.PRIMARY_SET, Change.CREATED], side
        assert seen[0].id == seen[1].id + 1, side


def _event(
    change: Change,
    contact_id: int,
    types: tuple[int, str | None, int, str | None],
    names: tuple[str | None, str | None],
    source: Source,
    detail: dict[str, str] | None = None,
) -> HistoryEvent:
    return HistoryEvent(change, "0-1", contact_id, "0-2", 2, *types, *names, source, detail)

"""Activities: the timeline (T1), activity rules (T2) and why each automatic association
exists (T3), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Change, Source
from liaison.domain.records import Record
from liaison.services import activities, activity_rules, associations, history, records
from liaison.services.activity_rules import RuleChange
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.records import NewAssociation
from liaison.services.unit import Caller
from tests.helpers import company, contact, deal, dump, ticket, types_between


def _link(db: Database, me: Caller, a: Record, *others: Record) -> None:
    associations.associate(db, me, [AssociationInput(a.id, o.id) for o in others]).check()


def _note(db: Database, me: Caller, on: Record, body: str = "Hello", at: str = "") -> Record:
    kind = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-5": "tickets"}[on.type_id]
    props = {"hs_note_body": body, **({"hs_timestamp": at} if at else {})}
    return activities.log_activity(db, me, kind, on.id, "notes", props)


def _associated(db: Database, me: Caller, record: Record) -> set[int]:
    entries = history.record_history(db, me, "notes", record.id).entries
    live: set[int] = set()
    for e in reversed(entries):
        if e.change is Change.CREATED:
            live.add(e.other_id)
        elif e.change is Change.REMOVED:
            live.discard(e.other_id)
    return live


# -- T1: the timeline ---------------------------------------------------------------------------
def test_t1_timeline_lists_a_records_activities_newest_first_by_timestamp(
    db: Database, me: Caller
) -> None:
    ann = contact(db, me)
    old = _note(db, me, ann, "old", "2024-01-01T10:00:00Z")
    new = _note(db, me, ann, "new", "2025-06-01T10:00:00+02:00")
    mid = _note(db, me, ann, "mid", "2024-06-01T10:00:00Z")
    call = activities.log_activity(
        db, me, "contacts", ann.id, "calls", {"hs_call_title": "Rang", "hs_timestamp": "2024-03-01"}
    )
    page = activities.timeline(db, me, "contacts", ann.id)
    assert [e.activity.id for e in page.entries] == [new.id, mid.id, call.id, old.id]
    assert page.entries[0].activity_type.name == "notes"
    assert page.next_after is None


def test_t1_timeline_filters_by_type_and_pages_by_cursor(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    notes = [_note(db, me, ann, f"n{i}", f"2024-01-{i + 1:02d}T00:00:00Z") for i in range(7)]
    activities.log_activity(db, me, "contacts", ann.id, "tasks", {"hs_task_subject": "Call back"})
    seen: list[int] = []
    after = None
    while True:
        page = activities.timeline(
            db, me, "contacts", ann.id, activity_types=["notes"], after=after, limit=3
        )
        seen += [e.activity.id for e in page.entries]
        after = page.next_after
        if after is None:
            break
    assert seen == [n.id for n in reversed(notes)]
    tasks = activities.timeline(db, me, "contacts", ann.id, activity_types=["tasks"])
    assert [e.activity_type.name for e in tasks.entries] == ["tasks"]


def test_t1_timeline_entries_name_the_records_each_activity_is_associated_with(
    db: Database, me: Caller
) -> None:
    ann, acme, big = contact(db, me), company(db, me), deal(db, me)
    _link(db, me, ann, acme, big)
    _note(db, me, ann)
    entry = activities.timeline(db, me, "companies", acme.id).entries[0]
    assert {(r.object_type.name, r.id) for r in entry.associated} == {
        ("contacts", ann.id),
        ("companies", acme.id),
        ("deals", big.id),
    }


def test_t1_notes_created_through_records_appear_like_logged_ones(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    note = records.create(
        db,
        me,
        "notes",
        {"hs_note_body": "API", "hs_timestamp": "2024-01-01T00:00:00Z"},
        [NewAssociation(ann.id)],
    )
    assert [e.activity.id for e in activities.timeline(db, me, "contacts", ann.id).entries] == [
        note.id
    ]


def test_t1_bad_timeline_requests_are_clear_errors(db: Database, me: Caller) -> None:
    ann = contact(db, me)
    with pytest.raises(LiaisonError) as cursor:
        activities.timeline(db, me, "contacts", ann.id, after="yesterday")
    assert cursor.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(LiaisonError) as kind:
        activities.timeline(db, me, "contacts", ann.id, activity_types=["deals"])
    assert kind.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(LiaisonError) as other:
        activities.timeline(db, me, "companies", ann.id)
    assert other.value.code is ErrorCode.RECORD_NOT_FOUND
    before = dump(db)
    with pytest.raises(LiaisonError) as not_activity:
        activities.log_activity(db, me, "contacts", ann.id, "deals", {"dealname": "x"})
    assert not_activity.value.code is ErrorCode.INVALID_INPUT
    with pytest.raises(LiaisonError) as bad_time:
        activities.log_activity(
            db, me, "contacts", ann.id, "notes", {"hs_note_body": "x", "hs_timestamp": "soon"}
        )
    assert bad_time.value.code is ErrorCode.INVALID_PROPERTY
    with pytest.raises(LiaisonError) as gone:
        activities.log_activity(db, me, "contacts", 999_999, "notes", {"hs_note_body": "x"})
    assert gone.value.code is ErrorCode.RECORD_NOT_FOUND
    assert dump(db) == before


# -- T2: the rules and their defaults ------------------------------------------------------------
def test_t2_contact_default_primary_company_and_five_most_recent_open_deals_and_tickets(
    db: Database, me: Caller
) -> None:
    ann, acme, other = contact(db, me), company(db, me, "Acme"), company(db, me, "Other")
    _link(db, me, ann, acme, other)  # Acme is primary (first)
    deals = [deal(db, me, f"D{i}") for i in range(7)]
    for d in deals:
        _link(db, me, ann, d)
    closed = deal(db, me, "Won", dealstage="closedwon")
    _link(db, me, ann, closed)
    open_ticket = ticket(db, me, "Open")
    closed_ticket = ticket(db, me, "Closed", hs_pipeline_stage="4")
    _link(db, me, ann, open_ticket, closed_ticket)
    note = _note(db, me, ann)
    assert _associated(db, me, note) == {
        ann.id,
        acme.id,
        *(d.id for d in deals[-5:]),
        open_ticket.id,
    }


def test_t2_deal_and_ticket_defaults_primary_company_and_all_contacts(
    db: Database, me: Caller
) -> None:
    big, acme = deal(db, me), company(db, me)
    people = [contact(db, me, f"P{i}") for i in range(7)]
    _link(db, me, big, acme, *people)
    associations.set_primary(db, me, big.id, acme.id)
    note = _note(db, me, big)
    assert _associated(db, me, note) == {big.id, acme.id, *(p.id for p in people)}
    broken = ticket(db, me)
    _link(db, me, broken, people[0])
    assert _associated(db, me, _note(db, me, broken)) == {broken.id, people[0].id}


def test_t2_a_deal_without_a_primary_company_gives_none(db: Database, me: Caller) -> None:
    big, acme = deal(db, me), company(db, me)
    _link(db, me, big, acme)
    assert _associated(db, me, _note(db, me, big)) == {big.id}


def test_t2_admins_change_the_rules(db: Database, me: Caller) -> None:
    ann, acme, other = contact(db, me), company(db, me, "Acme"), company(db, me, "Other")
    _link(db, me, ann, acme, other)
    deals = [deal(db, me, f"D{i}") for i in range(3)]
    _link(db, me, ann, *deals)
    activity_rules.set_rules(
        db,
        me,
        [
            RuleChange("contacts", "notes", "companies", "all"),
            RuleChange("0-1", "0-46", "0-3", "most_recent"),
        ],
    )
    note = _note(db, me, ann)
    assert _associated(db, me, note) == {ann.id, acme.id, other.id, deals[-1].id}
    # other activity types keep their defaults
    call = activities.log_activity(db, me, "contacts", ann.id, "calls", {"hs_call_title": "x"})
    entries = history.record_history(db, me, "calls", call.id).entries
    assert {e.other_id for e in entries} == {ann.id, acme.id, *(d.id for d in deals)}
    rules = {
        (s.record_type.name, s.activity_type.name, s.target_type.name): s.rule.value
        for s in activity_rules.list_rules(db, me)
    }
    assert rules[("contacts", "notes", "companies")] == "all"
    assert rules[("contacts", "calls", "companies")] == "primary_company"
    assert rules[("companies", "notes", "contacts")] == "none"
    activity_rules.set_rules(db, me, [RuleChange("contacts", "notes", "deals", "none")])
    assert _associated(db, me, _note(db, me, ann)) == {ann.id, acme.id, other.id}


@pytest.mark.parametrize(
    "change",
    [
        RuleChange("contacts", "notes", "deals", "primary_company"),
        RuleChange("companies", "notes", "companies", "all"),
        RuleChange("notes", "notes", "contacts", "all"),
        RuleChange("contacts", "deals", "companies", "all"),
        RuleChange("contacts", "notes", "companies", "sometimes"),
        RuleChange("planets", "notes", "companies", "all"),
    ],
)
def test_t2_a_bad_rule_is_a_clear_error_and_changes_nothing(
    db: Database, me: Caller, change: RuleChange
) -> None:
    before = dump(db)
    good = RuleChange("contacts", "notes", "companies", "all")
    with pytest.raises(LiaisonError) as error:
        activity_rules.set_rules(db, me, [good, change])
    assert error.value.code in (ErrorCode.INVALID_INPUT, ErrorCode.OBJECT_TYPE_NOT_FOUND)
    assert dump(db) == before


def test_t2_rules_run_in_the_transaction_of_the_logging(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    _link(db, me, ann, acme)
    note = _note(db, me, ann)
    [created] = [
        e for e in history.record_history(db, me, "notes", note.id).entries if e.other_id == acme.id
    ]
    [logged] = [
        e for e in history.record_history(db, me, "notes", note.id).entries if e.other_id == ann.id
    ]
    assert created.operation_id == logged.operation_id
    assert logged.source is Source.USER


# -- T3: why, and what happens when the followed association goes -------------------------------
def test_t3_each_automatic_association_records_its_rule_and_the_association_it_followed(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    _link(db, me, ann, acme)
    note = _note(db, me, ann)
    page = history.association_history(db, me, "notes", note.id, "companies", acme.id)
    [entry] = page.entries
    assert entry.source is Source.JOB
    assert entry.detail is not None
    assert entry.detail["reason"] == "added by rule: contact's primary company"
    assert entry.reason == "added by rule: contact's primary company"
    assert entry.detail["rule"] == "primary_company"
    assert entry.detail["followed"] == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": ann.id,
        "toObjectTypeId": "0-2",
        "toObjectId": acme.id,
    }


def test_t3_removing_the_followed_association_keeps_the_activitys_and_history_shows_both(
    db: Database, me: Caller
) -> None:
    ann, acme = contact(db, me), company(db, me)
    _link(db, me, ann, acme)
    note = _note(db, me, ann)
    associations.remove(db, me, [AssociationInput(ann.id, acme.id)]).check()
    assert types_between(db, me, ann.id, acme.id) is None
    assert types_between(db, me, note.id, acme.id) is not None
    company_history = history.record_history(db, me, "companies", acme.id).entries
    changes = [(e.other_id, e.change, e.source) for e in company_history]
    assert (ann.id, Change.REMOVED, Source.USER) in changes
    assert (note.id, Change.CREATED, Source.JOB) in changes
    assert activities.timeline(db, me, "companies", acme.id).entries[0].activity.id == note.id


def test_t3_an_association_the_user_made_too_is_not_written_twice(db: Database, me: Caller) -> None:
    ann, acme = contact(db, me), company(db, me)
    _link(db, me, ann, acme)
    note = records.create(
        db,
        me,
        "notes",
        {"hs_note_body": "x", "hs_timestamp": "2024-01-01T00:00:00Z"},
        [NewAssociation(ann.id), NewAssociation(acme.id)],
    )
    entries = history.record_history(db, me, "notes", note.id).entries
    assert sorted((e.other_id, e.source) for e in entries) == [
        (ann.id, Source.USER),
        (acme.id, Source.USER),
    ]


def test_t2_batch_creates_apply_the_rules_to_each_activity(db: Database, me: Caller) -> None:
    ann, bob, acme, globex = (
        contact(db, me),
        contact(db, me, "Bob"),
        company(db, me),
        company(db, me, "Globex"),
    )
    _link(db, me, ann, acme)
    _link(db, me, bob, globex)
    made = records.create_each(
        db,
        me,
        "notes",
        [
            records.NewRecord(
                {"hs_note_body": "a", "hs_timestamp": "2024-01-01"}, [NewAssociation(ann.id)]
            ),
            records.NewRecord({"hs_note_body": "bad", "hs_timestamp": "never"}),
            records.NewRecord(
                {"hs_note_body": "b", "hs_timestamp": "2024-01-01"}, [NewAssociation(bob.id)]
            ),
        ],
    )
    assert [r.index for r in made.refused] == [1]
    first, second = (record for _, record in made.results)
    assert _associated(db, me, first) == {ann.id, acme.id}
    assert _associated(db, me, second) == {bob.id, globex.id}

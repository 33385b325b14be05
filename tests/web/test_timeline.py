"""The record page's timeline (T1) and the settings pages for activity rules (T2) and
association by domain (L4), in-process on both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from liaison.api.app import create_app
from liaison.services import activities, activity_rules, associations, domains, records, users
from liaison.services.associations import AssociationInput
from liaison.services.database import Database, create_account
from liaison.services.users import User
from tests.helpers import company, contact, deal, dump
from tests.web.conftest import PASSWORD, Counter, csrf, make_user, post_form, sign_in


def post_htmx_form(client: TestClient, path: str, **data: str) -> Response:
    headers = {"HX-Request": "true", "x-csrftoken": csrf(client)}
    return client.post(path, data=data, headers=headers, follow_redirects=False)


@pytest.fixture
def admin_web(db: Database) -> TestClient:
    users.create_user(
        db, 1, email="root@example.com", password=PASSWORD, name="Root", is_admin=True
    )
    client = TestClient(create_app(db))
    assert sign_in(client, "root@example.com").status_code == 303
    return client


# -- T1: the timeline on the record page ----------------------------------------------------------
def test_t1_record_page_loads_its_timeline(web: TestClient, db: Database, ann: User) -> None:
    ann_contact = contact(db, ann.caller)
    page = web.get(f"/app/contacts/{ann_contact.id}")
    assert f'hx-get="/app/contacts/{ann_contact.id}/timeline"' in page.text
    part = web.get(f"/app/contacts/{ann_contact.id}/timeline")
    assert part.status_code == 200
    assert "No activities yet." in part.text
    assert "Log note" in part.text and "Log task" in part.text


def test_t1_log_a_note_from_the_record_page(web: TestClient, db: Database, ann: User) -> None:
    bo, acme = contact(db, ann.caller, "Bo"), company(db, ann.caller, "Acme")
    associations.associate(db, ann.caller, [AssociationInput(bo.id, acme.id)]).check()
    answer = post_htmx_form(
        web,
        f"/app/contacts/{bo.id}/timeline/notes",
        hs_note_body="Met <b>Bo</b>",
        hs_timestamp="2024-05-01T09:30",
    )
    assert answer.status_code == 200
    html = answer.text
    assert "Note logged." in html
    assert "Met &lt;b&gt;Bo&lt;/b&gt;" in html
    assert "01 May 2024 09:30 UTC" in html
    assert f'href="/app/companies/{acme.id}"' in html  # also on its primary company
    assert 'id="associations" class="sidebar" aria-label="Associations" hx-swap-oob="true"' in html
    company_timeline = web.get(f"/app/companies/{acme.id}/timeline").text
    assert "Met &lt;b&gt;Bo&lt;/b&gt;" in company_timeline


def test_t1_each_activity_type_has_its_form(web: TestClient, db: Database, ann: User) -> None:
    bo = contact(db, ann.caller, "Bo")
    base = f"/app/contacts/{bo.id}/timeline"
    forms = {
        "emails": {"hs_email_subject": "Quote", "hs_email_direction": "INCOMING_EMAIL"},
        "calls": {"hs_call_title": "Intro call", "hs_call_duration": "1.5"},
        "meetings": {"hs_meeting_title": "Demo", "hs_meeting_start_time": "2024-02-01T10:00"},
        "tasks": {"hs_task_subject": "Send contract", "hs_task_priority": "HIGH"},
    }
    for name, data in forms.items():
        assert post_htmx_form(web, f"{base}/{name}", **data).status_code == 200
    entries = activities.timeline(db, ann.caller, "contacts", bo.id).entries
    by_type = {e.activity_type.name: e.activity.properties for e in entries}
    assert by_type["calls"]["hs_call_duration"] == "90000"
    assert by_type["meetings"]["hs_timestamp"] == "2024-02-01T10:00:00+00:00"
    assert by_type["emails"]["hs_email_direction"] == "INCOMING_EMAIL"
    assert by_type["tasks"]["hs_task_priority"] == "HIGH"
    only_calls = web.get(f"{base}?type=calls").text
    assert "Intro call" in only_calls and "Send contract" not in only_calls


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("notes", {"hs_note_body": ""}, "Note is required."),
        ("calls", {"hs_call_title": "x", "hs_call_duration": "forever"}, "must be a number"),
        ("notes", {"hs_note_body": "x", "hs_timestamp": "tomorrow"}, "hs_timestamp"),
        ("meetings", {"hs_meeting_title": "x", "hs_meeting_outcome": "MAYBE<"}, ""),
    ],
)
def test_t1_a_refused_form_says_why_and_changes_nothing(
    web: TestClient, db: Database, ann: User, kind: str, data: dict[str, str], message: str
) -> None:
    bo = contact(db, ann.caller, "Bo")
    before = dump(db)
    answer = post_htmx_form(web, f"/app/contacts/{bo.id}/timeline/{kind}", **data)
    if kind == "meetings":  # a free-text outcome is stored as given, escaped when shown
        assert "MAYBE&lt;" in answer.text
        return
    assert answer.status_code == 200
    assert 'class="notice error"' in answer.text and message in answer.text
    assert dump(db) == before


def test_t1_unknown_activity_or_record_is_a_404(web: TestClient, db: Database, ann: User) -> None:
    bo = contact(db, ann.caller, "Bo")
    assert post_htmx_form(web, f"/app/contacts/{bo.id}/timeline/deals").status_code == 404
    assert web.get("/app/contacts/999999/timeline").status_code == 404
    assert web.get(f"/app/contacts/{bo.id}/timeline?after=nonsense").status_code == 400


def test_t1_older_activities_load_a_page_at_a_time(
    web: TestClient, db: Database, ann: User
) -> None:
    bo = contact(db, ann.caller, "Bo")
    for i in range(25):
        activities.log_activity(
            db,
            ann.caller,
            "contacts",
            bo.id,
            "notes",
            {"hs_note_body": f"note {i:02d}", "hs_timestamp": f"2024-01-{i + 1:02d}T00:00:00Z"},
        )
    first = web.get(f"/app/contacts/{bo.id}/timeline").text
    assert "note 24" in first and "note 05" in first and "note 04" not in first
    start = first.index("/timeline?after=")
    more_url = first[start : first.index('"', start)].replace("&amp;", "&")
    more = web.get(f"/app/contacts/{bo.id}{more_url}").text
    assert "note 04" in more and "note 00" in more and "note 05" not in more
    assert "Older activities" not in more


def test_t1_timeline_statements_do_not_grow_with_its_activities(
    web: TestClient, db: Database, ann: User, counted: Counter
) -> None:
    few, many = contact(db, ann.caller, "Few"), contact(db, ann.caller, "Many")
    deals = [deal(db, ann.caller, f"D{i}") for i in range(3)]
    associations.associate(db, ann.caller, [AssociationInput(many.id, d.id) for d in deals])
    activities.log_activity(db, ann.caller, "contacts", few.id, "notes", {"hs_note_body": "one"})
    for i in range(15):
        activities.log_activity(
            db, ann.caller, "contacts", many.id, "notes", {"hs_note_body": f"n{i}"}
        )

    def statements(path: str) -> int:
        web.get(path)  # warm the schema cache
        return counted.during(lambda: web.get(path))

    one = statements(f"/app/contacts/{few.id}/timeline")
    lots = statements(f"/app/contacts/{many.id}/timeline")
    assert lots == one, counted.statements


# -- T2 and L4: the settings pages ---------------------------------------------------------------
def test_settings_pages_are_for_admins_only(web: TestClient) -> None:
    for path in ("/app/settings/activity-rules", "/app/settings/domains"):
        assert web.get(path).status_code == 403
        assert post_form(web, path).status_code == 403


def test_t2_admin_changes_an_activity_rule(admin_web: TestClient, db: Database) -> None:
    page = admin_web.get("/app/settings/activity-rules")
    assert page.status_code == 200
    assert 'name="rule:0-1:0-46:0-2"' in page.text
    assert "Primary company (default)" in page.text
    saved = post_form(admin_web, "/app/settings/activity-rules", **{"rule:0-1:0-46:0-2": "all"})
    assert saved.status_code == 200 and "Activity rules saved." in saved.text
    caller = users.get_user(db, 1, 1)
    assert caller is not None
    rules = {
        (s.record_type.id, s.activity_type.id, s.target_type.id): s.rule.value
        for s in activity_rules.list_rules(db, caller.caller)
    }
    assert rules[("0-1", "0-46", "0-2")] == "all"


def test_t2_a_refused_rule_changes_nothing(admin_web: TestClient, db: Database) -> None:
    before = dump(db)
    refused = post_form(
        admin_web,
        "/app/settings/activity-rules",
        **{"rule:0-1:0-46:0-2": "all", "rule:0-1:0-46:0-3": "primary_company"},
    )
    assert refused.status_code == 400 and 'class="notice error"' in refused.text
    assert dump(db) == before


def test_l4_admin_changes_the_domain_setting(admin_web: TestClient, db: Database) -> None:
    page = admin_web.get("/app/settings/domains")
    assert page.status_code == 200 and 'name="enabled" checked' in page.text
    saved = post_form(
        admin_web,
        "/app/settings/domains",
        enabled="on",
        create_companies="on",
        excluded_domains="partner.com\nExample.org",
    )
    assert saved.status_code == 200 and "saved" in saved.text
    root = users.get_user(db, 1, 1)
    assert root is not None
    assert domains.get_settings(db, root.caller) == domains.DomainSettings(
        True, True, ("partner.com", "example.org")
    )
    before = dump(db)
    refused = post_form(admin_web, "/app/settings/domains", excluded_domains="not a <domain>")
    assert refused.status_code == 400
    assert "&lt;domain&gt;" in refused.text and "<domain>" not in refused.text
    assert dump(db) == before
    records.create(db, root.caller, "contacts", {"email": "x@newco.io"})
    assert "newco.io" in admin_web.get("/app/companies").text


def test_o5_another_accounts_timeline_is_a_404_and_nothing_is_logged_on_it(
    web: TestClient, db: Database
) -> None:
    other = create_account(db, name="Other")
    bea = make_user(db, "bea@other.example", account_id=other, name="Bea")
    for i in range(3):  # record IDs count per account: make theirs an ID account 1 lacks
        contact(db, bea.caller, f"Filler {i}")
    theirs = contact(db, bea.caller, "Secret")
    activities.log_activity(
        db, bea.caller, "contacts", theirs.id, "notes", {"hs_note_body": "Their secret note"}
    )
    before = dump(db)
    page = web.get(f"/app/contacts/{theirs.id}/timeline")
    assert page.status_code == 404 and "Their secret note" not in page.text
    logged = post_htmx_form(web, f"/app/contacts/{theirs.id}/timeline/notes", hs_note_body="x")
    assert logged.status_code == 404
    assert dump(db) == before


def test_t3_the_association_history_says_why_a_rule_or_a_domain_added_an_association(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme", domain="acme.com")
    bo = contact(db, ann.caller, "Bo", email="bo@acme.com")
    note = activities.log_activity(
        db, ann.caller, "contacts", bo.id, "notes", {"hs_note_body": "Hi"}
    )
    companies = web.get(f"/app/notes/{note.id}/history?type=companies").text
    assert "(added by rule: contact&#39;s primary company)" in companies
    notes = web.get(f"/app/companies/{acme.id}/history?type=notes").text
    assert "(added by rule: contact&#39;s primary company)" in notes
    contacts = web.get(f"/app/companies/{acme.id}/history?type=contacts").text
    assert "(added by domain: matched acme.com)" in contacts

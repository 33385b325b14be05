"""Bulk Associate / Remove association from an index page (U5) and the jobs pages, in-process
on both stores: ticked rows are done at once as one operation of the signed-in user; "all
matching" a search runs as a job with a progress bar; refusals show in the panel."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.domain.history import ActorKind, Source
from liaison.services import associations, history, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.job_runner import JobSettings, Runner
from liaison.services.users import User
from tests.helpers import company, deal, dump
from tests.web.conftest import htmx_post, make_user, sign_in


def _contacts(db: Database, user: User, count: int, first: str = "Bulk") -> list[int]:
    new = [records.NewRecord({"firstname": f"{first}{i}", "lastname": "Lee"}) for i in range(count)]
    return [r.id for r in records.create_many(db, user.caller, "contacts", new)]


def _error(html: str) -> str:
    found = re.search(r'<p class="notice error" role="alert">([^<]+)</p>', html)
    assert found, html[:800]
    return found.group(1)


def _deal_contacts(db: Database, user: User, deal_id: int) -> set[int]:
    page = associations.list_associations(db, user.caller, "deals", deal_id, "contacts")
    return {a.to_id for a in page.results}


def test_u5_index_rows_have_checkboxes_and_the_bulk_toolbar(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 3)
    page = web.get("/app/contacts").text
    for record_id in ids:
        assert f'name="id" value="{record_id}" form="bulk-form"' in page
    assert 'id="bulk-form"' in page and "Associate…" in page and "Remove association…" in page
    assert "Select all 3 matching" in page
    searched = web.get(
        "/app/contacts?q=bulk1", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert 'name="q" value="bulk1" form="bulk-form"' in searched.text


def test_u5_panel_offers_target_types_search_and_labels(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 2)
    deal(db, ann.caller, "Big deal")
    deal(db, ann.caller, "Small deal")
    labels.create_label(db, ann.caller, "contacts", "deals", label="Decision maker")
    form = {"id": [str(i) for i in ids], "to_type": "deals"}
    panel = htmx_post(web, "/app/contacts/bulk/associate", form)
    assert panel.status_code == 200
    assert "Associate: 2 contacts selected" in panel.text
    assert '<option value="deals" selected>' in panel.text
    assert "Big deal" in panel.text and "Decision maker" in panel.text
    found = web.get("/app/contacts/bulk/associate/targets?to_type=deals&target_q=small")
    assert "Small deal" in found.text and "Big deal" not in found.text
    remove = htmx_post(web, "/app/contacts/bulk/remove", {"id": str(ids[0])})
    assert "Remove association: 1 contact selected" in remove.text
    assert "Label (optional)" not in remove.text


def test_u5_bulk_associate_ticked_rows_with_a_deal_and_label_is_one_user_operation(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 20)
    big = deal(db, ann.caller, "Big deal")
    maker = labels.create_label(db, ann.caller, "contacts", "deals", label="Decision maker")[0]
    form = {
        "id": [str(i) for i in ids],
        "to_type": "deals",
        "to_id": str(big.id),
        "label": str(maker.id),
    }
    done = htmx_post(web, "/app/contacts/bulk/associate/run", form)
    assert done.status_code == 200
    assert "Associate 20 contacts with Big deal as Decision maker: done." in done.text
    assert "<strong>20</strong> associated" in done.text
    assert _deal_contacts(db, ann, big.id) == set(ids)
    entries = history.record_history(db, ann.caller, "deals", big.id, limit=100).entries
    assert len({e.operation_id for e in entries}) == 1
    assert {(e.source, e.actor_kind, e.actor_id) for e in entries} == {
        (Source.USER, ActorKind.USER, str(ann.id))
    }


def test_u5_all_matching_a_search_runs_as_a_job_with_a_progress_bar(
    web: TestClient, db: Database, ann: User
) -> None:
    ann_ids = _contacts(db, ann, 230, "Ann")
    _contacts(db, ann, 5, "Bob")
    big = deal(db, ann.caller, "Big deal")
    form = {"all": "1", "q": "ann", "to_type": "deals", "to_id": str(big.id)}
    panel = htmx_post(web, "/app/contacts/bulk/associate", form)
    assert "Associate: all 230 contacts matching “ann”" in panel.text
    started = htmx_post(web, "/app/contacts/bulk/associate/run", form)
    assert "Running as a job" in started.text and "<progress" in started.text
    job_id = int(re.findall(r'id="job-(\d+)"', started.text)[0])
    assert 'hx-trigger="every 1s"' in started.text
    Runner(db, JobSettings(chunk_size=50, pause=0)).run_pending()
    progress = web.get(f"/app/jobs/{job_id}/progress").text
    assert 'data-state="done"' in progress and "every 1s" not in progress
    assert "<strong>230</strong> associated" in progress
    assert _deal_contacts(db, ann, big.id) == set(ann_ids)
    listing = web.get("/app/jobs").text
    assert "Associate 230 contacts with Big deal" in listing and "Done" in listing
    detail = web.get(f"/app/jobs/{job_id}").text
    assert f"Job {job_id}" in detail and "230 of 230" in detail


def test_u5_bulk_remove_association_of_ticked_rows(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 5)
    big = deal(db, ann.caller, "Big deal")
    associations.associate(db, ann.caller, [AssociationInput(i, big.id) for i in ids[:4]]).check()
    form = {"id": [str(i) for i in ids[:3]] + [str(ids[4])], "to_id": str(big.id)}
    done = htmx_post(web, "/app/contacts/bulk/remove/run", form)
    assert "Remove the association of 4 contacts with Big deal: done." in done.text
    assert "<strong>3</strong> removed" in done.text
    assert "<strong>1</strong> not associated" in done.text
    assert _deal_contacts(db, ann, big.id) == {ids[3]}


def test_u5_bulk_remove_shows_each_refusal_with_its_reason(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 2)
    acme, globex, initech = (company(db, ann.caller, n) for n in ("Acme", "Globex", "Initech"))
    for other in (acme, globex, initech):
        associations.associate(db, ann.caller, [AssociationInput(ids[0], other.id)]).check()
    associations.associate(db, ann.caller, [AssociationInput(ids[1], acme.id)]).check()
    form = {"id": [str(i) for i in ids], "to_id": str(acme.id), "to_type": "companies"}
    done = htmx_post(web, "/app/contacts/bulk/remove/run", form)
    assert "<strong>1</strong> refused" in done.text
    assert f'href="/app/contacts/{ids[0]}">Record {ids[0]}</a>' in done.text
    assert "name the one that becomes its primary company" in done.text


def test_u5_refusals_show_in_the_panel_and_change_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 2)
    acme = company(db, ann.caller)
    before = dump(db)
    no_target = htmx_post(web, "/app/contacts/bulk/associate/run", {"id": str(ids[0])})
    assert _error(no_target.text) == "Choose a record."
    nothing = htmx_post(web, "/app/contacts/bulk/associate/run", {"to_id": str(acme.id)})
    assert _error(nothing.text) == "Select at least one record."
    gone = htmx_post(
        web, "/app/contacts/bulk/associate/run", {"id": str(ids[0]), "to_id": "987654"}
    )
    assert _error(gone.text) == "There is no record with ID 987654."
    bad_label = {"id": str(ids[0]), "to_id": str(acme.id), "label": "999"}
    assert "999" in _error(htmx_post(web, "/app/contacts/bulk/associate/run", bad_label).text)
    unknown = htmx_post(web, "/app/contacts/bulk/explode/run", {"id": str(ids[0])})
    assert unknown.status_code == 400
    assert htmx_post(web, "/app/nothings/bulk/associate", {}).status_code == 404
    assert web.get("/app/jobs/424242").status_code == 400
    assert dump(db) == before


def test_u5_bulk_post_without_csrf_token_is_refused(
    web: TestClient, db: Database, ann: User
) -> None:
    ids = _contacts(db, ann, 1)
    acme = company(db, ann.caller)
    before = dump(db)
    refused = web.post(
        "/app/contacts/bulk/associate/run",
        data={"id": str(ids[0]), "to_id": str(acme.id)},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 403
    assert dump(db) == before


def test_jobs_of_another_account_are_not_shown(web: TestClient, db: Database, ann: User) -> None:
    from liaison.services.database import create_account

    other_account = create_account(db, name="Other")
    bob = make_user(db, "bob@example.com", account_id=other_account, name="Bob")
    ids = _contacts(db, ann, 230)
    big = deal(db, ann.caller)
    form = {"id": [str(i) for i in ids], "to_id": str(big.id)}
    # ticked rows are capped to what a page can show, but 230 here run as a job
    started = htmx_post(web, "/app/contacts/bulk/associate/run", form)
    job_id = int(re.findall(r'id="job-(\d+)"', started.text)[0])
    stopped = htmx_post(web, f"/app/jobs/{job_id}/stop", {})
    assert 'data-state="stopped"' in stopped.text and "Stopped by Ann Admin." in stopped.text
    with TestClient(web.app) as other:
        assert sign_in(other, bob.email, account=str(other_account)).status_code == 303
        assert other.get(f"/app/jobs/{job_id}").status_code == 400
        assert "No jobs yet." in other.get("/app/jobs").text

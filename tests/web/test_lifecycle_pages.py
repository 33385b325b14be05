"""Delete, recycle bin and merge in the web UI (L1-L3), in-process on both stores: each page
shows what will happen, does it in one operation with the lifecycle source, and a refusal
shows as a message that changed nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from liaison.domain.history import Change, Source
from liaison.services import associations, history, limits, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database, create_account
from liaison.services.users import User
from tests.helpers import company, contact, deal, dump
from tests.web.conftest import make_user, post_form


def _sources(db: Database, user: User, record_id: int) -> list[tuple[str, str]]:
    page = history.record_history(db, user.caller, "contacts", record_id)
    return [(e.change.value, e.source.value) for e in page.entries]


def _associated(db: Database, user: User, kind: str, record_id: int, to_type: str) -> set[int]:
    page = associations.list_associations(db, user.caller, kind, record_id, to_type)
    return {a.to_id for a in page.results}


def test_L1_delete_page_says_what_goes_and_the_post_moves_the_record_to_the_bin(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    zoe = contact(db, ann.caller, "Zoe")
    associations.associate(db, ann.caller, [AssociationInput(zoe.id, acme.id)]).check()
    confirm = web.get(f"/app/contacts/{zoe.id}/delete")
    assert confirm.status_code == 200
    assert "Delete Zoe Lee?" in confirm.text and "1 company" in confirm.text
    done = post_form(web, f"/app/contacts/{zoe.id}/delete")
    assert done.status_code == 303
    assert done.headers["location"] == f"/app/contacts/recycle-bin?deleted={zoe.id}"
    assert records.get_many(db, ann.caller, "contacts", [zoe.id]) == {}
    assert ("REMOVED", Source.OBJECT_DELETION.value) in _sources(db, ann, zoe.id)
    bin_page = web.get(done.headers["location"])
    assert "Deleted Zoe Lee." in bin_page.text and "Restore it" in bin_page.text
    assert re.search(r"<th scope=\"row\"><label[^>]*>Zoe Lee</label>", bin_page.text)


def test_L2_restore_from_the_bin_brings_back_the_associations_as_one_operation(
    web: TestClient, db: Database, ann: User
) -> None:
    acme = company(db, ann.caller, "Acme")
    people = [contact(db, ann.caller, n) for n in ("Ada", "Bo", "Cy")]
    for person in people:
        associations.associate(db, ann.caller, [AssociationInput(person.id, acme.id)]).check()
        records.delete(db, ann.caller, "contacts", person.id)
    listed = web.get("/app/contacts/recycle-bin")
    assert listed.text.index("Cy Lee") < listed.text.index("Ada Lee")  # newest deletion first
    data = {"csrftoken": web.cookies.get("csrftoken") or "", "id": [str(p.id) for p in people[:2]]}
    done = web.post("/app/contacts/recycle-bin/restore", data=data)
    assert done.status_code == 200
    assert "Restored 2 contacts" in done.text and "and 2 associations" in done.text
    restored = _associated(db, ann, "companies", acme.id, "contacts")
    assert restored == {people[0].id, people[1].id}
    operations = {
        e.operation_id
        for p in people[:2]
        for e in history.record_history(db, ann.caller, "contacts", p.id).entries
        if e.source is Source.OBJECT_RESTORE
    }
    assert len(operations) == 1
    assert "Cy Lee" in done.text and "Ada Lee" not in done.text.split("<tbody>")[1]


def test_L2_restoring_a_record_that_is_not_deleted_is_refused_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    gone = contact(db, ann.caller, "Gone")
    live = contact(db, ann.caller, "Live")
    records.delete(db, ann.caller, "contacts", gone.id)
    before = dump(db)
    data = {"csrftoken": web.cookies.get("csrftoken") or "", "id": [str(gone.id), str(live.id)]}
    refused = web.post("/app/contacts/recycle-bin/restore", data=data)
    assert 'class="notice error" role="alert"' in refused.text
    assert dump(db) == before


def test_L2_the_bin_leaves_out_merged_records_and_pages_by_deletion_time(
    web: TestClient, db: Database, ann: User
) -> None:
    keep, dup = contact(db, ann.caller, "Keep"), contact(db, ann.caller, "Dup")
    records.merge(db, ann.caller, "contacts", keep.id, dup.id)
    deleted = [contact(db, ann.caller, f"P{i:02}") for i in range(30)]
    for person in deleted:
        records.delete(db, ann.caller, "contacts", person.id)
    first = web.get("/app/contacts/recycle-bin")
    assert "30 deleted contacts" in first.text and "Dup Lee" not in first.text
    next_url = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert next_url
    second = web.get(next_url.group(1).replace("&amp;", "&"))
    shown = re.findall(r"P\d\d Lee", first.text + second.text)
    assert sorted(set(shown)) == sorted(f"P{i:02} Lee" for i in range(30))
    searched = web.get("/app/contacts/recycle-bin?q=p07")
    assert "1 deleted contact" in searched.text


def test_L3_merge_shows_what_moves_and_merges_into_the_record_kept(
    web: TestClient, db: Database, ann: User
) -> None:
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    keep = contact(db, ann.caller, "Kim")
    dup = contact(db, ann.caller, "Kimberly", jobtitle="CTO")
    big = deal(db, ann.caller, "Big")
    associations.associate(
        db,
        ann.caller,
        [
            AssociationInput(keep.id, acme.id),
            AssociationInput(dup.id, acme.id),
            AssociationInput(dup.id, globex.id),
            AssociationInput(dup.id, big.id),
        ],
    ).check()
    found = web.get(f"/app/contacts/{keep.id}/merge?q=kimb")
    assert "Kimberly Lee" in found.text
    preview = web.get(f"/app/contacts/{keep.id}/merge/{dup.id}")
    assert "Merge Kimberly Lee into Kim Lee" in preview.text
    moving = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", preview.text))
    assert "2 companies (1 already associated with Kim Lee" in moving
    assert "1 deal" in moving and "CTO" in moving
    swapped = web.get(f"/app/contacts/{keep.id}/merge/{dup.id}?keep={dup.id}")
    assert "Merge Kim Lee into Kimberly Lee" in swapped.text
    done = post_form(web, f"/app/contacts/{keep.id}/merge/{dup.id}", keep=str(keep.id))
    assert done.status_code == 303 and done.headers["location"] == f"/app/contacts/{keep.id}"
    survivor = records.get(db, ann.caller, "contacts", dup.id)
    assert survivor.id == keep.id and survivor.properties["jobtitle"] == "CTO"
    companies = _associated(db, ann, "contacts", keep.id, "companies")
    assert companies == {acme.id, globex.id}
    merged_rows = [
        e
        for e in history.record_history(db, ann.caller, "contacts", keep.id).entries
        if e.source is Source.OBJECT_MERGE
    ]
    assert {e.change for e in merged_rows} >= {Change.CREATED}


def test_L3_a_refused_merge_shows_the_reason_and_changes_nothing(
    web: TestClient, db: Database, ann: User
) -> None:
    acme, globex = company(db, ann.caller, "Acme"), company(db, ann.caller, "Globex")
    keep, dup = contact(db, ann.caller, "Kim"), contact(db, ann.caller, "Dup")
    associations.associate(
        db, ann.caller, [AssociationInput(keep.id, acme.id), AssociationInput(dup.id, globex.id)]
    ).check()
    limits.set_limits(db, ann.caller, "contacts", "companies", {279: 1})
    before = dump(db)
    refused = post_form(web, f"/app/contacts/{keep.id}/merge/{dup.id}", keep=str(keep.id))
    assert refused.status_code == 400
    assert 'class="notice error" role="alert"' in refused.text
    assert dump(db) == before
    itself = web.get(f"/app/contacts/{keep.id}/merge/{keep.id}")
    assert itself.status_code == 400 and "cannot be merged with itself" in itself.text


def test_L1_a_user_cannot_delete_merge_or_restore_another_accounts_records_by_url(
    web: TestClient, db: Database
) -> None:
    other = create_account(db, name="Other")
    bea = make_user(db, "bea@other.example", account_id=other, name="Bea")
    for i in range(3):  # record IDs count per account: make theirs IDs account 1 lacks
        contact(db, bea.caller, f"Filler {i}")
    theirs, twin = contact(db, bea.caller, "Secret"), contact(db, bea.caller, "Twin")
    records.delete(db, bea.caller, "contacts", twin.id)
    before = dump(db)
    assert web.get(f"/app/contacts/{theirs.id}/delete").status_code == 404
    assert post_form(web, f"/app/contacts/{theirs.id}/delete").status_code == 404
    assert web.get(f"/app/contacts/{theirs.id}/merge/{twin.id}").status_code == 404
    merge = post_form(web, f"/app/contacts/{theirs.id}/merge/{twin.id}", keep=str(theirs.id))
    assert merge.status_code == 404
    restore = post_form(web, "/app/contacts/recycle-bin/restore", id=str(twin.id))
    assert 'role="alert"' in restore.text and "Twin" not in restore.text
    assert "Twin" not in web.get("/app/contacts/recycle-bin").text
    assert dump(db) == before

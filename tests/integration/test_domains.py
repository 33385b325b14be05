"""Association by domain (L4), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Change, Source
from liaison.services import associations, browse, domains, history, records
from liaison.services.associations import AssociationInput
from liaison.services.database import Database
from liaison.services.records import PropertyChange
from liaison.services.unit import Caller
from tests.helpers import company, contact, dump, types_between

PRIMARY = 1


def test_l4_a_new_contact_is_associated_with_the_company_of_its_domain_as_primary(
    db: Database, me: Caller
) -> None:
    acme = company(db, me, "Acme", domain="acme.com")
    ann = contact(db, me, email="ann@ACME.com")
    assert types_between(db, me, ann.id, acme.id) == {279, PRIMARY}
    [entry] = history.record_history(db, me, "contacts", ann.id).entries[-1:]
    assert entry.source is Source.DOMAIN_AUTO
    assert entry.detail is not None and entry.detail["domain"] == "acme.com"


def test_l4_companies_match_by_any_of_their_domains(db: Database, me: Caller) -> None:
    company(db, me, "Other", domain="other.org")
    acme = company(
        db, me, "Acme", domain="https://www.acme.com/", hs_additional_domains="acme.io; acme.de"
    )
    io = contact(db, me, email="x@acme.io")
    www = contact(db, me, "Bo", email="bo@acme.com")
    assert types_between(db, me, io.id, acme.id) is not None
    assert types_between(db, me, www.id, acme.id) is not None


def test_l4_free_mail_and_excluded_domains_are_left_out(db: Database, me: Caller) -> None:
    gmail = company(db, me, "Google", domain="gmail.com")
    partner = company(db, me, "Partner", domain="partner.com")
    domains.set_settings(
        db, me, enabled=True, create_companies=True, excluded_domains=["Partner.com"]
    )
    a = contact(db, me, email="a@gmail.com")
    b = contact(db, me, "B", email="b@partner.com")
    assert types_between(db, me, a.id, gmail.id) is None
    assert types_between(db, me, b.id, partner.id) is None
    assert browse.index_page(db, me, "companies").total == 2  # none created for them


def test_l4_off_does_nothing(db: Database, me: Caller) -> None:
    acme = company(db, me, "Acme", domain="acme.com")
    domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
    ann = contact(db, me, email="ann@acme.com")
    assert types_between(db, me, ann.id, acme.id) is None


def test_l4_create_companies_makes_one_company_per_new_domain(db: Database, me: Caller) -> None:
    domains.set_settings(db, me, enabled=True, create_companies=True, excluded_domains=[])
    made = records.create_many(
        db,
        me,
        "contacts",
        [
            records.NewRecord({"email": "a@newco.com"}),
            records.NewRecord({"email": "b@newco.com"}),
            records.NewRecord({"email": "c@elsewhere.net"}),
        ],
    )
    found = browse.index_page(db, me, "companies")
    by_domain = {c.properties["domain"]: c for c in found.records}
    assert set(by_domain) == {"newco.com", "elsewhere.net"}
    assert types_between(db, me, made[0].id, by_domain["newco.com"].id) == {279, PRIMARY}
    assert types_between(db, me, made[1].id, by_domain["newco.com"].id) == {279, PRIMARY}
    entry = history.record_history(db, me, "contacts", made[0].id).entries[0]
    assert entry.detail is not None
    assert entry.detail["reason"] == "added by domain: created from newco.com"


def test_l4_an_email_change_associates_without_replacing_the_primary(
    db: Database, me: Caller
) -> None:
    old, new = company(db, me, "Old", domain="old.com"), company(db, me, "New", domain="new.com")
    ann = contact(db, me, email="ann@old.com")
    records.update(db, me, "contacts", ann.id, {"firstname": "Annie"})  # same domain: nothing
    records.update_each(db, me, "contacts", [PropertyChange(str(ann.id), {"email": "a@new.com"})])
    assert types_between(db, me, ann.id, old.id) == {279, PRIMARY}
    assert types_between(db, me, ann.id, new.id) == {279}
    sources = [
        (e.other_id, e.change, e.source)
        for e in history.record_history(db, me, "contacts", ann.id).entries
    ]
    assert sources.count((new.id, Change.CREATED, Source.DOMAIN_AUTO)) == 1


def test_l4_upserts_and_batch_updates_trigger_it_too(db: Database, me: Caller) -> None:
    acme = company(db, me, "Acme", domain="acme.com")
    [(made, new)] = records.upsert_many(db, me, "contacts", "email", [("z@acme.com", {})])
    assert new and types_between(db, me, made.id, acme.id) is not None
    bo = contact(db, me, "Bo")
    records.update_many(db, me, "contacts", [PropertyChange(str(bo.id), {"email": "b@acme.com"})])
    assert types_between(db, me, bo.id, acme.id) is not None


def test_l4_the_oldest_matching_company_wins_and_archived_ones_never(
    db: Database, me: Caller
) -> None:
    first = company(db, me, "First", domain="dup.com")
    company(db, me, "Second", domain="dup.com")
    gone = company(db, me, "Gone", domain="gone.com")
    records.delete(db, me, "companies", gone.id)
    a = contact(db, me, email="a@dup.com")
    b = contact(db, me, "B", email="b@gone.com")
    assert types_between(db, me, a.id, first.id) is not None
    assert types_between(db, me, b.id, gone.id) is None


def test_l4_associate_by_domain_over_existing_contacts_never_removes_or_replaces(
    db: Database, me: Caller
) -> None:
    domains.set_settings(db, me, enabled=False, create_companies=False, excluded_domains=[])
    acme = company(db, me, "Acme", domain="acme.com")
    mine = company(db, me, "Mine")
    kept = contact(db, me, "Kept", email="k@acme.com")
    associations.associate(db, me, [AssociationInput(kept.id, mine.id)]).check()
    plain = contact(db, me, "Plain", email="p@acme.com")
    already = contact(db, me, "Already", email="a@acme.com")
    associations.associate(db, me, [AssociationInput(already.id, acme.id)]).check()
    free = contact(db, me, "Free", email="f@gmail.com")
    ids = [kept.id, plain.id, already.id, free.id, acme.id, 999_999]
    before = len(history.record_history(db, me, "companies", acme.id).entries)

    run = domains.associate_by_domain(db, me, ids)

    assert run.associated == 2 and run.companies_created == 0
    assert types_between(db, me, kept.id, mine.id) == {279, PRIMARY}
    assert types_between(db, me, kept.id, acme.id) == {279}
    assert types_between(db, me, plain.id, acme.id) == {279, PRIMARY}
    assert types_between(db, me, free.id, acme.id) is None
    after = history.record_history(db, me, "companies", acme.id).entries
    new = after[: len(after) - before]
    assert sorted((e.other_id, e.change) for e in new) == sorted(
        [(kept.id, Change.CREATED), (plain.id, Change.CREATED), (plain.id, Change.PRIMARY_SET)]
    )
    assert {e.source for e in new} == {Source.DOMAIN_AUTO}
    assert domains.associate_by_domain(db, me, ids).associated == 0  # idempotent


@pytest.mark.parametrize("bad", [["not a domain"], ["acme"], [""], [42]])
def test_l4_a_bad_exclusion_list_is_a_clear_error_and_changes_nothing(
    db: Database, me: Caller, bad: list[object]
) -> None:
    before = dump(db)
    with pytest.raises(LiaisonError) as error:
        domains.set_settings(db, me, enabled=True, create_companies=True, excluded_domains=bad)
    assert error.value.code is ErrorCode.INVALID_INPUT
    assert dump(db) == before


def test_l4_settings_default_to_on_without_creating_companies(db: Database, me: Caller) -> None:
    assert domains.get_settings(db, me) == domains.DomainSettings(True, False, ())
    saved = domains.set_settings(
        db, me, enabled=True, create_companies=True, excluded_domains=["b.com", "a.com", "b.com"]
    )
    assert saved.excluded_domains == ("b.com", "a.com")
    assert domains.get_settings(db, me) == saved

"""Records: O1-O5."""

from __future__ import annotations

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor
from liaison.services import object_types, records
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from tests.helpers import company, contact, dump


@pytest.mark.parametrize(
    ("ref", "type_id"),
    [
        ("0-1", "0-1"),
        ("contacts", "0-1"),
        ("contact", "0-1"),
        ("companies", "0-2"),
        ("deal", "0-3"),
        ("tickets", "0-5"),
        ("notes", "0-46"),
        ("meetings", "0-47"),
        ("calls", "0-48"),
        ("emails", "0-49"),
        ("tasks", "0-27"),
        ("Contacts", "0-1"),
    ],
)
def test_o1_builtin_types_by_id_singular_and_plural(
    db: Database, me: Caller, ref: str, type_id: str
) -> None:
    assert object_types.get_object_type(db, me, ref).id == type_id


def test_o2_record_has_id_properties_times_and_display_name(db: Database, me: Caller) -> None:
    ann = contact(db, me, "Ann", email="ann@acme.com")
    acme = company(db, me, "Acme", domain="acme.com")
    assert ann.id != acme.id
    assert ann.name == "Ann Lee"
    assert acme.name == "Acme"
    assert records.create(db, me, "contacts", {"email": "x@y.com"}).name == "x@y.com"
    assert records.create(db, me, "companies", {"domain": "beta.io"}).name == "beta.io"
    read = records.get(db, me, "contacts", ann.id)
    assert read.properties["email"] == "ann@acme.com"
    assert read.created_at <= read.updated_at
    assert not read.archived


def test_o2_ids_are_never_reused(db: Database, me: Caller) -> None:
    first = contact(db, me)
    records.purge(db, me, "contacts", first.id)
    assert contact(db, me).id > first.id


@pytest.mark.parametrize(
    ("object_type", "values", "code", "named"),
    [
        ("contacts", {"shoe_size": "42"}, ErrorCode.UNKNOWN_PROPERTY, "shoe_size"),
        ("deals", {"dealname": "D", "amount": "lots"}, ErrorCode.INVALID_PROPERTY, "amount"),
        ("deals", {"amount": "10"}, ErrorCode.MISSING_REQUIRED_PROPERTY, "dealname"),
        (
            "deals",
            {"dealname": "D", "closedate": "yesterday"},
            ErrorCode.INVALID_PROPERTY,
            "closedate",
        ),
        (
            "companies",
            {"industry": "Software"},
            ErrorCode.MISSING_REQUIRED_PROPERTY,
            "name or domain",
        ),
    ],
)
def test_o4_invalid_properties_are_refused_and_nothing_is_written(
    db: Database, me: Caller, object_type: str, values: dict[str, str], code: ErrorCode, named: str
) -> None:
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        records.create(db, me, object_type, values)
    assert refused.value.code is code
    assert named in refused.value.message
    assert dump(db) == before


def test_o4_values_are_normalized_by_type(db: Database, me: Caller) -> None:
    deal = records.create(
        db, me, "deals", {"dealname": "D", "amount": "1500.50", "closedate": "2026-01-02T10:00:00Z"}
    )
    assert deal.properties["amount"] == "1500.5"
    assert deal.properties["closedate"].startswith("2026-01-02T10:00:00")


def test_o4_update_checks_properties(db: Database, me: Caller) -> None:
    deal = records.create(db, me, "deals", {"dealname": "D"})
    with pytest.raises(LiaisonError) as refused:
        records.update(db, me, "deals", deal.id, {"dealname": ""})
    assert refused.value.code is ErrorCode.MISSING_REQUIRED_PROPERTY
    assert records.update(db, me, "deals", deal.id, {"amount": "7"}).properties["amount"] == "7"


def test_o5_other_accounts_records_are_invisible(db: Database, me: Caller) -> None:
    other = Caller(create_account(db, name="Other"), Actor.user("u2", "Bob"))
    theirs = contact(db, other, "Zed")
    with pytest.raises(LiaisonError) as refused:
        records.get(db, me, "contacts", theirs.id)
    assert refused.value.code is ErrorCode.RECORD_NOT_FOUND
    assert [r.name for r in records.list_records(db, me, "contacts").records] == []

"""S3 at the service layer: bad input gets a typed error naming what is wrong; nothing changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.domain.history import Actor
from liaison.services import associations as assoc
from liaison.services import labels, limits, records
from liaison.services.associations import AssociationInput as Link
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from tests.helpers import company, contact, deal, dump


def setup(db: Database, me: Caller) -> dict[str, int]:
    ann, bob = contact(db, me, "Ann"), contact(db, me, "Bob")
    acme, beta, gamma = (company(db, me, n) for n in ("Acme", "Beta", "Gamma"))
    big, gone = deal(db, me, "Big"), deal(db, me, "Gone")
    advisor, _ = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    assoc.associate(db, me, [Link(ann.id, c.id) for c in (acme, beta, gamma)]).check()
    assoc.associate(db, me, [Link(bob.id, acme.id)]).check()
    limits.set_limits(db, me, "deals", "contacts", {3: 1})
    assoc.associate(db, me, [Link(big.id, bob.id)]).check()
    records.delete(db, me, "deals", gone.id)
    other = Caller(create_account(db, name="Other"), Actor.user("u2", "Zed"))
    theirs = [company(db, other, f"T{i}") for i in range(12)][-1]
    return {
        "ann": ann.id,
        "bob": bob.id,
        "acme": acme.id,
        "beta": beta.id,
        "big": big.id,
        "gone": gone.id,
        "advisor": advisor.id,
        "theirs": theirs.id,
    }


CASES: dict[str, tuple[Callable[[Database, Caller, dict[str, int]], object], ErrorCode, str]] = {
    "unknown type": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["ann"], r["acme"])], from_type="widgets"),
        ErrorCode.OBJECT_TYPE_NOT_FOUND,
        "widgets",
    ),
    "unknown record": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["ann"], 987_654)]).check(),
        ErrorCode.RECORD_NOT_FOUND,
        "987654",
    ),
    "archived record": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["ann"], r["gone"])]).check(),
        ErrorCode.RECORD_ARCHIVED,
        "Gone",
    ),
    "other account": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["ann"], r["theirs"])]).check(),
        ErrorCode.RECORD_NOT_FOUND,
        "theirs",
    ),
    "self association": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["ann"], r["ann"])]).check(),
        ErrorCode.SELF_ASSOCIATION,
        "Ann Lee",
    ),
    "label of another pair": (
        lambda db, me, r: assoc.associate(
            db, me, [Link(r["ann"], r["big"], (r["advisor"],))]
        ).check(),
        ErrorCode.LABEL_NOT_FOR_PAIR,
        "advisor",
    ),
    "limit exceeded": (
        lambda db, me, r: assoc.associate(db, me, [Link(r["big"], r["ann"])]).check(),
        ErrorCode.LIMIT_EXCEEDED,
        "Big",
    ),
    "required primary without successor": (
        lambda db, me, r: assoc.remove(db, me, [Link(r["ann"], r["acme"])]).check(),
        ErrorCode.PRIMARY_REQUIRED,
        "Ann Lee",
    ),
    "only company's primary": (
        lambda db, me, r: assoc.remove_primary(db, me, r["bob"], r["acme"]),
        ErrorCode.PRIMARY_REQUIRED,
        "Bob Lee",
    ),
    "successor not associated": (
        lambda db, me, r: assoc.remove(
            db, me, [Link(r["ann"], r["acme"], successor=r["big"])]
        ).check(),
        ErrorCode.INVALID_SUCCESSOR,
        "big",
    ),
    "bad property": (
        lambda db, me, r: records.update(db, me, "deals", r["big"], {"amount": "a lot"}),
        ErrorCode.INVALID_PROPERTY,
        "amount",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_s3_bad_input_is_refused_by_name_and_changes_nothing(
    db: Database, me: Caller, case: str
) -> None:
    refs = setup(db, me)
    action, code, named = CASES[case]
    before = dump(db)
    with pytest.raises(LiaisonError) as refused:
        action(db, me, refs)
    assert refused.value.code is code
    wanted = str(refs[named]) if named in refs else named
    assert wanted in refused.value.message
    assert dump(db) == before


@pytest.mark.parametrize(
    "read",
    [
        lambda db, caller: records.get(db, caller, "contacts", 1),
        lambda db, caller: records.list_records(db, caller, "contacts"),
        lambda db, caller: assoc.list_associations(db, caller, "contacts", 1, "companies"),
    ],
    ids=["record", "records", "associations"],
)
def test_o5_a_read_in_an_account_that_does_not_exist_names_it(
    db: Database, read: Callable[[Database, Caller], object]
) -> None:
    """A read for an account that does not exist (a command's `--account`, say) is refused by
    name, like a write, instead of failing inside."""
    with pytest.raises(LiaisonError) as refused:
        read(db, Caller(424_242, Actor.system()))
    assert refused.value.code is ErrorCode.ACCOUNT_NOT_FOUND
    assert "424242" in refused.value.message

"""The "at least N associated records (with a label)" filter of index pages (U6: "companies
with at least 3 contacts labelled Decision maker"), in process on both stores: what the services
match, what the pages show, and bad input refused with nothing changed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import associations, browse, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.browse import HasAtLeast, HasNo, IndexQuery, Sort
from liaison.services.database import Database
from liaison.services.unit import Caller
from liaison.services.users import User
from tests.helpers import car_type, company, contact, dump
from tests.web.conftest import Counter, csrf
from tests.web.test_pages import names_in_table


@dataclass(frozen=True)
class World:
    """Acme: 3 decision makers (Ann, Bob, Cat) and Dan; Globex: 2 decision makers (Ann, Eve)
    and Dan; Initech: Ann and Bob, each Decision maker and Advisor; Umbrella: nobody."""

    decision_maker: int
    advisor: int
    acme: int
    globex: int
    initech: int
    umbrella: int
    ann: int
    bob: int
    cat: int


def _world(db: Database, me: Caller) -> World:
    acme, globex, initech, umbrella = (
        company(db, me, n) for n in ("Acme", "Globex", "Initech", "Umbrella")
    )
    ann, bob, cat, dan, eve = (contact(db, me, n) for n in ("Ann", "Bob", "Cat", "Dan", "Eve"))
    dm, _ = labels.create_label(db, me, "companies", "contacts", label="Decision maker")
    advisor, _ = labels.create_label(db, me, "companies", "contacts", label="Advisor")
    links = [
        *(AssociationInput(acme.id, p.id, (dm.id,)) for p in (ann, bob, cat)),
        AssociationInput(acme.id, dan.id),
        *(AssociationInput(globex.id, p.id, (dm.id,)) for p in (ann, eve)),
        AssociationInput(globex.id, dan.id),
        *(AssociationInput(initech.id, p.id, (dm.id, advisor.id)) for p in (ann, bob)),
    ]
    associations.associate(db, me, links).check()
    return World(
        dm.id, advisor.id, acme.id, globex.id, initech.id, umbrella.id, ann.id, bob.id, cat.id
    )


@pytest.fixture
def world(db: Database, ann: User) -> World:
    return _world(db, ann.caller)


def _names(db: Database, me: Caller, object_type: str, *filters: browse.IndexFilter) -> list[str]:
    query = IndexQuery(filters=filters)
    page = browse.index_page(db, me, object_type, query, sort=Sort.NAME, descending=False)
    return [r.name for r in page.records]


# -- the services -------------------------------------------------------------------------------
def test_u6_at_least_n_associated_records_with_a_label(
    db: Database, ann: User, world: World
) -> None:
    me, dm = ann.caller, world.decision_maker
    assert _names(db, me, "companies", HasAtLeast("contacts", 3, dm)) == ["Acme"]
    assert _names(db, me, "companies", HasAtLeast("contacts", 2, dm)) == [
        "Acme",
        "Globex",
        "Initech",
    ]
    assert _names(db, me, "companies", HasAtLeast("contacts", 3)) == ["Acme", "Globex"]
    assert _names(db, me, "companies", HasAtLeast("contacts", 1, world.advisor)) == ["Initech"]
    # Primary from the company's side (type 2): the companies that are some contact's primary
    assert _names(db, me, "companies", HasAtLeast("contacts", 1, 2)) == ["Acme", "Globex"]
    page = browse.index_page(
        db, me, "companies", IndexQuery(filters=(HasAtLeast("contacts", 3, dm),))
    )
    assert page.filters[0].text == "At least 3 contacts labelled Decision maker"
    one = browse.index_page(db, me, "companies", IndexQuery(filters=(HasAtLeast("contact", 1),)))
    assert one.filters[0].text == "At least 1 contact"
    # the matching IDs (bulk "all matching", the export) follow
    found = browse.matching_ids(
        db, me, "companies", IndexQuery(filters=(HasAtLeast("contacts", 3, dm),))
    )
    assert [i for batch in found for i in batch] == [world.acme]


def test_u6_at_least_counts_a_record_once_however_many_labels_it_has(
    db: Database, ann: User, world: World
) -> None:
    me = ann.caller
    # Initech's two contacts carry two labels each: two contacts, not four
    assert "Initech" not in _names(db, me, "companies", HasAtLeast("contacts", 3))
    assert "Initech" in _names(db, me, "companies", HasAtLeast("contacts", 2))
    assert "Initech" not in _names(db, me, "companies", HasAtLeast("contacts", 3, world.advisor))


def test_u6_at_least_counts_only_live_records(db: Database, ann: User, world: World) -> None:
    me, dm = ann.caller, world.decision_maker
    records.delete(db, me, "contacts", world.cat)
    assert _names(db, me, "companies", HasAtLeast("contacts", 3, dm)) == []
    records.restore(db, me, "contacts", world.cat)  # its associations come back (L2)
    assert _names(db, me, "companies", HasAtLeast("contacts", 3, dm)) == ["Acme"]


def test_u6_at_least_combines_with_search_other_filters_and_paging(
    db: Database, ann: User, world: World
) -> None:
    me = ann.caller
    made = records.create_many(
        db, me, "companies", [records.NewRecord({"name": f"Z{i:02}"}) for i in range(7)]
    )
    links = [AssociationInput(c.id, p) for c in made for p in (world.ann, world.bob)]
    associations.associate(db, me, links).check()
    query = IndexQuery("z", (HasAtLeast("contacts", 2), HasNo("deals")))
    seen: list[str] = []
    after = None
    while True:
        page = browse.index_page(
            db, me, "companies", query, sort=Sort.NAME, descending=True, after=after, limit=3
        )
        assert page.total == 7
        seen += [r.name for r in page.records]
        if page.next is None:
            break
        after = page.next
    assert seen == [f"Z{i:02}" for i in reversed(range(7))]
    both = (HasAtLeast("contacts", 3), HasAtLeast("contacts", 1, world.advisor))
    assert _names(db, me, "companies", *both) == []


@pytest.mark.parametrize(
    ("refused", "code"),
    [
        (HasAtLeast("spaceships", 3), ErrorCode.INVALID_INPUT),
        (HasAtLeast("car", 3), ErrorCode.NO_ASSOCIATION_DEFINITION),
        (HasAtLeast("contacts", 0), ErrorCode.INVALID_INPUT),
        (HasAtLeast("contacts", 1, 279), ErrorCode.LABEL_NOT_FOR_PAIR),  # contacts to companies
        (HasAtLeast("contacts", 1, 280), ErrorCode.INVALID_INPUT),  # the unlabelled type
        (HasAtLeast("contacts", 1, 99_999), ErrorCode.ASSOCIATION_TYPE_NOT_FOUND),
    ],
)
@pytest.mark.usefixtures("world")
def test_u6_bad_at_least_filters_are_refused(
    db: Database, ann: User, refused: HasAtLeast, code: ErrorCode
) -> None:
    car_type(db, ann.caller)  # associable with nothing
    with pytest.raises(LiaisonError) as error:
        browse.index_page(db, ann.caller, "companies", IndexQuery(filters=(refused,)))
    assert error.value.code is code


# -- the pages ----------------------------------------------------------------------------------
def test_u6_at_least_shows_as_a_removable_chip(web: TestClient, world: World) -> None:
    path = f"/app/companies?sort=name&count=contacts%3A3%3A{world.decision_maker}&q=a"
    page = web.get(path)
    assert page.status_code == 200, page.text
    assert names_in_table(page.text) == ["Acme"]
    text = "At least 3 contacts labelled Decision maker"
    found = re.search(
        rf'class="chip-remove" href="([^"]+)" aria-label="Remove filter: {text}"', page.text
    )
    assert found is not None
    without = web.get(found.group(1).replace("&amp;", "&"))
    assert names_in_table(without.text) == ["Acme", "Umbrella"]  # q=a, no longer filtered
    unlabelled = web.get("/app/companies?sort=name&count=contacts:3&none=deals")
    assert names_in_table(unlabelled.text) == ["Acme", "Globex"]
    assert "At least 3 contacts" in unlabelled.text and "No deals" in unlabelled.text


def test_u6_at_least_form_redirects_to_the_filtered_address(web: TestClient, world: World) -> None:
    page = web.get("/app/companies")
    assert 'name="count_type"' in page.text and 'name="count_min"' in page.text
    assert f'<option value="{world.decision_maker}">Decision maker</option>' in page.text
    form = web.get(
        f"/app/companies?sort=name&count_type=contacts&count_min=3&count_label={world.decision_maker}",
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert form.headers["location"] == (
        f"/app/companies?sort=name&dir=asc&count=contacts%3A3%3A{world.decision_maker}"
    )
    assert names_in_table(web.get(form.headers["location"]).text) == ["Acme"]
    any_label = web.get(
        "/app/companies?count_type=contacts&count_min=2&count_label=", follow_redirects=False
    )
    assert any_label.headers["location"].endswith("count=contacts%3A2")


def test_u6_at_least_label_select_follows_the_type(web: TestClient, world: World) -> None:
    labels_of = web.get(
        "/app/companies/filters/labels?count_type=contacts", headers={"HX-Request": "true"}
    )
    assert labels_of.status_code == 200
    assert "<html" not in labels_of.text
    assert re.findall(r'<option value="(\d*)">([^<]+)</option>', labels_of.text) == [
        ("", "Any label"),
        ("2", "Primary"),  # the company is the contact's primary company
        (str(world.decision_maker), "Decision maker"),
        (str(world.advisor), "Advisor"),
    ]
    deals = web.get("/app/companies/filters/labels?count_type=deals").text
    assert "Decision maker" not in deals


@pytest.mark.parametrize(
    "query",
    [
        "count=spaceships:3",
        "count=contacts:0",
        "count=contacts:-1",
        "count=contacts:three",
        "count=contacts:",
        "count=contacts:1:279",
        "count=contacts:1:99999",
        "count=contacts:1:abc",
        "count=contacts:9999999999",
        "count_type=contacts&count_min=0&count_label=",
    ],
)
@pytest.mark.usefixtures("world")
def test_u6_bad_at_least_parameters_are_a_clear_400(
    db: Database, web: TestClient, query: str
) -> None:
    before = dump(db)
    page = web.get(f"/app/companies?{query}")
    assert page.status_code == 400, page.text
    assert "Internal" not in page.text
    assert dump(db) == before


def test_u6_bulk_all_matching_follows_at_least(
    db: Database, ann: User, web: TestClient, world: World
) -> None:
    value = f"contacts:3:{world.decision_maker}"
    form = {"all": "1", "q": "", "count": value, "to_type": "contacts", "to_id": str(world.bob)}
    headers = {"HX-Request": "true", "x-csrftoken": csrf(web)}
    done = web.post("/app/companies/bulk/associate/run", data=form, headers=headers)
    assert done.status_code == 200, done.text
    found = associations.list_associations(db, ann.caller, "contacts", world.bob, "companies")
    assert {v.to_id for v in found.results} == {world.acme, world.initech}  # Acme already had Bob
    export = web.get(f"/app/companies/export?count={value}")
    assert export.status_code == 200
    assert "Acme" in export.text and "Globex" not in export.text


def test_u6_at_least_page_statements_do_not_grow_with_rows(
    db: Database, ann: User, web: TestClient, world: World, counted: Counter
) -> None:
    me = ann.caller

    def statements(rows: int) -> int:
        wanted = f"count=contacts:2:{world.decision_maker}"
        path = f"/app/companies?sort=name&q=z&{wanted}&cols=assoc:contacts"

        def load() -> None:
            page = web.get(path)
            assert page.status_code == 200
            assert page.text.count('<th scope="row">') == rows

        load()
        return counted.during(load)

    def add(count: int, start: int) -> None:
        made = records.create_many(
            db,
            me,
            "companies",
            [records.NewRecord({"name": f"Z{start + i:02}"}) for i in range(count)],
        )
        dm = (world.decision_maker,)
        links = [AssociationInput(c.id, p, dm) for c in made for p in (world.ann, world.bob)]
        associations.associate(db, me, links).check()

    add(3, 0)
    few = statements(3)
    add(30, 3)
    assert statements(25) == few, counted.statements

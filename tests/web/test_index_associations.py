"""Index pages with association columns, cell popups and filters by association (U4, U6), in
process on both stores: what the services return, what the pages show, and bad input refused."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from liaison.domain.errors import ErrorCode, LiaisonError
from liaison.services import associations, browse, labels, records
from liaison.services.associations import AssociationInput
from liaison.services.browse import (
    AssociatedWith,
    HasNo,
    IndexColumns,
    IndexQuery,
    PrimaryCompanyHas,
    Sort,
)
from liaison.services.database import Database, create_account
from liaison.services.unit import Caller
from liaison.services.users import User
from tests.helpers import company, contact, deal, ticket
from tests.web.conftest import csrf, make_user
from tests.web.test_pages import names_in_table


@dataclass(frozen=True)
class World:
    """Ann (Acme primary, Globex), Bob (Globex primary, Initech, Umbrella), Cat (no company);
    Ann and Bob on the deal Big; Cat on the ticket Broken."""

    ann: int
    bob: int
    cat: int
    acme: int
    globex: int
    initech: int
    umbrella: int
    big: int
    broken: int


def _world(db: Database, me: Caller) -> World:
    acme = company(db, me, "Acme", industry="Software")
    globex = company(db, me, "Globex", industry="Energy")
    initech = company(db, me, "Initech", industry="Software consulting")
    umbrella = company(db, me, "Umbrella")
    ann, bob, cat = (contact(db, me, n) for n in ("Ann", "Bob", "Cat"))
    big, broken = deal(db, me, "Big"), ticket(db, me, "Broken")
    (advisor, _) = labels.create_label(db, me, "contacts", "companies", label="Advisor")
    links = [
        AssociationInput(ann.id, acme.id),
        AssociationInput(ann.id, globex.id, (advisor.id,)),
        AssociationInput(bob.id, globex.id),
        AssociationInput(bob.id, initech.id),
        AssociationInput(bob.id, umbrella.id),
        AssociationInput(ann.id, big.id),
        AssociationInput(bob.id, big.id),
        AssociationInput(cat.id, broken.id),
    ]
    for link in links:  # one by one, so P3 makes each contact's first company its primary
        associations.associate(db, me, [link]).check()
    ids = (ann, bob, cat, acme, globex, initech, umbrella, big, broken)
    return World(*(r.id for r in ids))


@pytest.fixture
def world(db: Database, ann: User) -> World:
    return _world(db, ann.caller)


def _names(db: Database, me: Caller, object_type: str, query: IndexQuery) -> list[str]:
    page = browse.index_page(db, me, object_type, query, sort=Sort.NAME, descending=False)
    return [r.name for r in page.records]


# -- the services -------------------------------------------------------------------------------
def test_u4_cells_name_a_few_associated_records_with_the_primary_first(
    db: Database, ann: User, world: World
) -> None:
    columns = IndexColumns(("companies", "deals", "tickets"), primary_company=True)
    page = browse.index_page(db, ann.caller, "contacts", columns=columns)
    kinds = {t.name: t for t in page.columns}
    assert list(kinds) == ["companies", "deals", "tickets"]
    ann_companies = page.cell(world.ann, kinds["companies"])
    assert ann_companies.total == 2
    assert [(r.name, r.primary, r.labels) for r in ann_companies.records] == [
        ("Acme", True, []),
        ("Globex", False, []),  # cells name records; the popup shows their labels
    ]
    bob_companies = page.cell(world.bob, kinds["companies"])
    assert (bob_companies.total, bob_companies.records) == (3, [])  # "3 companies"
    assert page.cell(world.cat, kinds["companies"]).total == 0
    assert page.cell(world.cat, kinds["tickets"]).records[0].name == "Broken"
    assert {k: v.name for k, v in page.primaries.items()} == {
        world.ann: "Acme",
        world.bob: "Globex",
    }


def test_u4_a_column_for_a_type_that_cannot_be_associated_is_refused(
    db: Database, ann: User
) -> None:
    with pytest.raises(LiaisonError) as refused:
        browse.index_page(db, ann.caller, "contacts", columns=IndexColumns(("notes",)))
    assert refused.value.code is ErrorCode.NO_ASSOCIATION_DEFINITION
    page = browse.index_page(db, ann.caller, "companies", columns=IndexColumns((), True))
    assert page.primary_company is False  # companies have no primary company


def test_u6_associated_with_a_record(db: Database, ann: User, world: World) -> None:
    me = ann.caller
    assert _names(db, me, "contacts", IndexQuery(filters=(AssociatedWith(world.globex),))) == [
        "Ann Lee",
        "Bob Lee",
    ]
    both = (AssociatedWith(world.globex), AssociatedWith(world.initech))
    assert _names(db, me, "contacts", IndexQuery(filters=both)) == ["Bob Lee"]
    # View associated: the target type's index filtered to the row's associated records
    assert _names(db, me, "companies", IndexQuery(filters=(AssociatedWith(world.bob),))) == [
        "Globex",
        "Initech",
        "Umbrella",
    ]
    with pytest.raises(LiaisonError) as refused:
        browse.index_page(db, me, "contacts", IndexQuery(filters=(AssociatedWith(10**12),)))
    assert refused.value.code is ErrorCode.RECORD_NOT_FOUND


@pytest.mark.usefixtures("world")
def test_u6_has_no_company(db: Database, ann: User) -> None:
    me = ann.caller
    assert _names(db, me, "contacts", IndexQuery(filters=(HasNo("companies"),))) == ["Cat Lee"]
    assert _names(db, me, "contacts", IndexQuery(filters=(HasNo("tickets"),))) == [
        "Ann Lee",
        "Bob Lee",
    ]
    page = browse.index_page(db, me, "contacts", IndexQuery(filters=(HasNo("company"),)))
    assert page.filters[0].text == "No companies"
    with pytest.raises(LiaisonError):
        browse.index_page(db, me, "contacts", IndexQuery(filters=(HasNo("spaceships"),)))


@pytest.mark.usefixtures("world")
def test_u6_a_property_of_the_primary_company(db: Database, ann: User) -> None:
    me = ann.caller
    exact = PrimaryCompanyHas("industry", "software")
    assert _names(db, me, "contacts", IndexQuery(filters=(exact,))) == ["Ann Lee"]
    part = PrimaryCompanyHas("industry", "ERG", contains=True)
    assert _names(db, me, "contacts", IndexQuery(filters=(part,))) == ["Bob Lee"]
    # Bob's Initech is "Software consulting", but it is not his primary company
    soft = PrimaryCompanyHas("industry", "soft", contains=True)
    assert _names(db, me, "contacts", IndexQuery(filters=(soft,))) == ["Ann Lee"]
    page = browse.index_page(db, me, "contacts", IndexQuery(filters=(exact,)))
    assert page.filters[0].text == "Primary company's Industry is “software”"
    wildcard = PrimaryCompanyHas("industry", "%", contains=True)  # % is literal
    assert _names(db, me, "contacts", IndexQuery(filters=(wildcard,))) == []
    with pytest.raises(LiaisonError) as refused:
        shoe_size = PrimaryCompanyHas("shoe_size", "9")
        browse.index_page(db, me, "contacts", IndexQuery(filters=(shoe_size,)))
    assert refused.value.code is ErrorCode.INVALID_PROPERTY
    with pytest.raises(LiaisonError) as refused:
        browse.index_page(db, me, "companies", IndexQuery(filters=(exact,)))
    assert refused.value.code is ErrorCode.INVALID_INPUT


def test_u6_filters_combine_with_search_sort_and_keyset_paging(db: Database, ann: User) -> None:
    me = ann.caller
    acme = company(db, me, "Acme")
    people = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i:02}"}) for i in range(12)]
    )
    others = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"Q{i:02}"}) for i in range(3)]
    )
    associations.associate(
        db, me, [AssociationInput(p.id, acme.id) for p in [*people, *others]]
    ).check()
    query = IndexQuery("p", (AssociatedWith(acme.id),))
    seen: list[str] = []
    after = None
    while True:
        page = browse.index_page(
            db, me, "contacts", query, sort=Sort.NAME, descending=True, after=after, limit=5
        )
        assert page.total == 12
        seen += [r.name for r in page.records]
        if page.next is None:
            break
        after = page.next
    assert seen == [f"P{i:02}" for i in reversed(range(12))]


def test_matching_ids_yields_every_match_in_batches(db: Database, ann: User) -> None:
    me = ann.caller
    acme = company(db, me, "Acme")
    made = records.create_many(
        db, me, "contacts", [records.NewRecord({"firstname": f"P{i}"}) for i in range(25)]
    )
    chosen = made[::2]
    associations.associate(db, me, [AssociationInput(p.id, acme.id) for p in chosen]).check()
    batches = list(
        browse.matching_ids(
            db, me, "contacts", IndexQuery(filters=(AssociatedWith(acme.id),)), batch=5
        )
    )
    assert [len(b) for b in batches] == [5, 5, 3]
    assert [i for b in batches for i in b] == sorted(p.id for p in chosen)
    unfiltered = [i for b in browse.matching_ids(db, me, "contacts", batch=10) for i in b]
    assert unfiltered == sorted(p.id for p in made)
    nothing = browse.matching_ids(db, me, "contacts", IndexQuery(filters=(HasNo("contacts"),)))
    assert [i for b in nothing for i in b] == sorted(p.id for p in made)
    assert list(browse.matching_ids(db, me, "contacts", IndexQuery("nobody"))) == []


# -- the pages ----------------------------------------------------------------------------------
def test_u4_edit_columns_shows_association_and_primary_columns(
    web: TestClient, world: World
) -> None:
    page = web.get("/app/contacts?sort=name&cols=assoc:companies,assoc:deals,primary:companies")
    assert page.status_code == 200
    html = page.text
    assert '<th scope="col" class="assoc-col">Primary company</th>' in html
    assert '<th scope="col" class="assoc-col">Companies</th>' in html
    assert '<th scope="col" class="assoc-col">Deals</th>' in html
    assert "3 companies" in html  # Bob: more than CELL_SIZE
    assert re.search(r"Acme <span class=\"badge primary\">Primary</span></span>, ", html)
    assert f'hx-get="/app/contacts/{world.bob}/cell/companies"' in html
    # the Edit columns form ticks what is shown
    assert 'value="assoc:companies" checked' in html
    assert 'value="primary:companies" checked' in html
    assert 'value="assoc:tickets">' in html
    # links keep the columns
    assert "cols=assoc%3Acompanies%2Cassoc%3Adeals%2Cprimary%3Acompanies" in html


@pytest.mark.usefixtures("world")
def test_u4_columns_are_remembered_per_type_for_the_session(web: TestClient) -> None:
    web.get("/app/contacts?cols=assoc:deals&cols=primary:companies")
    again = web.get("/app/contacts")
    assert '<th scope="col" class="assoc-col">Deals</th>' in again.text
    assert '<th scope="col" class="assoc-col">Primary company</th>' in again.text
    assert "assoc-col" not in web.get("/app/companies").text
    cleared = web.get("/app/contacts?cols=")  # the form's empty value: no columns
    assert "assoc-col" not in cleared.text
    assert "assoc-col" not in web.get("/app/contacts").text


def test_u4_cell_popup_lists_links_and_view_associated(web: TestClient, world: World) -> None:
    popup = web.get(f"/app/contacts/{world.bob}/cell/companies", headers={"HX-Request": "true"})
    assert popup.status_code == 200
    html = popup.text
    assert "<html" not in html
    assert "3 companies" in html
    for company_id in (world.globex, world.initech, world.umbrella):
        assert f'href="/app/companies/{company_id}"' in html
    assert f'href="/app/companies?with={world.bob}"' in html
    assert "View associated companies" in html
    labelled = web.get(f"/app/contacts/{world.ann}/cell/companies").text
    assert re.search(r"Globex</a>\s*<span class=\"badge label\">Advisor</span>", labelled)
    assert re.search(r"Acme</a>\s*<span class=\"badge primary\">Primary</span>", labelled)
    associated = web.get(f"/app/companies?with={world.bob}&sort=name")
    assert names_in_table(associated.text) == ["Globex", "Initech", "Umbrella"]
    assert "Associated with Bob Lee (contact)" in associated.text


def test_u6_filters_show_as_removable_chips(web: TestClient, world: World) -> None:
    path = f"/app/contacts?sort=name&none=tickets&with={world.big}"
    page = web.get(path)
    assert names_in_table(page.text) == ["Ann Lee", "Bob Lee"]
    assert "No tickets" in page.text and "Associated with Big (deal)" in page.text
    remove = {
        label: url
        for url, label in re.findall(
            r'class="chip-remove" href="([^"]+)" aria-label="Remove filter: ([^"]+)"', page.text
        )
    }
    assert len(remove) == 2
    without_big = web.get(remove["Associated with Big (deal)"].replace("&amp;", "&"))
    assert names_in_table(without_big.text) == ["Ann Lee", "Bob Lee"]
    assert "Associated with Big" not in without_big.text and "No tickets" in without_big.text
    assert names_in_table(web.get("/app/contacts?sort=name&none=companies").text) == ["Cat Lee"]


@pytest.mark.usefixtures("world")
def test_u6_primary_company_form_redirects_to_the_filtered_address(web: TestClient) -> None:
    form = web.get(
        "/app/contacts?sort=name&pc_property=industry&pc_op=contains&pc_value=soft",
        follow_redirects=False,
    )
    assert form.status_code == 303
    assert (
        form.headers["location"] == "/app/contacts?sort=name&dir=asc&pc=industry%3Acontains%3Asoft"
    )
    page = web.get(form.headers["location"])
    assert names_in_table(page.text) == ["Ann Lee"]
    assert "Primary company&#39;s Industry contains “soft”" in page.text


def test_u6_the_record_picker_links_to_the_filtered_index(web: TestClient, world: World) -> None:
    found = web.get("/app/contacts/filters/records?to=companies&fq=glob&sort=name&none=tickets")
    assert found.status_code == 200
    assert re.findall(r'href="([^"]+)"', found.text) == [
        f"/app/contacts?sort=name&amp;dir=asc&amp;none=tickets&amp;with={world.globex}"
    ]


@pytest.mark.parametrize(
    "query",
    [
        "cols=assoc:notes",
        "cols=bogus",
        "with=abc",
        "pc=industry:like:x",
        "pc=industry:eq:",
        "none=spaceships",
        "pc=shoe_size:eq:9",
        "sort=size",
    ],
)
def test_bad_index_parameters_are_a_clear_400(web: TestClient, query: str) -> None:
    page = web.get(f"/app/contacts?{query}")
    assert page.status_code in (400, 404), page.text
    assert "Internal" not in page.text


@pytest.mark.usefixtures("world")
def test_another_accounts_record_is_not_a_filter(db: Database, web: TestClient) -> None:
    other = create_account(db, name="Other")
    bea = make_user(db, "bea@other.example", account_id=other, name="Bea")
    made = records.create_many(
        db, bea.caller, "companies", [records.NewRecord({"name": f"T{i}"}) for i in range(30)]
    )
    theirs = made[-1].id  # record IDs count per account: an ID account 1 lacks
    assert web.get(f"/app/contacts?with={theirs}").status_code == 404
    assert web.get(f"/app/companies/{theirs}/cell/contacts").status_code == 404


def test_an_index_page_counts_up_to_the_cap(db: Database, ann: User, web: TestClient) -> None:
    many = browse.COUNT_CAP + 1
    records.create_many(
        db, ann.caller, "companies", [records.NewRecord({"name": f"C{i}"}) for i in range(many)]
    )
    page = browse.index_page(db, ann.caller, "companies")
    assert page.total_is_capped
    assert f"{browse.COUNT_CAP:,}+ companies" in web.get("/app/companies").text
    exact = browse.index_page(db, ann.caller, "companies", IndexQuery("C1"))
    assert (exact.total, exact.total_is_capped) == (112, False)  # C1, C1x, C1xx, C1000


def test_u5_u6_bulk_all_matching_honours_the_filters(
    db: Database, ann: User, web: TestClient, world: World
) -> None:
    """ "Select all N matching" on a filtered index acts on the filtered records only."""
    page = web.get("/app/contacts?none=companies")
    assert "Select all 1 matching" in page.text
    assert '<input type="hidden" name="none" value="companies" form="bulk-form">' in page.text
    form = {"all": "1", "q": "", "none": "companies", "to_type": "deals", "to_id": str(world.big)}
    headers = {"HX-Request": "true", "x-csrftoken": csrf(web)}
    panel = web.post("/app/contacts/bulk/associate", data=form, headers=headers)
    assert "all 1 contacts matching" in panel.text
    assert '<input type="hidden" name="none" value="companies">' in panel.text
    done = web.post("/app/contacts/bulk/associate/run", data=form, headers=headers)
    assert done.status_code == 200, done.text
    found = associations.list_associations(db, ann.caller, "deals", world.big, "contacts")
    assert {v.to_id for v in found.results} == {world.ann, world.bob, world.cat}

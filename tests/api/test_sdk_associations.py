"""HubSpot's own Python SDK, in strict mode, against a live `liaison serve` (SQLite and
PostgreSQL): every method of the v4 associations, labels and limits APIs, and the three
situations of the product description.

Records are created through the services on the live server's database (the objects API is
not what this module tests); everything else goes through the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)
from hubspot.crm.associations.v4.exceptions import ApiException
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationCreateRequest,
    BatchInputPublicAssociationDefinitionConfigurationUpdateRequest,
    BatchInputPublicAssociationSpec,
    PublicAssociationDefinitionConfigurationCreateRequest,
    PublicAssociationDefinitionConfigurationUpdateRequest,
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationDefinitionUpdateRequest,
    PublicAssociationSpec,
)
from hubspot.crm.associations.v4.schema.exceptions import ApiException as SchemaApiException

from liaison.domain.history import Actor
from liaison.domain.records import Record
from liaison.services import records
from liaison.services.database import Database
from liaison.services.records import NewRecord
from liaison.services.unit import Caller
from tests.api.conftest import Live
from tests.helpers import types_between

H, U = "HUBSPOT_DEFINED", "USER_DEFINED"
ME = Caller(1, Actor.user("setup", "Test setup"))


@pytest.fixture(scope="module")
def database(live: Live) -> Iterator[Database]:
    opened = live.database()
    yield opened
    opened.close()


def make(database: Database, object_type: str, *values: dict[str, Any]) -> list[Record]:
    return records.create_many(database, ME, object_type, [NewRecord(v) for v in values])


def spec(type_id: int, category: str = H) -> AssociationSpec:
    return AssociationSpec(association_category=category, association_type_id=type_id)


def oid(record: Record | int) -> PublicObjectId:
    return PublicObjectId(id=str(record if isinstance(record, int) else record.id))


def multi_post(a: Record | int, b: Record | int, *types: AssociationSpec) -> Any:
    return PublicAssociationMultiPost(_from=oid(a), to=oid(b), types=list(types))


def page_of(sdk: Any, object_type: str, record: Record, to_type: str) -> dict[str, set[Any]]:
    """toObjectId -> the (typeId, label) pairs of each association, from the SDK's get_page."""
    page = sdk.crm.associations.v4.basic_api.get_page(object_type, str(record.id), to_type)
    return {
        r.to_object_id: {(t.type_id, t.label) for t in r.association_types} for r in page.results
    }


def test_situation_1_a_deal_with_three_contacts_and_their_company(
    sdk: Any, database: Database
) -> None:
    (big,) = make(database, "deals", {"dealname": "Fleet renewal"})
    (acme,) = make(database, "companies", {"name": "Acme"})
    people = make(database, "contacts", *({"firstname": n} for n in ("Ann", "Bob", "Cy")))
    batch_api, basic_api = sdk.crm.associations.v4.batch_api, sdk.crm.associations.v4.basic_api
    created = batch_api.create(
        "deals",
        "contacts",
        BatchInputPublicAssociationMultiPost(inputs=[multi_post(big, p, spec(3)) for p in people]),
    )
    assert type(created).__name__ == "BatchResponseLabelsBetweenObjectPair"
    assert created.status == "COMPLETE" and len(created.results) == 3
    assert {r.to_object_id for r in created.results} == {str(p.id) for p in people}
    primary = basic_api.create("deals", str(big.id), "companies", str(acme.id), [spec(5)])
    assert primary.labels == ["Primary"] and primary.from_object_type_id == "0-3"
    defaults = batch_api.create_default(
        "contacts",
        "companies",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[PublicDefaultAssociationMultiPost(_from=oid(p), to=oid(acme)) for p in people]
        ),
    )
    assert len(defaults.results) == 6
    assert {r.association_spec.association_type_id for r in defaults.results} == {279, 280}
    assert page_of(sdk, "deals", big, "companies") == {str(acme.id): {(341, None), (5, "Primary")}}
    assert set(page_of(sdk, "deals", big, "contacts")) == {str(p.id) for p in people}
    for person in people:  # P3: the contacts' only company is their primary
        assert page_of(sdk, "contact", person, "company") == {
            str(acme.id): {(279, None), (1, "Primary")}
        }
    from_company = page_of(sdk, "0-2", acme, "0-3")
    assert from_company == {str(big.id): {(342, None), (6, "Primary")}}


def test_situation_2_a_ticket_with_two_contacts_and_a_deal(sdk: Any, database: Database) -> None:
    (broken,) = make(database, "tickets", {"subject": "Van broken"})
    (big,) = make(database, "deals", {"dealname": "Service deal"})
    ann, bob = make(database, "contacts", {"firstname": "Ann"}, {"firstname": "Bob"})
    basic_api = sdk.crm.associations.v4.basic_api
    for person in (ann, bob):
        made = basic_api.create_default("tickets", str(broken.id), "contacts", str(person.id))
        assert made.status == "COMPLETE"
        assert [
            (r._from.id, r.to.id, r.association_spec.association_type_id) for r in made.results
        ] == [
            (str(broken.id), str(person.id), 16),
            (str(person.id), str(broken.id), 15),
        ]
    basic_api.create_default("ticket", str(broken.id), "deal", str(big.id))
    assert page_of(sdk, "tickets", broken, "contacts") == {
        str(ann.id): {(16, None)},
        str(bob.id): {(16, None)},
    }
    assert page_of(sdk, "tickets", broken, "deals") == {str(big.id): {(28, None)}}
    assert page_of(sdk, "deals", big, "tickets") == {str(broken.id): {(27, None)}}
    assert basic_api.archive("tickets", str(broken.id), "contacts", str(bob.id)) is None
    assert set(page_of(sdk, "tickets", broken, "contacts")) == {str(ann.id)}


def test_situation_3_a_contact_at_two_companies_employer_primary_other_advisor(
    sdk: Any, database: Database
) -> None:
    (ann,) = make(database, "contacts", {"firstname": "Ann"})
    employer, advised = make(database, "companies", {"name": "Employer"}, {"name": "Advised"})
    definitions = sdk.crm.associations.v4.schema.definitions_api
    (advisor,) = definitions.create(
        "contacts",
        "companies",
        PublicAssociationDefinitionCreateRequest(name="advisor", label="Advisor"),
    ).results
    assert advisor.category == U and advisor.label == "Advisor"
    basic_api = sdk.crm.associations.v4.basic_api
    assert basic_api.create(
        "contacts", str(ann.id), "companies", str(advised.id), [spec(advisor.type_id, U)]
    ).labels == [
        "Primary",
        "Advisor",
    ]  # its first company: primary by itself (P3)
    made = basic_api.create("contacts", str(ann.id), "companies", str(employer.id), [spec(1)])
    assert made.labels == ["Primary"]  # the employer replaces it as primary (P2)
    assert page_of(sdk, "contacts", ann, "companies") == {
        str(employer.id): {(279, None), (1, "Primary")},
        str(advised.id): {(279, None), (advisor.type_id, "Advisor")},
    }
    labels = {t.label for t in definitions.get_all("contacts", "companies").results}
    assert labels == {None, "Primary", "Advisor"}


def test_paired_labels_create_update_remove(sdk: Any, database: Database) -> None:
    definitions = sdk.crm.associations.v4.schema.definitions_api
    created = definitions.create(
        "contacts",
        "contacts",
        PublicAssociationDefinitionCreateRequest(
            name="manager_employee", label="Manager", inverse_label="Employee"
        ),
    )
    manager, employee = created.results
    assert (manager.label, employee.label) == ("Manager", "Employee")
    boss, report = make(database, "contacts", {"firstname": "Boss"}, {"firstname": "Report"})
    basic_api = sdk.crm.associations.v4.basic_api
    basic_api.create(
        "contacts", str(report.id), "contacts", str(boss.id), [spec(manager.type_id, U)]
    )
    assert page_of(sdk, "contacts", boss, "contacts") == {
        str(report.id): {(449, None), (employee.type_id, "Employee")}
    }
    assert (
        definitions.update(
            "contacts",
            "contacts",
            PublicAssociationDefinitionUpdateRequest(
                association_type_id=manager.type_id, label="Lead", inverse_label="Member"
            ),
        )
        is None
    )
    after = {t.type_id: t.label for t in definitions.get_all("contacts", "contacts").results}
    assert after[manager.type_id] == "Lead" and after[employee.type_id] == "Member"
    with pytest.raises(SchemaApiException) as in_use:
        definitions.remove("contacts", "contacts", manager.type_id)
    assert in_use.value.status == 409
    batch_api = sdk.crm.associations.v4.batch_api
    assert (
        batch_api.archive_labels(
            "contacts",
            "contacts",
            BatchInputPublicAssociationMultiPost(
                inputs=[multi_post(report, boss, spec(manager.type_id, U))]
            ),
        )
        is None
    )
    assert page_of(sdk, "contacts", boss, "contacts") == {str(report.id): {(449, None)}}
    for result in created.results:  # removing one side removes both; the other is a no-op
        definitions.remove("contacts", "contacts", result.type_id)
    remaining = {t.type_id for t in definitions.get_all("contacts", "contacts").results}
    assert not remaining & {manager.type_id, employee.type_id}


def test_a6_limits_refuse_an_association_with_a_207(sdk: Any, database: Database) -> None:
    definitions = sdk.crm.associations.v4.schema.definitions_api
    configurations = sdk.crm.associations.v4.schema.definition_configurations_api
    (billing,) = definitions.create(
        "companies", "contacts", PublicAssociationDefinitionCreateRequest(label="Billing contact")
    ).results
    created = configurations.batch_create(
        "companies",
        "contacts",
        BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationCreateRequest(
                    category=U, type_id=billing.type_id, max_to_object_ids=1
                )
            ]
        ),
    )
    assert type(created).__name__ == "BatchResponsePublicAssociationDefinitionUserConfiguration"
    assert created.results[0].user_enforced_max_to_object_ids == 1
    between = configurations.get_all_between_two_object_types("companies", "contacts").results
    assert [(c.type_id, c.user_enforced_max_to_object_ids) for c in between] == [
        (billing.type_id, 1)
    ]
    assert billing.type_id in {c.type_id for c in configurations.get_all().results}
    (acme,) = make(database, "companies", {"name": "Billing Co"})
    ann, bob = make(database, "contacts", {"firstname": "Ann"}, {"firstname": "Bob"})
    result = sdk.crm.associations.v4.batch_api.create(
        "companies",
        "contacts",
        BatchInputPublicAssociationMultiPost(
            inputs=[
                multi_post(acme, ann, spec(billing.type_id, U)),
                multi_post(acme, bob, spec(billing.type_id, U)),
                multi_post(99999999, bob, spec(280)),
            ]
        ),
    )
    assert type(result).__name__ == "BatchResponseLabelsBetweenObjectPairWithErrors"
    assert result.num_errors == 2
    assert [e.sub_category for e in result.errors] == ["LIMIT_EXCEEDED", "RECORD_NOT_FOUND"]
    # Acme is Ann's first company, so her primary (P3): type 2 from the company's side.
    assert [r.labels for r in result.results] == [["Primary", "Billing contact"]]
    updated = configurations.batch_update(
        "companies",
        "contacts",
        BatchInputPublicAssociationDefinitionConfigurationUpdateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category=U, type_id=billing.type_id, max_to_object_ids=2
                )
            ]
        ),
    )
    assert updated.results[0].user_enforced_max_to_object_ids == 2
    refused = configurations.batch_update(
        "companies",
        "contacts",
        BatchInputPublicAssociationDefinitionConfigurationUpdateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category=H, type_id=280, max_to_object_ids=0
                )
            ]
        ),
    )
    assert type(refused).__name__.endswith("WithErrors") and refused.num_errors == 1
    assert (
        configurations.batch_remove(
            "companies",
            "contacts",
            BatchInputPublicAssociationSpec(
                inputs=[PublicAssociationSpec(category=U, type_id=billing.type_id)]
            ),
        )
        is None
    )
    assert configurations.get_all_between_two_object_types("companies", "contacts").results == []
    assert types_between(database, ME, acme.id, bob.id) is None


def test_a9_paging_to_the_end_of_a_record_with_1200_associations(
    sdk: Any, database: Database
) -> None:
    (acme,) = make(database, "companies", {"name": "Big Co"})
    people = make(database, "contacts", *({"firstname": f"P{i}"} for i in range(1200)))
    made = sdk.crm.associations.v4.batch_api.create_default(
        "companies",
        "contacts",
        BatchInputPublicDefaultAssociationMultiPost(
            inputs=[PublicDefaultAssociationMultiPost(_from=oid(acme), to=oid(p)) for p in people]
        ),
    )
    assert len(made.results) == 2400
    basic_api = sdk.crm.associations.v4.basic_api
    seen: list[str] = []
    page = basic_api.get_page("companies", str(acme.id), "contacts", limit=500)
    pages = 1
    seen += [r.to_object_id for r in page.results]
    while page.paging and page.paging.next:
        page = basic_api.get_page(
            "companies", str(acme.id), "contacts", after=page.paging.next.after, limit=500
        )
        pages += 1
        seen += [r.to_object_id for r in page.results]
    assert pages == 3 and seen == [str(p.id) for p in people]
    batch_api = sdk.crm.associations.v4.batch_api
    read: list[str] = []
    after = None
    while True:
        got = batch_api.get_page(
            "companies",
            "contacts",
            BatchInputPublicFetchAssociationsBatchRequest(
                inputs=[PublicFetchAssociationsBatchRequest(id=str(acme.id), after=after)]
            ),
        )
        (result,) = got.results
        read += [t.to_object_id for t in result.to]
        if not result.paging:
            break
        after = result.paging.next.after
    assert read == seen
    archived = batch_api.archive(
        "companies",
        "contacts",
        BatchInputPublicAssociationMultiArchive(
            inputs=[
                PublicAssociationMultiArchive(_from=oid(acme), to=[oid(p) for p in people[:700]])
            ]
        ),
    )
    assert archived is None
    assert len(basic_api.get_page("companies", str(acme.id), "contacts").results) == 500
    rest = basic_api.get_page("companies", str(acme.id), "contacts", after=str(people[699].id))
    assert [r.to_object_id for r in rest.results] == [str(p.id) for p in people[700:1200]]


def test_batch_read_207_and_errors_raise_api_exceptions(sdk: Any, database: Database) -> None:
    (ann,) = make(database, "contacts", {"firstname": "Ann"})
    got = sdk.crm.associations.v4.batch_api.get_page(
        "contacts",
        "companies",
        BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[
                PublicFetchAssociationsBatchRequest(id=str(ann.id)),
                PublicFetchAssociationsBatchRequest(id="99999999"),
            ]
        ),
    )
    assert type(got).__name__ == "BatchResponsePublicAssociationMultiWithLabelWithErrors"
    assert got.num_errors == 1 and got.errors[0].context["ids"] == ["99999999"]
    basic_api = sdk.crm.associations.v4.basic_api
    with pytest.raises(ApiException) as missing:
        basic_api.create("contacts", str(ann.id), "companies", "99999999", [spec(279)])
    assert missing.value.status == 404
    with pytest.raises(ApiException) as itself:
        basic_api.create_default("contacts", str(ann.id), "contacts", str(ann.id))
    assert itself.value.status == 400 and "SELF_ASSOCIATION" in itself.value.body

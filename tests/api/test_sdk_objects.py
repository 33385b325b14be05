"""HubSpot's own Python SDK, in strict mode, against a live `liaison serve` (both stores):
the v3 objects, batch and search APIs for contacts, a custom object and notes."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hubspot.crm.contacts import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicGdprDeleteInput,
    PublicMergeInput,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputForCreate,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects import (
    BatchInputSimplePublicObjectBatchInputForCreate as ObjectsBatchCreate,
)
from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId as ObjectsBatchRead,
)
from hubspot.crm.objects import (
    PublicObjectSearchRequest as ObjectsSearch,
)
from hubspot.crm.objects import (
    SimplePublicObjectBatchInputForCreate as ObjectsCreateInput,
)
from hubspot.crm.objects import (
    SimplePublicObjectId as ObjectsId,
)
from hubspot.crm.objects import (
    SimplePublicObjectInputForCreate as ObjectsCreate,
)

from liaison.domain.history import Actor
from liaison.services import object_types
from liaison.services.unit import Caller
from tests.api.conftest import Live
from tests.helpers import car_type

_serial = itertools.count()


def unique(stem: str) -> str:
    return f"{stem}{next(_serial)}"


def company(sdk: Any, name: str) -> str:
    made = sdk.crm.companies.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"name": name})
    )
    return str(made.id)


def to(record_id: str, type_id: int, category: str = "HUBSPOT_DEFINED") -> dict[str, Any]:
    return {
        "to": {"id": record_id},
        "types": [{"associationCategory": category, "associationTypeId": type_id}],
    }


def test_contacts_basic_api_lifecycle(sdk: Any) -> None:
    acme = company(sdk, unique("Acme"))
    email = f"{unique('jane')}@acme.example"
    made = sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(
            properties={"email": email, "firstname": "Jane"}, associations=[to(acme, 279)]
        )
    )
    assert type(made).__name__ == "SimplePublicObject"
    assert made.properties["email"] == email and made.created_at.tzinfo is not None
    got = sdk.crm.contacts.basic_api.get_by_id(
        made.id, associations=["companies"], properties=["email", "jobtitle"]
    )
    types = {(a.id, a.type) for a in got.associations["companies"].results}
    assert types == {(acme, "contact_to_company"), (acme, "contact_to_company_unlabeled")}
    assert got.properties["jobtitle"] is None
    by_email = sdk.crm.contacts.basic_api.get_by_id(email, id_property="email")
    assert by_email.id == made.id
    updated = sdk.crm.contacts.basic_api.update(
        made.id, SimplePublicObjectInput(properties={"jobtitle": "CTO"})
    )
    assert updated.properties["jobtitle"] == "CTO"
    page = sdk.crm.contacts.basic_api.get_page(limit=100, associations=["companies"])
    assert made.id in {r.id for r in page.results}
    sdk.crm.contacts.basic_api.archive(made.id)
    with pytest.raises(ApiException) as missing:
        sdk.crm.contacts.basic_api.get_by_id(made.id)
    assert missing.value.status == 404
    archived = sdk.crm.contacts.basic_api.get_by_id(made.id, archived=True)
    assert archived.archived is True and archived.archived_at is not None


def test_merge_and_gdpr_purge(sdk: Any) -> None:
    keep = sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"firstname": unique("Keep")})
    )
    gone = sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"firstname": "Gone", "jobtitle": "CFO"})
    )
    survivor = sdk.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=keep.id, object_id_to_merge=gone.id)
    )
    assert survivor.id == keep.id and survivor.properties["jobtitle"] == "CFO"
    assert sdk.crm.contacts.basic_api.get_by_id(gone.id).id == keep.id
    email = f"{unique('forget')}@privacy.example"
    doomed = sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": email})
    )
    sdk.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id=email, id_property="email"))
    with pytest.raises(ApiException) as purged:
        sdk.crm.contacts.basic_api.get_by_id(doomed.id, archived=True)
    assert purged.value.status == 404


def test_contacts_batch_api(sdk: Any) -> None:
    emails = [f"{unique('batch')}@batch.example" for _ in range(3)]
    created = sdk.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[SimplePublicObjectBatchInputForCreate(properties={"email": e}) for e in emails]
        )
    )
    assert type(created).__name__ == "BatchResponseSimplePublicObject"
    assert created.status == "COMPLETE" and len(created.results) == 3
    ids = [r.id for r in created.results]
    traced = sdk.crm.contacts.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(
                    properties={"firstname": "Traced"}, object_write_trace_id="ok"
                ),
                SimplePublicObjectBatchInputForCreate(
                    properties={"nope": "x"}, object_write_trace_id="bad"
                ),
            ]
        )
    )
    assert type(traced).__name__ == "BatchResponseSimplePublicObjectWithErrors"
    assert [r.object_write_trace_id for r in traced.results] == ["ok"]
    assert traced.num_errors == 1 and traced.errors[0].sub_category == "UNKNOWN_PROPERTY"
    read = sdk.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in ids],
            properties=["email"],
            properties_with_history=[],
        )
    )
    assert {r.properties["email"] for r in read.results} == set(emails)
    partial = sdk.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=ids[0]), SimplePublicObjectId(id="99999999")],
            properties=[],
            properties_with_history=[],
        ),
        archived=False,
    )
    assert type(partial).__name__ == "BatchResponseSimplePublicObjectWithErrors"
    assert partial.num_errors == 1 and partial.errors[0].context["ids"] == ["99999999"]
    by_email = sdk.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=emails[1])],
            properties=[],
            properties_with_history=[],
            id_property="email",
        )
    )
    assert [r.id for r in by_email.results] == [ids[1]]
    updated = sdk.crm.contacts.batch_api.update(
        BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=i, properties={"jobtitle": "Dev"}) for i in ids]
        )
    )
    assert {r.properties["jobtitle"] for r in updated.results} == {"Dev"}
    fresh = f"{unique('upsert')}@batch.example"
    upserted = sdk.crm.contacts.batch_api.upsert(
        BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                SimplePublicObjectBatchInputUpsert(
                    id=emails[0], id_property="email", properties={"jobtitle": "Lead"}
                ),
                SimplePublicObjectBatchInputUpsert(
                    id=fresh, id_property="email", properties={"firstname": "New"}
                ),
            ]
        )
    )
    flags = {r.properties["email"]: r.new for r in upserted.results}
    assert flags == {emails[0]: False, fresh: True}
    sdk.crm.contacts.batch_api.archive(
        BatchInputSimplePublicObjectId(inputs=[SimplePublicObjectId(id=i) for i in ids])
    )
    gone = sdk.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=i) for i in ids],
            properties=[],
            properties_with_history=[],
        ),
        archived=True,
    )
    assert {r.id for r in gone.results} == set(ids)


def test_contacts_search_api(sdk: Any) -> None:
    tag = unique("srch")
    acme = company(sdk, f"{tag} Acme")
    made = []
    for i in range(5):
        made.append(
            sdk.crm.contacts.basic_api.create(
                SimplePublicObjectInputForCreate(
                    properties={"firstname": f"P{i}", "lastname": tag, "jobtitle": str(i * 10)},
                    associations=[to(acme, 279)] if i % 2 == 0 else [],
                )
            ).id
        )
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="lastname", operator="EQ", value=tag)])
        ],
        sorts=[{"propertyName": "firstname", "direction": "DESCENDING"}],
        properties=["firstname"],
        limit=2,
    )
    first = sdk.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert type(first).__name__ == "CollectionResponseWithTotalSimplePublicObjectForwardPaging"
    assert first.total == 5 and [r.properties["firstname"] for r in first.results] == ["P4", "P3"]
    request.after = first.paging.next.after
    second = sdk.crm.contacts.search_api.do_search(public_object_search_request=request)
    assert [r.properties["firstname"] for r in second.results] == ["P2", "P1"]
    with_acme = sdk.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[
                        Filter(property_name="associations.company", operator="EQ", value=acme)
                    ]
                )
            ],
            sorts=["firstname"],
        )
    )
    assert [r.id for r in with_acme.results] == [made[0], made[2], made[4]]
    by_query = sdk.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(query=tag, limit=10)
    )
    assert by_query.total == 5


def test_get_all_helper_pages_through_everything(sdk: Any) -> None:
    tag = unique("all")
    sdk.crm.companies.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"name": f"{tag}-{i}"})
                for i in range(100)
            ]
        )
    )
    sdk.crm.companies.batch_api.create(
        BatchInputSimplePublicObjectBatchInputForCreate(
            inputs=[
                SimplePublicObjectBatchInputForCreate(properties={"name": f"{tag}-x{i}"})
                for i in range(5)
            ]
        )
    )
    everything = sdk.crm.companies.get_all(properties=["name"])
    assert len([c for c in everything if c.properties["name"].startswith(tag)]) == 105


def test_generic_objects_api_for_a_custom_object(sdk: Any, live: Live) -> None:
    database = live.database()
    try:
        admin = Caller(1, Actor.user("u-admin", "Admin"))
        known = {t.name for t in object_types.list_object_types(database, admin)}
        kind = (
            object_types.get_object_type(database, admin, "car")
            if "car" in known
            else car_type(database, admin, "contacts")
        )
    finally:
        database.close()
    made = sdk.crm.objects.basic_api.create(
        kind.id, ObjectsCreate(properties={"model": unique("Volvo")})
    )
    got = sdk.crm.objects.basic_api.get_by_id("car", made.id, properties=["model"])
    assert got.properties["model"] == made.properties["model"]
    created = sdk.crm.objects.batch_api.create(
        "car",
        ObjectsBatchCreate(
            inputs=[ObjectsCreateInput(properties={"model": f"Saab {i}"}) for i in range(3)]
        ),
    )
    ids = [r.id for r in created.results]
    read = sdk.crm.objects.batch_api.read(
        kind.id,
        ObjectsBatchRead(
            inputs=[ObjectsId(id=i) for i in ids], properties=["model"], properties_with_history=[]
        ),
    )
    assert {r.properties["model"] for r in read.results} == {"Saab 0", "Saab 1", "Saab 2"}
    found = sdk.crm.objects.search_api.do_search(
        "car",
        ObjectsSearch(
            filter_groups=[
                {
                    "filters": [
                        {"propertyName": "model", "operator": "CONTAINS_TOKEN", "value": "saab"}
                    ]
                }
            ],
            sorts=["-model"],
            properties=["model"],
        ),
    )
    assert [r.properties["model"] for r in found.results] == ["Saab 2", "Saab 1", "Saab 0"]
    page = sdk.crm.objects.basic_api.get_page(kind.id, limit=2, properties=["model"])
    assert len(page.results) == 2 and page.paging.next.after
    assert len(sdk.crm.objects.get_all("car")) >= 4
    sdk.crm.objects.basic_api.archive("car", made.id)


def test_generic_objects_api_for_notes(sdk: Any) -> None:
    person = sdk.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"firstname": unique("Noted")})
    )
    note = sdk.crm.objects.notes.basic_api.create(
        {
            "properties": {"hs_note_body": "Called", "hs_timestamp": "2026-01-05T10:00:00Z"},
            "associations": [to(person.id, 202)],
        }
    )
    got = sdk.crm.objects.basic_api.get_by_id("notes", note.id, associations=["contacts"])
    assert [(a.id, a.type) for a in got.associations["contacts"].results] == [
        (person.id, "note_to_contact")
    ]
    found = sdk.crm.objects.search_api.do_search(
        "notes",
        ObjectsSearch(
            filter_groups=[
                {
                    "filters": [
                        {
                            "propertyName": "associations.contact",
                            "operator": "EQ",
                            "value": person.id,
                        }
                    ]
                }
            ]
        ),
    )
    assert [r.id for r in found.results] == [note.id]
    with pytest.raises(ObjectsApiException) as refused:
        sdk.crm.objects.basic_api.create(
            "notes", ObjectsCreate(properties={"hs_note_body": "no time"})
        )
    assert refused.value.status == 400

"""The API documents itself: `/docs` (Swagger UI) and `/openapi.json` answer, and the OpenAPI
document lists every path family whose router has routes, once (aliases are left out)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liaison.api import associations, extensions, labels, limits, objects, schemas
from liaison.api.app import create_app
from liaison.services.database import Database

FAMILIES = [
    ("/crm-object-schemas/v3/schemas", schemas.router),
    ("/liaison/v1/", extensions.router),
    ("/crm/v3/objects/", objects.router),
    ("/crm/v4/objects/", associations.records_router),
    ("/crm/v4/associations/", associations.batch_router),
    ("/crm/v4/associations/", labels.router),
    ("/crm/v4/associations/", limits.router),
]


def test_docs_page_and_openapi_document_answer_without_a_token(db: Database) -> None:
    client = TestClient(create_app(db))
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text.lower()
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Liaison"


def test_openapi_lists_the_main_families_and_no_alias(db: Database) -> None:
    paths = list(create_app(db).openapi()["paths"])
    for prefix, router in FAMILIES:
        if router.routes:
            assert any(p.startswith(prefix) for p in paths), prefix
    assert any(p.startswith("/crm-object-schemas/v3/schemas") for p in paths)
    assert any(p.startswith("/liaison/v1/objects/") for p in paths)
    assert not any(p.startswith(("/crm/v3/schemas", "/crm/objects/2026-03")) for p in paths)


def test_openapi_documents_the_response_model_of_json_routes(db: Database) -> None:
    """FastAPI documents a route's response model only for JSONResponse classes: the app's
    default response class must be one, or every answer is documented as a string."""
    spec = create_app(db).openapi()
    created = spec["paths"]["/crm-object-schemas/v3/schemas"]["post"]["responses"]["201"]
    schema = created["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ObjectSchema"}


def test_s3_a_wrong_method_is_405_naming_every_method_the_path_takes(api: TestClient) -> None:
    """Several routes share a path (one per method): the answer names them all, not the first."""
    wrong = api.delete("/crm/v3/objects/contacts")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert wrong.json()["category"] == "METHOD_NOT_ALLOWED"
    assert "takes GET, POST" in wrong.json()["message"]
    labels_path = api.patch("/crm/v4/associations/contacts/companies/labels")
    assert labels_path.headers["allow"] == "GET, POST, PUT"

"""The OpenAPI document: committed copy up to date, in step with the app's routes, a valid OpenAPI
3.1 document, and served at /openapi.json (with a docs page at /docs)."""
from __future__ import annotations

import json

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from local.openapi_file import PATH, render

# Routes that serve the document itself: registered with Chalice but deliberately left out of it
# (describing /openapi.json inside /openapi.json adds nothing, and /docs is an HTML page for people,
# with its Swagger UI files).
UNDOCUMENTED = {("/openapi.json", "GET"), ("/docs", "GET"), ("/docs/assets/{name}", "GET")}

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def generated() -> dict:
    return json.loads(render())


def app_routes() -> set[tuple[str, str]]:
    from app import app

    return {(path, method.upper()) for path, methods in app.routes.items() for method in methods}


def documented_routes(document: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def test_committed_document_is_up_to_date():
    assert PATH.exists(), "docs/openapi.json is missing: run `make openapi`"
    assert PATH.read_text() == render(), "docs/openapi.json is stale: run `make openapi`"


def test_undocumented_routes_are_registered():
    missing = UNDOCUMENTED - app_routes()
    assert not missing, f"expected these routes to be registered: {sorted(missing)}"


def test_every_route_is_documented(generated):
    undocumented = app_routes() - UNDOCUMENTED - documented_routes(generated)
    assert not undocumented, f"routes missing from the OpenAPI document: {sorted(undocumented)}"


def test_every_documented_operation_exists(generated):
    phantom = documented_routes(generated) - app_routes()
    assert not phantom, f"documented operations the app does not serve: {sorted(phantom)}"


def test_document_does_not_describe_itself(generated):
    assert not documented_routes(generated) & UNDOCUMENTED


def test_operation_ids_are_unique(generated):
    ids = [op["operationId"] for item in generated["paths"].values()
           for method, op in item.items() if method in HTTP_METHODS]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_document_is_valid_openapi_3_1(generated):
    assert generated["openapi"].startswith("3.1.")
    validate(generated, cls=OpenAPIV31SpecValidator)


def test_committed_document_is_valid_openapi_3_1():
    validate(json.loads(PATH.read_text()), cls=OpenAPIV31SpecValidator)


def test_openapi_json_is_served(api, generated):
    response = api.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json == generated


def test_docs_page_is_html(aws, clock):
    # Not through the `api` fixture: it parses every body as JSON.
    from app import app
    from local.gateway import ProblemTestClient

    with ProblemTestClient(app) as client:
        response = client.http.get("/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.body.decode()
    assert body.lstrip().lower().startswith("<!doctype html")
    assert "docs/assets/swagger-ui-bundle.js" in body and "docs/assets/docs.js" in body
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    with ProblemTestClient(app) as client:
        script = client.http.get("/docs/assets/docs.js")
    assert script.status_code == 200 and 'url: "openapi.json"' in script.body.decode()


def test_component_names_are_the_models_own(generated):
    """Generated clients name their types after the components: two models of one name get
    module-mangled names (chalicelib__handlers__schemas__x__Name), and openapi-python-client then
    dropped the operations that used them. Every schema model has a name of its own."""
    names = list(generated["components"]["schemas"])
    assert [n for n in names if "__" in n or "." in n] == []


def test_rule_ids_live_in_x_rules_not_in_summaries(generated):
    from chalicelib.openapi import RULE_ID, split_rules

    operations = [op for item in generated["paths"].values() for op in item.values()]
    assert not [op["summary"] for op in operations if RULE_ID.search(op["summary"])]
    assert sum("x-rules" in op for op in operations) >= 40
    assert split_rules("Offer extras (O10–O12)") == ("Offer extras", ["O10", "O11", "O12"])
    assert split_rules("Accept (buyer, C1, O2)") == ("Accept (buyer)", ["C1", "O2"])
    assert split_rules("Upload to S3 (F1)") == ("Upload to S3", ["F1"])


def test_servers_tags_and_problem_answers_are_documented(generated):
    assert generated["servers"][0]["url"] == "./"  # keeps a deployed stage's /api prefix
    tags = {t["name"]: t["description"] for t in generated["tags"]}
    used = {tag for item in generated["paths"].values() for op in item.values() for tag in op["tags"]}
    assert used == set(tags) and all(tags.values())
    place = generated["paths"]["/orders"]["post"]["responses"]
    for status in ("400", "401", "403", "409", "422", "503"):
        assert place[status]["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem"), status
    assert "404" in generated["paths"]["/orders/{order_id}"]["get"]["responses"]
    assert "409" not in generated["paths"]["/orders/{order_id}"]["get"]["responses"]

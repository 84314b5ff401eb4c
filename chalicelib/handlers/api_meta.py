"""Health, the OpenAPI document and the docs page: public."""
from __future__ import annotations

import json

from chalice import Response
from pydantic import BaseModel

from chalicelib.handlers.api import CORS, Api, Call

api = Api(__name__, tag="meta")

SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14"
DOCS_PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Marketplace API</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css"></head>
<body><div id="ui"></div><script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({{url: "openapi.json", dom_id: "#ui"}});</script></body></html>"""


class Health(BaseModel):
    status: str


@api.route("/health", "GET", summary="Liveness", response=Health, public=True)
def health(call: Call) -> Health:
    return Health(status="ok")


# CORS too: a client generator or Swagger UI on another origin fetches the document.
@api.blueprint.route("/openapi.json", methods=["GET"], cors=CORS)
def openapi_json() -> Response:
    from chalicelib.openapi import document

    return Response(body=json.dumps(document()), status_code=200,
                    headers={"Content-Type": "application/json"})


@api.blueprint.route("/docs", methods=["GET"], cors=CORS)
def docs() -> Response:
    return Response(body=DOCS_PAGE, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})

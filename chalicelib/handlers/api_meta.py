"""Health, the OpenAPI document and the docs page: public."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import aws_lambda_powertools
from chalice import Response
from pydantic import BaseModel

from chalicelib.handlers.api import CORS, Api, Call
from chalicelib.handlers.problems import problem_response

api = Api(__name__, tag="meta")

# /docs works offline and under a strict CSP: Swagger UI's files are served from the package set the
# Lambda bundle already has (aws-lambda-powertools, pinned in requirements.txt, ships swagger-ui's
# minified bundle and stylesheet, Apache-2.0), and the page has no inline script: its start-up is
# the served docs.js. Nothing comes from a CDN.
SWAGGER_UI_FILES = Path(aws_lambda_powertools.__file__).parent / "event_handler" / "openapi" / "swagger_ui"
# The page starts Swagger UI on the document beside it (relative: a deployed stage's prefix is kept).
# No validator badge: it would load an image from swagger.io.
DOCS_JS = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
"""


@dataclass(frozen=True)
class Asset:
    content_type: str
    body: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()[:16]


@cache
def asset(name: str) -> Asset | None:
    """The docs page's files by the name it asks for them; read once per process."""
    if name == "docs.js":
        return Asset("text/javascript; charset=utf-8", DOCS_JS)
    files = {"swagger-ui-bundle.js": ("swagger-ui-bundle.min.js", "text/javascript; charset=utf-8"),
             "swagger-ui.css": ("swagger-ui.min.css", "text/css; charset=utf-8")}
    if name not in files:
        return None
    file, content_type = files[name]
    return Asset(content_type, (SWAGGER_UI_FILES / file).read_text(encoding="utf-8"))


ASSET_NAMES = ("swagger-ui.css", "swagger-ui-bundle.js", "docs.js")
# A versioned asset (?v= its content hash, as the page links it) never changes: cached for a year.
# Any other request for it is revalidated with its ETag.
IMMUTABLE = "public, max-age=31536000, immutable"


def _link(name: str) -> str:
    found = asset(name)
    if found is None:
        raise LookupError(name)
    return f"docs/assets/{name}?v={found.version}"


@lru_cache(maxsize=1)
def docs_page() -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Marketplace API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{_link("swagger-ui.css")}"></head>
<body><div id="ui"></div>
<script src="{_link("swagger-ui-bundle.js")}"></script>
<script src="{_link("docs.js")}"></script></body></html>"""


def content_security_policy() -> str:
    """Only this origin's scripts and styles (no inline script, no eval); "Try it out" may call this
    origin and the document's absolute servers (the local run)."""
    from chalicelib.openapi import SERVERS

    servers = " ".join(s["url"].rstrip("/") for s in SERVERS if s["url"].startswith(("http://", "https://")))
    return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' {servers}; base-uri 'self'; form-action 'none'; frame-ancestors 'none'")


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
    return Response(body=docs_page(), status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": content_security_policy(),
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
    })


@api.blueprint.route("/docs/assets/{name}", methods=["GET"])
def docs_asset(name: str) -> Response:
    found = asset(name) if name in ASSET_NAMES else None
    if found is None:
        return problem_response(404, "not_found", f"The docs page has no file {name!r}.")
    request = api.blueprint.current_request
    etag = f'"{found.version}"'
    versioned = dict(request.query_params or {}).get("v") == found.version
    headers: dict[str, str | list[str]] = {
        "Content-Type": found.content_type, "ETag": etag, "X-Content-Type-Options": "nosniff",
        "Cache-Control": IMMUTABLE if versioned else "no-cache"}
    if etag in [tag.strip() for tag in str(request.headers.get("if-none-match", "")).split(",")]:
        return Response(body="", status_code=304, headers=headers)
    return Response(body=found.body, status_code=200, headers=headers)

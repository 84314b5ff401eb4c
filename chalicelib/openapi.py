"""The OpenAPI 3.1 document, generated from the route registry and its pydantic models. Served at
/openapi.json and committed as docs/openapi.json (a test fails when the two differ)."""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.gateway_responses import PROBLEM_CONTENT_TYPE
from chalicelib.handlers.api import OPERATIONS, Operation
from chalicelib.handlers.schemas import Problem

REF = "#/components/schemas/{model}"
TITLE = "Marketplace API"
VERSION = "0.1.0"
DESCRIPTION = (
    "Back end of a freelance services marketplace: accounts, the gig catalogue and (soon) orders.\n\n"
    "Authenticate with a Cognito ID token in the `Authorization` header. Errors are RFC 9457 "
    "`application/problem+json` with a stable `code`. Lists take `limit` and an opaque `cursor` and "
    "answer `{items, next_cursor}`. Money is `{amount, currency}` in minor units. POSTs that create or "
    "transition accept an `Idempotency-Key` header.\n\n"
    "Headers: a 201 carries `Location` (the created resource's path); an answer replayed for an "
    "`Idempotency-Key` carries `Idempotent-Replayed: true`; a 429 or 503 carries `Retry-After` "
    "(seconds). A 503 `temporarily_unavailable` (the store was busy) wrote nothing: send the same "
    "request again after `Retry-After`. Browsers may read all of these (CORS exposes them)."
)

RETRY_AFTER_HEADER = {"description": "Seconds to wait before sending the request again.",
                      "schema": {"type": "integer", "minimum": 1}}
LOCATION_HEADER = {"description": "The path of the created resource (or of the list it is read in).",
                   "schema": {"type": "string"}}
REPLAYED_HEADER = {"description": "`true` when this is the stored answer to an earlier request with the "
                                  "same `Idempotency-Key`; absent otherwise.",
                   "schema": {"type": "string", "enum": ["true"]}}


def _models(ops: list[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for op in ops:
        if op.request:
            wanted[(op.request, "validation")] = None
        if op.query:
            wanted[(op.query, "validation")] = None
        if op.response:
            wanted[(op.response, "serialization")] = None
    return list(wanted)


def _query_parameters(schema: dict, required: set[str]) -> list[dict]:
    params = []
    for name, prop in schema.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if "description" in prop:
            param["description"] = prop["description"]
        params.append(param)
    return params


def build() -> dict:
    ops = sorted(OPERATIONS, key=lambda o: (o.path, o.method))
    refs, defs = models_json_schema(_models(ops), ref_template=REF)
    components = dict(defs.get("$defs", {}))
    problem = {"description": "Problem (RFC 9457)",
               "content": {PROBLEM_CONTENT_TYPE: {"schema": refs[(Problem, "serialization")]}}}
    # Any route may meet a busy store (503); rate-limited routes may answer 429. Both say when.
    unavailable = {**problem, "description": "Temporarily unavailable; nothing was written (RFC 9457)",
                   "headers": {"Retry-After": RETRY_AFTER_HEADER}}
    too_many = {**problem, "description": "Too many requests; nothing was written (RFC 9457)",
                "headers": {"Retry-After": RETRY_AFTER_HEADER}}
    paths: dict[str, dict] = {}
    for op in ops:
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"{(\w+)}", op.path)]
        if op.query:
            query_schema = components.pop(op.query.__name__, None) or op.query.model_json_schema(ref_template=REF)
            params += _query_parameters(query_schema, set(query_schema.get("required", [])))
        if op.idempotent:
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "description": "Replays return the first answer; another request with the "
                                          "same key is a 422; a concurrent duplicate a 409.",
                           "schema": {"type": "string", "minLength": 1, "maxLength": 255}})
        success: dict = {"description": op.summary}
        if op.response:
            success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
        headers = {}
        if op.status == 201 and op.location:
            headers["Location"] = LOCATION_HEADER
        if op.idempotent:
            headers["Idempotent-Replayed"] = REPLAYED_HEADER
        if headers:
            success["headers"] = headers
        responses = {str(op.status if op.response else 204): success}
        if op.rate_limited:
            responses["429"] = too_many
        responses |= {"503": unavailable, "default": problem}
        entry: dict = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": params,
            "responses": responses,
            "security": [] if op.public else [{"cognito": []}],
        }
        if op.description:
            entry["description"] = op.description
        if op.request:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.request, "validation")]}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"cognito": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A Cognito user pool ID token (locally: `make token USER=alice`)."}},
        },
    }


@lru_cache(maxsize=1)
def document() -> dict:
    return build()

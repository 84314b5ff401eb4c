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
from chalicelib.problem_codes import problem_codes

REF = "#/components/schemas/{model}"
TITLE = "Marketplace API"
VERSION = "0.1.0"
DESCRIPTION = (
    "Back end of a freelance services marketplace: accounts and seller profiles, the gig catalogue, "
    "orders with their timers, resolution requests and money, conversations, files scanned before "
    "anyone downloads them, collaboration on order files, custom offers, notifications, and the "
    "operators' tools.\n\n"
    "Authenticate with a Cognito ID token in the `Authorization` header. Errors are RFC 9457 "
    "`application/problem+json` with a stable `code`. Lists take `limit` and an opaque `cursor` and "
    "answer `{items, next_cursor}`. Money is `{amount, currency}` in minor units. POSTs that create or "
    "transition accept an `Idempotency-Key` header.\n\n"
    "Headers: a 201 carries `Location` (the created resource's path); an answer replayed for an "
    "`Idempotency-Key` carries `Idempotent-Replayed: true`; a 429 or 503 carries `Retry-After` "
    "(seconds). A 503 `temporarily_unavailable` (the store was busy) wrote nothing: send the same "
    "request again after `Retry-After`. Browsers may read all of these (CORS exposes them).\n\n"
    "Business rules are named by id (O8, C1, ...) in each operation's `x-rules`; their text is in the "
    "repository's rules document."
)
# What each tag groups, for the documentation's sections.
TAGS = {
    "meta": "Health, and this document.",
    "accounts": "The caller's profile, preferences, seller profile and availability (A1, A3, A4).",
    "catalogue": "Categories and subcategories; operators edit them.",
    "gigs": "Sellers' gigs: drafts, publishing, browsing, quotes (G rules).",
    "gig-approvals": "Operators' review of gigs before they are listed, and of new sellers' edits of live gigs (G9).",
    "files": "Uploads by presigned POST, scanning verdicts, downloads and reports (F1, G8).",
    "orders": "Orders from placement to completion: requirements, deliveries, revisions, timers, "
              "resolution requests, money and the ledger (O and M rules).",
    "messages": "Conversations between buyers and sellers, quick responses, blocks and contacts (O5, O17, O18).",
    "collaboration": "Comments on order files and shared links for invitees (F2, F3).",
    "custom-offers": "Offers a seller makes a buyer, in one piece or in milestones, and requests for "
                     "them (C1, C2).",
    "buyer-requests": "What buyers ask for; matching sellers see them in a feed and answer with an offer "
                      "(B1–B3).",
    "reviews": "Double-blind reviews of completed orders, the seller's reply, operators hiding a review, and "
               "the published reviews and ratings of gigs and sellers (R1).",
    "coupons": "Seller coupons: operators make a seller a member, a member seller gives a recent buyer a "
               "percentage off, the buyer uses it when placing an order (M2, M1).",
    "metrics": "A seller's metrics (completion, unresponsiveness, response rate and time, on-time delivery) and "
               "operators excusing a cancellation (O13-O15).",
    "notifications": "The in-app feed (A3); the live channel pushes the same entries over a WebSocket.",
    "warnings": "Warnings operators issue, the ladder's suspensions and blocks, lifting and unblocking; a "
                "user's own warnings (W1).",
    "reports": "The operators' report queue across spam, file and contact-detail reports, and the actions on "
               "a report (W1).",
    "operations": "Operators' tools: dead-lettered outbox events, and the test clock where it is on.",
}
# Where the API is served: relative to this document (the deployed stage's prefix, /api, is kept),
# and the local run.
SERVERS = [
    {"url": "./", "description": "Where this document is served from (a deployed stage, or make run)"},
    {"url": "http://127.0.0.1:8000", "description": "make run"},
]
# A rule id (O8, C1, M3...; the letters are the rules document's sections) or a range of them
# (O10–O12) in a summary; they move to ``x-rules``.
RULE_ID = re.compile(r"\b([ABCFGMORW])(\d{1,2})(?:\s*[–-]\s*\1(\d{1,2}))?\b")
PARENTHESES = re.compile(r"\s*\(([^()]*)\)")


def split_rules(summary: str) -> tuple[str, list[str]]:
    """The summary without its rule ids, and the ids (ranges expanded), in order of mention."""
    rules: list[str] = []
    for letter, first, last in RULE_ID.findall(summary):
        rules += [f"{letter}{n}" for n in range(int(first), int(last or first) + 1)]

    def clean(group: re.Match) -> str:
        rest = RULE_ID.sub("", group.group(1))
        rest = re.sub(r"\s*[,;/]\s*(?=[,;/]|$)", "", rest).strip(" ,;:/")
        rest = re.sub(r"^[,;/]\s*", "", rest)
        return f" ({rest})" if rest else ""

    text = PARENTHESES.sub(clean, summary)
    return RULE_ID.sub("", text).replace("  ", " ").strip(), list(dict.fromkeys(rules))


RETRY_AFTER_HEADER = {"description": "Seconds to wait before sending the request again.",
                      "schema": {"type": "integer", "minimum": 1}}
LOCATION_HEADER = {"description": "The path of the created resource (or of the list it is read in).",
                   "schema": {"type": "string"}}
REPLAYED_HEADER = {"description": "`true` when this is the stored answer to an earlier request with the "
                                  "same `Idempotency-Key`; absent otherwise.",
                   "schema": {"type": "string", "enum": ["true"]}}
ETAG_HEADER = {"description": "The resource's version as a strong entity tag (`\"7\"`): send it back as "
                              "`If-Match` on a write.", "schema": {"type": "string"}}


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
    # A client switches over the codes: every one this API answers (chalicelib/problem_codes.py).
    components["Problem"]["properties"]["code"]["enum"] = problem_codes()
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
        if op.etag and op.method != "GET":
            params.append({"name": "If-Match", "in": "header", "required": False,
                           "description": "The ETag last read: the write happens only if the resource is still "
                                          "at that version (else 412)."
                                          + (" Required when the write replaces an existing resource (428)."
                                             if op.if_match_required else ""),
                           "schema": {"type": "string"}})
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
        if op.etag and op.response:
            headers["ETag"] = ETAG_HEADER
        if headers:
            success["headers"] = headers
        responses = {str(op.status if op.response else 204): success}
        responses |= {status: {**problem, "description": text} for status, text in _problems(op)}
        if op.rate_limited:
            responses["429"] = too_many
        if op.etag and op.method != "GET":
            responses["412"] = {**problem, "description": "If-Match names a version that is no longer current "
                                                          "(RFC 9457)"}
            if op.if_match_required:
                responses["428"] = {**problem, "description": "This write replaces the resource: If-Match is "
                                                              "required (RFC 9457)"}
        responses |= {"503": unavailable, "default": problem}
        summary, rules = split_rules(op.summary)
        entry: dict = {
            "operationId": op.operation_id,
            "summary": summary,
            "tags": [op.tag],
            "parameters": params,
            "responses": responses,
            "security": [] if op.public else [{"cognito": []}],
        }
        if rules:
            entry["x-rules"] = rules
        if op.description:
            entry["description"] = op.description
        if op.request:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": refs[(op.request, "validation")]}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    used_tags = sorted({op.tag for op in ops})
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": SERVERS,
        "tags": [{"name": tag, "description": TAGS[tag]} for tag in used_tags],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"cognito": {
                "type": "apiKey", "in": "header", "name": "Authorization",
                "description": "A Cognito user pool ID token (locally: `make token USER=alice`)."}},
        },
    }


def _problems(op: Operation) -> list[tuple[str, str]]:
    """The problem answers an operation may give besides its success, by what it takes."""
    found = []
    if op.request or op.query or op.idempotent:
        found.append(("400", "Malformed request: bad JSON, a cursor this API never issued (RFC 9457)"))
    if not op.public:
        found.append(("401", "No valid token (RFC 9457)"))
    if op.operator_only or op.method != "GET":
        found.append(("403", "Not allowed to do this (operators only, not this party's action, or the caller's "
                              "account is suspended or blocked, W1) (RFC 9457)"))
    if "{" in op.path:
        found.append(("404", "No such resource, or not one the caller may see (RFC 9457)"))
    if op.method != "GET":
        found.append(("409", "The resource's state does not allow this now, or a concurrent change (RFC 9457)"))
    if op.request or op.query or op.idempotent:
        found.append(("422", "Invalid input or a broken rule; `errors` names the fields (RFC 9457)"))
    return found


@lru_cache(maxsize=1)
def document() -> dict:
    return build()

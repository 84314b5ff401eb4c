"""The HTTP conventions front ends expect (issue 13): Location on every 201, Idempotent-Replayed
on a replay, Retry-After on 429 and 503, a transient store failure as a 503 that wrote nothing
(never a bare 500), and CORS that lets a browser read all of it."""
from __future__ import annotations

import json
import math
import re

import pytest

from chalicelib.config import Settings
from chalicelib.domain.collaboration import INVITATIONS_PER_WINDOW
from chalicelib.domain.errors import UNAVAILABLE_RETRY_AFTER_SECONDS
from chalicelib.handlers.api import EXPOSED_HEADERS, OPERATIONS
from chalicelib.root import build_runtime
from chalicelib.services import runtime
from tests.integration.orders_under_stress import Faults
from tests.integration.test_access import (  # noqa: F401 - the access matrix's fixtures, reused
    MATRIX,
    OFFER_MATRIX,
    OPERATOR,
    ORDER_MATRIX,
    REQUEST_MATRIX,
    REVIEW_MATRIX,
    _call,
    _fill,
    offer_world,
    order_world,
    request_world,
    review_world,
    world,
)
from tests.integration.test_root import _all_items


def _app_routes() -> dict[str, set[str]]:
    """Each path template the app serves, placeholders made anonymous, with its methods."""
    from app import app

    out: dict[str, set[str]] = {}
    for path, methods in app.routes.items():
        out.setdefault(_shape(path), set()).update(methods)
    return out


def _shape(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", template)


CREATED = [op for op in OPERATIONS if op.status == 201]


def test_every_201_route_declares_a_location_the_app_serves():
    """Iterates the app's 201 routes: each names where its resource lives, a path the app serves,
    filled from what the route knows (its path parameters and the fields of its answer)."""
    routes = _app_routes()
    assert len(CREATED) >= 14
    for op in CREATED:
        assert op.location, op.path
        assert _shape(op.location) in routes, (op.path, op.location)
        assert op.response is not None
        known = set(re.findall(r"\{(\w+)\}", op.path)) | set(op.response.model_fields)
        assert set(re.findall(r"\{(\w+)", op.location)) <= known, (op.path, op.location)


def _rows_creating(op):
    for rows, fixture in ((MATRIX, "world"), (ORDER_MATRIX, "order_world"), (OFFER_MATRIX, "offer_world"),
                            (REQUEST_MATRIX, "request_world"), (REVIEW_MATRIX, "review_world")):
        for method, template, body, expected in rows:
            if method == op.method and _shape(template) == _shape(op.path) and 201 in expected.values():
                caller = next(c for c, status in expected.items() if status == 201)
                yield fixture, template, body, caller


def _shows(found, created: dict) -> bool:
    """Whether the answer at Location shows the created resource: every id in the answer (an
    order answered for a request it opened: the order's and the request's), or (for what has
    none) an entry with every scalar field of the answer."""
    ids = _ids(created)
    if ids:
        text = json.dumps(found)
        return all(i in text for i in ids)
    scalars = {k: v for k, v in created.items() if isinstance(v, str | int)}
    stack = [found]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if scalars.items() <= value.items():
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _ids(value) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "id" and isinstance(v, str)] + \
            [i for v in value.values() for i in _ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v)]
    return []


@pytest.mark.parametrize("op", CREATED, ids=[f"{op.method} {op.path}" for op in CREATED])
def test_a_201_answer_says_where_the_resource_is(api, request, op):
    """Each 201 route, called as in the access matrix: the Location is a path of this API, the
    same as the route's template gives, and reading it (as the caller, or an operator for the
    operator-only lists reports land in) shows what was created."""
    [(fixture, template, body, caller)] = list(_rows_creating(op))[:1]
    setting = request.getfixturevalue(fixture)
    path = template.format(**setting)
    params = {name: path.split("/")[i] for i, part in enumerate(op.path.split("/"))
              if (name := part.strip("{}")) != part}
    # A route that answers with the parent (a delivery answers the order): the list at Location
    # must have grown by the created entry.
    parent_answer = op.location and set(re.findall(r"\{(\w+)", op.location)) <= set(params)
    before = _call(api, "GET", op.location.format(**params), None, caller).json if parent_answer else None
    response = _call(api, op.method, path, _fill(body, setting), caller)
    assert response.status_code == 201, response.json
    location = response.headers["Location"]
    assert location.startswith("/") and "{" not in location
    target = next(t for t in _app_routes() if re.fullmatch(re.escape(t).replace(r"\{\}", "[^/]+"), location))
    assert target == _shape(op.location)
    if "GET" not in _app_routes()[target]:
        return  # e.g. /me/quick-responses/{id}: the resource's own path takes PUT and DELETE only
    shown = _call(api, "GET", location, None, caller)
    if shown.status_code == 403 and shown.json["code"] == "operators_only":
        shown = _call(api, "GET", location, None, OPERATOR)
    assert shown.status_code == 200, (location, shown.json)
    if before is not None and response.json.get("id") in params.values() and "items" in shown.json:
        assert len(shown.json["items"]) == len(before["items"]) + 1, (location, before, shown.json)
    else:
        assert _shows(shown.json, response.json), (location, response.json, shown.json)


def test_a_replayed_answer_says_so_and_keeps_its_location(api, catalogue, make_seller):
    make_seller("dana")
    key = {"Idempotency-Key": "create-once"}
    first = api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key)
    again = api.post("/gigs", "dana", body={"title": "I will paint"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"] == f"/me/gigs/{first.json['id']}"
    fresh = api.post("/gigs", "dana", body={"title": "I will paint"}, headers={"Idempotency-Key": "other"})
    assert "Idempotent-Replayed" not in fresh.headers


def test_a_503_says_when_to_retry(api, published_gig, clock):
    body = {"gig_id": published_gig["id"], "tier": "basic"}
    with runtime.using(build_runtime(Settings(stage="prod"), clock=clock)):  # payments fail closed
        refused = api.post("/orders", "bob", body=body)
    assert refused.status_code == 503 and refused.json["code"] == "payments_unavailable"
    assert refused.headers["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_SECONDS)


def test_a_429_says_when_the_window_reopens(api, order_world, clock):  # noqa: F811 - the fixture imported above
    """F3: the eleventh invitation in a window is refused until the window's end."""
    invitations = f"/orders/{order_world['delivered']}/invitations"
    already = len(api.get(invitations, "alice").json["items"])
    for n in range(INVITATIONS_PER_WINDOW - already):
        assert api.post(invitations, "alice", body={"email": f"r{n}@example.com"}).status_code == 201
    refused = api.post(invitations, "alice", body={"email": "one-too-many@example.com"})
    assert refused.status_code == 429 and refused.json["code"] == "rate_limited"
    from chalicelib.domain.collaboration import invitation_window

    _, end = invitation_window(clock.now())
    assert int(refused.headers["Retry-After"]) == math.ceil((end - clock.now()).total_seconds())


# -- transient store failures ---------------------------------------------------------------------
TRANSIENT = [("ProvisionedThroughputExceededException", None), ("ThrottlingException", None),
             ("InternalServerError", None), ("TransactionConflictException", None),
             ("TransactionCanceledException", [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "x"}]),
             ("TransactionCanceledException", [{"Code": "ThrottlingError", "Message": "x"}, {"Code": "None"}])]


@pytest.mark.parametrize("code,reasons", TRANSIENT, ids=[f"{c}-{i}" for i, (c, _) in enumerate(TRANSIENT)])
def test_a_transient_store_failure_is_a_503_that_wrote_nothing(api, published_gig, code, reasons):
    """Placing an order is one transaction: when DynamoDB fails it in a way that passes (after
    botocore's own retries), the answer is 503 temporarily_unavailable with Retry-After, nothing
    is written, and the same request (same key) succeeds afterwards."""
    body = {"gig_id": published_gig["id"], "tier": "basic"}
    key = {"Idempotency-Key": f"place-{code}"}
    before = _all_items()
    with Faults("TransactWriteItems", {1}, code, reasons).installed() as faults:
        refused = api.post("/orders", "bob", body=body, headers=key)
    assert faults.injected == 1
    assert refused.status_code == 503, refused.json
    assert refused.json["code"] == "temporarily_unavailable"
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    assert _all_items() == before
    placed = api.post("/orders", "bob", body=body, headers=key)
    assert placed.status_code == 201 and "Idempotent-Replayed" not in placed.headers


def test_a_failed_condition_stays_a_409(api, published_gig):
    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": "x"},
               {"Code": "TransactionConflict", "Message": "x"}]
    body = {"gig_id": published_gig["id"], "tier": "basic"}
    with Faults("TransactWriteItems", {1}, "TransactionCanceledException", reasons).installed():
        refused = api.post("/orders", "bob", body=body)
    assert refused.status_code == 409 and refused.json["code"] == "concurrent_update"
    assert "Retry-After" not in refused.headers


def test_a_throttled_read_is_a_503_too(api, published_gig):
    with Faults("GetItem", {1}, "ThrottlingException").installed() as faults, \
            Faults("Query", {1}, "ThrottlingException").installed() as query_faults:
        refused = api.get(f"/gigs/{published_gig['id']}")
    assert faults.injected + query_faults.injected >= 1
    assert refused.status_code == 503 and refused.json["code"] == "temporarily_unavailable"
    assert refused.headers["Retry-After"]


def test_a_store_error_that_does_not_pass_stays_a_500(api, published_gig):
    with Faults("TransactWriteItems", {1}, "ValidationException").installed():
        failed = api.post("/orders", "bob", body={"gig_id": published_gig["id"], "tier": "basic"})
    assert failed.status_code == 500 and failed.json["code"] == "internal_error"
    assert "Retry-After" not in failed.headers


# -- CORS -------------------------------------------------------------------------------------------
def test_browsers_may_read_every_header_the_api_sends(api, catalogue, make_seller):
    make_seller("dana")
    created = api.post("/gigs", "dana", body={"title": "I will paint"}, headers={"Idempotency-Key": "c"})
    exposed = {h.strip().lower() for h in created.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"location", "retry-after", "idempotent-replayed", "x-correlation-id"} <= exposed
    assert {h.lower() for h in EXPOSED_HEADERS} == exposed
    problem = api.get("/me")
    assert problem.status_code == 401
    assert "retry-after" in problem.headers["Access-Control-Expose-Headers"].lower()


def test_the_openapi_document_is_readable_cross_origin(api):
    document = api.get("/openapi.json")
    assert document.status_code == 200
    assert document.headers["Access-Control-Allow-Origin"] == "*"


def test_a_default_retry_after_on_any_429_or_503():
    """Whatever raises a 429 or 503 without saying how long (the HTTP layer itself), the answer
    still carries Retry-After."""
    from chalicelib.handlers.problems import problem_response

    for status in (429, 503):
        assert problem_response(status, "x", "y").headers["Retry-After"] == str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    assert "Retry-After" not in problem_response(409, "x", "y").headers


# -- the document ----------------------------------------------------------------------------------
def test_the_document_names_the_headers():
    from chalicelib.openapi import build

    paths = build()["paths"]
    for op in OPERATIONS:
        responses = paths[op.path][op.method.lower()]["responses"]
        success = responses[str(op.status)] if op.response else responses["204"]
        if op.status == 201:
            assert "Location" in success["headers"], op.path
        if op.idempotent:
            assert "Idempotent-Replayed" in success["headers"], op.path
        assert "Retry-After" in responses["503"]["headers"], op.path
        assert ("429" in responses) == op.rate_limited, op.path
        if op.rate_limited:
            assert "Retry-After" in responses["429"]["headers"]
    invitations = paths["/orders/{order_id}/invitations"]["post"]["responses"]
    assert "Retry-After" in invitations["429"]["headers"]


def test_the_local_gateway_answers_cross_origin_like_the_deployed_one(api):
    """infra renders Access-Control-Allow-Origin into every gateway response; the local gateway
    (an unknown route, a malformed token) sends it too."""
    unknown = api.get("/nowhere")
    assert unknown.status_code == 404 and unknown.headers["Access-Control-Allow-Origin"] == "*"
    malformed = api.request("GET", "/me", headers={"Authorization": "not-a-jwt"})
    assert malformed.status_code == 401 and malformed.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("route,called,prefix", [
    ("/orders", "/orders", ""),                                      # local: no stage in the URL
    ("/orders", "/dev/orders", "/dev"),                              # an execute-api URL's stage
    ("/orders/{order_id}/deliveries", "/prod/orders/ord_1/deliveries", "/prod"),
    ("/gigs", "/v1/market/gigs", "/v1/market"),                     # a custom domain's base path
    ("/me/quick-responses", "/me/quick-responses/", ""),
])
def test_a_location_keeps_the_stage_the_client_called(route, called, prefix):
    """In AWS the URL has the stage (or a base path) before the API's own path: a Location without
    it would point at nothing."""
    from chalicelib.handlers.api import Operation, base_path

    op = Operation(path=route, method="POST", operation_id="x", summary="", tag="", public=False,
                   operator_only=False, idempotent=False, status=201, request=None, query=None, response=None)
    assert base_path(op, {"path": called, "resourcePath": route}) == prefix
    assert base_path(op, {}) == ""


def test_a_message_write_that_met_a_transaction_conflict_is_retried_inside(api, world):  # noqa: F811 - the fixture imported above
    """conversations._write reads again and retries a lost race, a transaction conflict included:
    the client sees one 201 and one message, no 503."""
    path = f"/conversations/{world['conversation_id']}/messages"
    before = len(api.get(path, "dana").json["items"])
    reasons = [{"Code": "None"}, {"Code": "TransactionConflict", "Message": "x"}]
    with Faults("TransactWriteItems", {1}, "TransactionCanceledException", reasons).installed() as faults:
        written = api.post(path, "dana", body={"text": "Sure, when?"})
    assert faults.injected == 1
    assert written.status_code == 201, written.json
    assert len(api.get(path, "dana").json["items"]) == before + 1


# --- allowed_actions are links (issue 13) ---------------------------------------------------------
def test_every_action_a_person_may_be_offered_has_a_route_that_exists():
    from app import app  # noqa: F401 - registers every route
    from chalicelib.domain import buyer_requests, custom_offers, reviews
    from chalicelib.domain.events import Actor
    from chalicelib.domain.orders import ORDER_TRANSITIONS, OrderAction
    from chalicelib.handlers.actions import (
        OFFER_ACTION_ROUTES,
        ORDER_ACTION_ROUTES,
        REQUEST_ACTION_ROUTES,
        REVIEW_ACTION_ROUTES,
    )

    served = {(op.method, op.path) for op in OPERATIONS}
    for table in (ORDER_ACTION_ROUTES, OFFER_ACTION_ROUTES, REQUEST_ACTION_ROUTES, REVIEW_ACTION_ROUTES):
        for action, route in table.items():
            assert (route.method, route.path) in served, (action, route)
    people = {Actor.BUYER, Actor.SELLER, Actor.OPERATOR}
    order_actions = {t.action for t in ORDER_TRANSITIONS if t.actors & people}
    # placing is POST /orders: there is no order page to link from before it
    assert order_actions - set(ORDER_ACTION_ROUTES) == {OrderAction.PLACE}, "an order action without a route"
    offer_actions = {a for a, t in custom_offers.TRANSITIONS.items() if t.actor in people}
    assert offer_actions <= set(OFFER_ACTION_ROUTES)
    assert set(buyer_requests.RequestAction) - set(REQUEST_ACTION_ROUTES) <= {
        buyer_requests.RequestAction.ACCEPT_OFFER,  # taken through the offer's acceptance (B3)
        buyer_requests.RequestAction.EXPIRE}
    review_actions = {a for a, rule in reviews.ACTIONS.items() if rule.actors & people}  # R1
    assert review_actions == set(REVIEW_ACTION_ROUTES)



def test_every_notification_link_is_a_route_its_recipient_can_read():
    from app import app  # noqa: F401 - registers every route
    from chalicelib.domain.notifications import LINK_PATHS

    def shape(path: str) -> str:  # a route's parameter names do not matter
        return re.sub(r"\{\w+\}", "{}", path)

    readable = {shape(op.path) for op in OPERATIONS if op.method == "GET"}
    for kind, template in LINK_PATHS.items():
        assert shape(template) in readable, (kind, template)

"""Every route as its owner, as another user, as a stranger (no token) and as an operator.

A resource someone may not see answers 404, the same as one that does not exist; operator-only
routes answer 403 to everyone else; routes behind the authorizer answer 401 without a token."""
from __future__ import annotations

import pytest

from tests.integration.conftest import SELLER_PROFILE, gig_body, uid
from tests.integration.messaging_setup import messaging_world

OWNER, OTHER, OPERATOR, STRANGER = "dana", "bob", "olga", None

# (method, path template, body, {caller: expected status})
MATRIX = [
    ("GET", "/health", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/me", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("PUT", "/me/preferences", {"preferences": {"order_placed": {"push": False, "email": True}}},
     {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("PUT", "/me/seller-profile", SELLER_PROFILE, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    # bob is no seller: availability is a seller's thing (A4).
    ("PUT", "/me/availability", {"start_date": "2026-12-01", "end_date": "2026-12-05", "reason": "vacation"},
     {OWNER: 200, OTHER: 409, STRANGER: 401, OPERATOR: 409}),
    ("DELETE", "/me/availability", None, {OWNER: 200, OTHER: 409, STRANGER: 401, OPERATOR: 409}),
    ("GET", "/sellers/{seller}", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/catalogue", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("PUT", "/catalogue/categories/gardening", {"name": "Gardening"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("DELETE", "/catalogue/categories/unused", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 204}),
    ("POST", "/gigs", {"title": "I will paint your hallway"}, {OWNER: 201, OTHER: 403, STRANGER: 401, OPERATOR: 403}),
    ("GET", "/gigs", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/gigs/{gig}", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/gigs/{draft}", None, {OWNER: 404, OTHER: 404, STRANGER: 404, OPERATOR: 404}),
    ("POST", "/gigs/{gig}/quote", {"tier": "basic", "quantity": 2},
     {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("PATCH", "/gigs/{draft}", {"title": "I will plan your kitchen"},
     {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/gigs/{draft}/publish", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/gigs/{gig}/pause", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/gigs/{paused}/resume", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/gigs/{gig}/remove", {"reason": "Misleading images"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/gigs", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/gigs/{draft}", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    # Messaging: carol wrote to dana; bob and olga are strangers to that conversation (O5).
    ("POST", "/conversations", {"buyer_id": uid("carol"), "text": "Happy to help"},
     {OWNER: 201, OTHER: 403, STRANGER: 401, OPERATOR: 403}),
    ("GET", "/conversations", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/conversations/{conversation_id}", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("GET", "/conversations/{conversation_id}/messages", None,
     {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/conversations/{conversation_id}/messages", {"text": "Sure, when?"},
     {OWNER: 201, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/conversations/{conversation_id}/read", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/messages/{message_id}/spam-reports", {"reason": "Unsolicited"},
     {OWNER: 201, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("GET", "/spam-reports", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/quick-responses", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/me/quick-responses", {"title": "Hello", "text": "Thanks for writing!"},
     {OWNER: 201, OTHER: 403, STRANGER: 401, OPERATOR: 403}),
    ("PUT", "/me/quick-responses/{response_id}", {"title": "Hello", "text": "Thanks!"},
     {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("DELETE", "/me/quick-responses/{response_id}", None, {OWNER: 204, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("PUT", "/me/blocked-buyers/{buyer_id}", None, {OWNER: 200, OTHER: 409, STRANGER: 401, OPERATOR: 409}),
    ("DELETE", "/me/blocked-buyers/{buyer_id}", None, {OWNER: 204, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("GET", "/me/blocked-buyers", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/contacts", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
]


@pytest.fixture
def world(api, catalogue, make_seller, published_gig):
    """dana (seller) owns a published gig, a complete draft and a paused gig; bob is a buyer;
    olga an operator; an unused category exists."""
    draft = api.post("/gigs", OWNER, body=gig_body(title="I will paint your kitchen cabinets")).json
    paused = api.post("/gigs", OWNER, body=gig_body(title="I will tile your backsplash")).json
    assert api.post(f"/gigs/{paused['id']}/publish", OWNER).status_code == 200
    assert api.post(f"/gigs/{paused['id']}/pause", OWNER).status_code == 200
    assert api.op("PUT", "/catalogue/categories/unused", OPERATOR, body={"name": "Unused"}).status_code == 200
    return {"gig": published_gig["id"], "draft": draft["id"], "paused": paused["id"], "seller": uid(OWNER),
            **messaging_world(api)}


def _call(api, method, path, body, caller):
    groups = ("operators",) if caller == OPERATOR else ()
    return api.request(method, path, caller, body=body, groups=groups)


@pytest.mark.parametrize("caller", [OWNER, OTHER, STRANGER, OPERATOR], ids=["owner", "other", "stranger", "operator"])
@pytest.mark.parametrize("method,template,body,expected", MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_route_access(api, world, method, template, body, expected, caller):
    response = _call(api, method, template.format(**world), body, caller)
    assert response.status_code == expected[caller], response.json
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json["status"] == response.status_code and response.json["code"]


def test_matrix_covers_every_route():
    """The matrix names every route the app serves (docs pages aside)."""
    from app import app

    served = {(m, p) for p, methods in app.routes.items() for m in methods} - {("GET", "/openapi.json"), ("GET", "/docs")}
    covered = {(m, t.replace("{gig}", "{gig_id}").replace("{draft}", "{gig_id}").replace("{paused}", "{gig_id}")
                .replace("{seller}", "{seller_id}").replace("gardening", "{slug}").replace("unused", "{slug}"))
               for m, t, _, _ in MATRIX}
    assert served - covered == set()

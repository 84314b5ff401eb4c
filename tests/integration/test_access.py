"""Every route as its owner, as another user, as a stranger (no token) and as an operator.

A resource someone may not see answers 404, the same as one that does not exist; operator-only
routes answer 403 to everyone else; routes behind the authorizer answer 401 without a token."""
from __future__ import annotations

import pytest

from tests.integration.conftest import SELLER_PROFILE, gig_body, uid
from tests.integration.outbox import stage_event

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
    # Everyone has a feed of their own; dana's notification is no one else's.
    ("GET", "/me/notifications", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/notifications/unread-count", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/me/notifications/{notification}/read", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/me/notifications/read-all", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
]


@pytest.fixture
def world(api, catalogue, make_seller, published_gig):
    """dana (seller) owns a published gig, a complete draft and a paused gig; bob is a buyer;
    olga an operator; an unused category exists; dana has one notification."""
    draft = api.post("/gigs", OWNER, body=gig_body(title="I will paint your kitchen cabinets")).json
    paused = api.post("/gigs", OWNER, body=gig_body(title="I will tile your backsplash")).json
    assert api.post(f"/gigs/{paused['id']}/publish", OWNER).status_code == 200
    assert api.post(f"/gigs/{paused['id']}/pause", OWNER).status_code == 200
    assert api.op("PUT", "/catalogue/categories/unused", OPERATOR, body={"name": "Unused"}).status_code == 200
    from chalicelib.notify.email import RecordingEmailSender
    from chalicelib.notify.push import RecordingPushSender
    from chalicelib.services import notifications, runtime

    notification = stage_event(uid(OWNER))
    assert notifications.dispatch(runtime.clock(), email=RecordingEmailSender(), push=RecordingPushSender()).dispatched == 1
    return {"gig": published_gig["id"], "draft": draft["id"], "paused": paused["id"], "seller": uid(OWNER),
            "notification": notification.id}


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
                .replace("{seller}", "{seller_id}").replace("{notification}", "{notification_id}").replace("gardening", "{slug}").replace("unused", "{slug}"))
               for m, t, _, _ in MATRIX}
    assert served - covered == set()

"""Every route as its owner, as another user, as a stranger (no token) and as an operator.

A resource someone may not see answers 404, the same as one that does not exist; operator-only
routes answer 403 to everyone else; routes behind the authorizer answer 401 without a token."""
from __future__ import annotations

import pytest

from chalicelib.domain.files import Purpose
from local.media_seed import GeneratedImageScanner, upload_and_scan
from tests.integration.conftest import SELLER_PROFILE, gig_body, uid

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
    # F1: files. {file} is dana's clean message attachment (attached to nothing), {image} the
    # clean image her listed gig shows (G8: anyone may see it).
    ("POST", "/uploads", {"purpose": "message", "name": "plan.pdf", "content_type": "application/pdf", "size": 1000},
     {OWNER: 201, OTHER: 201, STRANGER: 401, OPERATOR: 201}),
    ("GET", "/files/{file}", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/files/{file}/download", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/files/{file}/reports", {"reason": "It asks for my password."},
     {OWNER: 201, OTHER: 404, STRANGER: 401, OPERATOR: 201}),
    ("GET", "/files/{image}", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/files/{image}/download", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/gigs/{gig}/media/{image}/download", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/gigs/{draft}/media/{image}/download", None, {OWNER: 404, OTHER: 404, STRANGER: 404, OPERATOR: 404}),
    ("GET", "/file-reports", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
]


@pytest.fixture
def world(api, clock, catalogue, make_seller, published_gig):
    """dana (seller) owns a published gig, a complete draft and a paused gig; bob is a buyer;
    olga an operator; an unused category exists."""
    draft = api.post("/gigs", OWNER, body=gig_body(title="I will paint your kitchen cabinets")).json
    paused = api.post("/gigs", OWNER, body=gig_body(title="I will tile your backsplash")).json
    assert api.post(f"/gigs/{paused['id']}/publish", OWNER).status_code == 200
    assert api.post(f"/gigs/{paused['id']}/pause", OWNER).status_code == 200
    assert api.op("PUT", "/catalogue/categories/unused", OPERATOR, body={"name": "Unused"}).status_code == 200
    message_file = upload_and_scan(uid(OWNER), clock, b"Floor plan, revision 2\n", "plan.txt", "text/plain",
                                   Purpose.MESSAGE, GeneratedImageScanner())
    return {"gig": published_gig["id"], "draft": draft["id"], "paused": paused["id"], "seller": uid(OWNER),
            "file": message_file, "image": published_gig["media"][0]}


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
                .replace("{seller}", "{seller_id}").replace("{file}", "{file_id}").replace("{image}", "{file_id}").replace("gardening", "{slug}").replace("unused", "{slug}"))
               for m, t, _, _ in MATRIX}
    assert served - covered == set()

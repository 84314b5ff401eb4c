"""Every route as its owner, as another user, as a stranger (no token) and as an operator.

A resource someone may not see answers 404, the same as one that does not exist; operator-only
routes answer 403 to everyone else; routes behind the authorizer answer 401 without a token."""
from __future__ import annotations

import re

import pytest

from chalicelib.domain.files import Purpose
from chalicelib.domain.levels import SellerLevel
from local.media_seed import GeneratedImageScanner, seed_profile_photo, upload_and_scan
from tests.integration.conftest import SELLER_PROFILE, gig_body, set_level, uid
from tests.integration.messaging_setup import messaging_world
from tests.integration.outbox import stage_event

OWNER, OTHER, OPERATOR, STRANGER = "dana", "bob", "olga", None

# (method, path template, body, {caller: expected status})
MATRIX = [
    ("GET", "/health", None, {OWNER: 200, OTHER: 200, STRANGER: 200, OPERATOR: 200}),
    ("GET", "/me", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("PUT", "/me/preferences", {"preferences": {"order_placed": {"push": False, "email": True}}},
     {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    # {profile_photo}: the caller's own clean profile photo (A1).
    ("PUT", "/me/seller-profile", {**SELLER_PROFILE, "photo": "{profile_photo}"},
     {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
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
    ("GET", "/gigs/{paused}", None, {OWNER: 404, OTHER: 404, STRANGER: 404, OPERATOR: 404}),
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
    # G9: {pending} is dana's gig in the review queue (published while she was a new seller): hidden
    # from everyone but her and operators, who decide on it.
    ("GET", "/gigs/{pending}", None, {OWNER: 404, OTHER: 404, STRANGER: 404, OPERATOR: 404}),
    ("GET", "/me/gigs/{pending}", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("GET", "/gig-approvals", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/operator/gigs/{pending}", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/gigs/{pending}/approval", {"note": "Checked"}, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/gigs/{pending}/rejection", {"reason": "Blurry photos"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    # Everyone has a feed of their own; dana's notification is no one else's.
    ("GET", "/me/notifications", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/me/notifications/unread-count", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/me/notifications/{notification}/read", None, {OWNER: 200, OTHER: 404, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/me/notifications/read-all", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
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
    ("GET", "/operator/dead-letters", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/operator/audit-log", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/operator/dead-letters/{event_id}/replay", None,
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    # W1: operators warn, lift and unblock ({seller} is dana, neither suspended nor blocked: 409);
    # everyone reads their own warnings; the report queue ({report}: a file report) is operators'.
    ("POST", "/users/{seller}/warnings", {"type": "spam", "reason": "Mass messages"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 201}),
    ("GET", "/users/{seller}/warnings", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("POST", "/users/{seller}/suspension-lift", {"reason": "Appeal accepted"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 409}),
    ("POST", "/users/{seller}/unblock", {"reason": "Identity verified"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 409}),
    ("GET", "/me/warnings", None, {OWNER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/reports", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/reports/{report}", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/reports/rep_unknown", None, {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 404}),
    ("POST", "/reports/{report}/actions", {"action": "dismiss", "note": "Looks fine"},
     {OWNER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
]


@pytest.fixture
def world(api, clock, catalogue, make_seller, published_gig):
    """dana (seller) owns a published gig, a complete draft, a paused gig and a gig pending approval
    (G9); bob is a buyer; olga an operator; an unused category exists; dana has one notification."""
    draft = api.post("/gigs", OWNER, body=gig_body(title="I will paint your kitchen cabinets")).json
    paused = api.post("/gigs", OWNER, body=gig_body(title="I will tile your backsplash")).json
    assert api.post(f"/gigs/{paused['id']}/publish", OWNER).status_code == 200
    assert api.post(f"/gigs/{paused['id']}/pause", OWNER).status_code == 200
    set_level(OWNER, SellerLevel.NEW_SELLER)  # G9: a new seller's gig waits for review
    pending = api.post("/gigs", OWNER, body=gig_body(title="I will regrout your bathroom tiles")).json
    assert api.post(f"/gigs/{pending['id']}/publish", OWNER).json["state"] == "pending_approval"
    set_level(OWNER, SellerLevel.LEVEL_1)
    assert api.op("PUT", "/catalogue/categories/unused", OPERATOR, body={"name": "Unused"}).status_code == 200
    from chalicelib.notify.email import RecordingEmailSender
    from chalicelib.notify.push import RecordingPushSender
    from chalicelib.services import notifications, runtime

    notification = stage_event(uid(OWNER))
    sent = notifications.dispatch(runtime.clock(), email=RecordingEmailSender(), push=RecordingPushSender())
    assert sent.dispatched == 1
    dead_letter = _dead_letter(uid(OTHER))
    message_file = upload_and_scan(uid(OWNER), clock, b"Floor plan, revision 2\n", "plan.txt", "text/plain",
                                   Purpose.MESSAGE, GeneratedImageScanner())
    photos = {caller: seed_profile_photo(uid(caller), clock) for caller in (OWNER, OTHER, OPERATOR)}
    return {"report": _file_report(message_file, uid(OWNER), clock),
            "gig": published_gig["id"], "draft": draft["id"], "paused": paused["id"], "pending": pending["id"],
            "seller": uid(OWNER),
            "photos": photos,
            "notification": notification.id, "file": message_file, "event_id": dead_letter,
            "image": published_gig["media"][0],
            **messaging_world(api)}


def _file_report(file_id: str, owner_id: str, clock) -> str:
    """A report in the operators' queue (W1), filed as a file report's transaction files it."""
    from chalicelib.domain.reports import ReportKind
    from chalicelib.services import reports
    from chalicelib.store.unit_of_work import UnitOfWork

    uow = UnitOfWork()
    report = reports.stage_filed(uow, ReportKind.FILE, file_id, owner_id, uid(OTHER), "Odd file", "plan.txt", clock)
    uow.commit()
    return report.id


def _dead_letter(recipient: str) -> str:
    """An outbox event given up after MAX_ATTEMPTS failed attempts (as the dispatcher leaves it)."""
    from chalicelib.config import settings
    from chalicelib.domain.reactions import MAX_ATTEMPTS, OutboxStatus
    from chalicelib.services import runtime
    from chalicelib.store import events as event_store
    from chalicelib.store import outbox as outbox_store

    event = stage_event(recipient)
    [record] = [r for shard in range(settings().due_shards) for r in event_store.pending(shard, 100)
                if r.value.id == event.id]
    status = OutboxStatus()
    for _ in range(MAX_ATTEMPTS):
        status = status.after_failure(runtime.clock().now(), ("seller_metrics",), "down")
    assert outbox_store.record_failure(record, status)
    return event.id


# Writes that honour If-Match, and where their resource's ETag is read: the matrix sends the ETag
# the caller can read, as a client would (428/412 are the conditional-write tests' concern).
ETAG_READS = {"/me/seller-profile": "/me", "/private-note": None, "/delivery-draft": None}


def _call(api, method, path, body, caller):
    groups = ("operators",) if caller == OPERATOR else ()
    headers = {}
    if method in ("PUT", "PATCH", "DELETE"):
        for suffix, read in ETAG_READS.items():
            if path.endswith(suffix):
                seen = api.request("GET", read or path, caller, groups=groups)
                if seen.status_code == 200 and "ETag" in seen.headers:
                    headers["If-Match"] = seen.headers["ETag"]
    return api.request(method, path, caller, body=body, groups=groups, headers=headers)


def caller_groups(method: str, expected: dict, callers: list) -> list[tuple]:
    """Callers that may share one world, so the matrix builds a world per group rather than per
    caller: every refused call (it writes nothing) and then the first that succeeds; a read for
    everyone at once; each further success of a write on a world of its own (a success may change
    what the next caller meets)."""
    refused = [c for c in callers if expected[c] >= 400]
    succeed = [c for c in callers if expected[c] < 400]
    if method == "GET":
        return [tuple(refused + succeed)]
    return [tuple(refused + succeed[:1])] + [(c,) for c in succeed[1:]]


def matrix_cases(matrix: list, callers: list, names: dict) -> list:
    return [pytest.param(method, template, body, expected, group,
                         id=f"{method} {template} [{'+'.join(names[c] for c in group)}]")
            for method, template, body, expected in matrix
            for group in caller_groups(method, expected, callers)]


def check_group(api, world, method, template, body, expected, group, fill=lambda caller: {}):
    for caller in group:
        response = _call(api, method, template.format(**world), _fill(body, {**world, **fill(caller)}), caller)
        assert response.status_code == expected[caller], (caller, response.json)
        if response.status_code >= 400:
            assert response.headers["Content-Type"] == "application/problem+json", caller
            assert response.json["status"] == response.status_code and response.json["code"], caller


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    MATRIX, [OWNER, OTHER, STRANGER, OPERATOR], {OWNER: "owner", OTHER: "other", STRANGER: "stranger",
                                                 OPERATOR: "operator"}))
def test_route_access(api, world, method, template, body, expected, group):
    check_group(api, world, method, template, body, expected, group,
                fill=lambda caller: {"profile_photo": world["photos"].get(caller, "")})


def test_matrix_covers_every_route():
    """The matrix names every route the app serves (docs pages aside)."""
    from app import app

    served = {(m, p) for p, methods in app.routes.items() for m in methods}
    served -= {("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/assets/{name}")}
    covered = {(m, t.replace("{gig}", "{gig_id}").replace("{draft}", "{gig_id}").replace("{paused}", "{gig_id}")
                .replace("{pending}", "{gig_id}").replace("{seller}", "{seller_id}")
                .replace("{notification}", "{notification_id}")
                .replace("{file}", "{file_id}").replace("{image}", "{file_id}")
                .replace("gardening", "{slug}").replace("unused", "{slug}")
                .replace("/users/{seller_id}", "/users/{user_id}").replace("{report}", "{report_id}")
                .replace("rep_unknown", "{report_id}"))
               for m, t, _, _ in MATRIX}
    covered |= {(m, re.sub(r"\{(awaiting|active|delivered|requested)\}", "{order_id}", t)
                 .replace("{request}", "{request_id}").replace("{delivered_file}", "{file_id}")
                 .replace("{invitation}", "{invitation_id}").replace("{revoked}", "{token}"))
                for m, t, _, _ in ORDER_MATRIX}
    covered |= {(m, t.replace("{offer}", "{offer_id}").replace("{gig}", "{gig_id}").replace("{between}", "{order_id}"))
                for m, t, _, _ in OFFER_MATRIX}
    covered |= {(m, t.replace("{breq}", "{request_id}")) for m, t, _, _ in REQUEST_MATRIX}
    covered |= {(m, re.sub(r"\{(completed|published)\}", "{order_id}", t).replace("/buyer/hide", "/{author}/hide")
                 .replace("/buyer/reports", "/{author}/reports").replace("{gig}", "{gig_id}")
                 .replace("{seller}", "{seller_id}")) for m, t, _, _ in REVIEW_MATRIX}
    covered |= {(m, t.replace("{seller}", "{seller_id}")) for m, t, _, _ in COUPON_MATRIX}
    assert served - covered == set()


# -- orders: two parties --------------------------------------------------------------------------
BUYER, SELLER = "alice", OWNER
ALL = {BUYER, SELLER, OTHER, STRANGER, OPERATOR}


def _only(ok: int, who: set, *, others: int = 404, operator: int | None = None, parties: int = 403) -> dict:
    """``who`` get ``ok``; the other party gets ``parties``; bob ``others``; the operator
    ``operator`` (default: as the other party); no token 401."""
    out = {BUYER: parties, SELLER: parties, OTHER: others, STRANGER: 401,
           OPERATOR: parties if operator is None else operator}
    out.update({caller: ok for caller in who})
    return out


ANY_USER = {BUYER: 200, SELLER: 200, OTHER: 200, STRANGER: 401, OPERATOR: 200}
CANCEL = {"kind": "cancellation", "reason": "Plans changed"}

# (method, path template, body (may use world keys), {caller: expected status})
ORDER_MATRIX = [
    ("POST", "/orders", {"gig_id": "{gig}", "tier": "basic"},
     {BUYER: 201, SELLER: 403, OTHER: 201, STRANGER: 401, OPERATOR: 201}),
    ("GET", "/orders", None, ANY_USER),
    ("GET", "/orders/{active}", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("POST", "/orders/{awaiting}/requirements", {"answers": [{"requirement_id": "{requirement}", "text": "12 m2"}]},
     _only(200, {BUYER})),
    ("POST", "/orders/{delivered}/acceptance", None, _only(200, {BUYER})),
    ("POST", "/orders/{delivered}/revision-requests", {"message": "Brighter, please"}, _only(200, {BUYER})),
    ("POST", "/orders/{active}/late-cancellation", {}, _only(409, {BUYER})),  # not late yet (O9)
    ("GET", "/orders/{active}/delivery-draft", None, _only(200, {SELLER}, parties=404)),
    ("PUT", "/orders/{active}/delivery-draft", {"message": "Almost there"}, _only(200, {SELLER}, parties=404)),
    ("DELETE", "/orders/{active}/delivery-draft", None, _only(204, {SELLER}, parties=404)),
    ("POST", "/orders/{active}/deliveries", {"message": "Here it is"}, _only(201, {SELLER})),
    ("GET", "/orders/{active}/deliveries", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("POST", "/orders/{active}/progress-updates", {"message": "Half done"}, _only(409, {SELLER})),  # none asked
    ("GET", "/orders/{active}/private-note", None, _only(200, {SELLER}, parties=404)),
    ("PUT", "/orders/{active}/private-note", {"text": "Call back Tuesday"}, _only(200, {SELLER}, parties=404)),
    ("POST", "/orders/{active}/requests", CANCEL, _only(201, {BUYER, SELLER})),
    ("POST", "/orders/{requested}/requests/{request}/acceptance", None, _only(200, {SELLER})),
    ("POST", "/orders/{requested}/requests/{request}/decline", None, _only(200, {SELLER})),
    ("POST", "/orders/{requested}/requests/{request}/withdrawal", None, _only(200, {BUYER})),
    ("POST", "/orders/{active}/operator-cancellation", {"reason": "Fraud check", "seller_at_fault": False},
     {BUYER: 403, SELLER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    ("GET", "/orders/{delivered}/ledger", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("GET", "/me/earnings", None, ANY_USER),
    # O13: everyone has figures of their own (zeros for a non-seller); an excuse is operators' only,
    # and {active} is no cancellation (409).
    ("GET", "/me/metrics", None, ANY_USER),
    ("POST", "/orders/{active}/cancellation-excuse", {"reason": "Buyer fraud"},
     {BUYER: 403, SELLER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 409}),
    ("POST", "/orders/{active}/messages", {"text": "Starting today"}, _only(201, {BUYER, SELLER}, parties=201,
                                                                               operator=404)),
    ("GET", "/orders/{active}/messages", None, _only(200, {BUYER, SELLER}, operator=200)),
    # F2/F3: {delivered_file} is dana's clean PNG delivered in {delivered}; alice invited a reviewer
    # ({invitation}, link {token}) and revoked another ({revoked}). The seller never sees invitations;
    # operators read, never write. The link is the credential: whoever holds it gets in.
    ("GET", "/orders/{delivered}/files", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("GET", "/orders/{delivered}/files/{delivered_file}", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("GET", "/orders/{delivered}/files/{delivered_file}/comments", None, _only(200, {BUYER, SELLER}, operator=200)),
    ("POST", "/orders/{delivered}/files/{delivered_file}/comments",
     {"text": "Lovely", "anchor": {"point": {"x": 0.5, "y": 0.5}}}, _only(201, {BUYER, SELLER}, operator=403)),
    ("POST", "/orders/{delivered}/invitations", {"email": "eve@example.com"},
     _only(201, {BUYER}, parties=404, operator=403)),
    ("GET", "/orders/{delivered}/invitations", None, _only(200, {BUYER}, parties=404, operator=200)),
    ("DELETE", "/orders/{delivered}/invitations/{invitation}", None, _only(204, {BUYER}, parties=404, operator=403)),
    ("GET", "/shared/{token}/files", None, {c: 200 for c in ALL}),
    ("GET", "/shared/{revoked}/files", None, {c: 404 for c in ALL}),
    ("GET", "/shared/{token}/files/{delivered_file}", None, {c: 200 for c in ALL}),
    ("GET", "/shared/{revoked}/files/{delivered_file}", None, {c: 404 for c in ALL}),
    ("GET", "/shared/{token}/files/{delivered_file}/download", None, {c: 200 for c in ALL}),
    ("GET", "/shared/{token}/files/{delivered_file}/comments", None, {c: 200 for c in ALL}),
    ("POST", "/shared/{token}/files/{delivered_file}/comments",
     {"text": "Lovely", "anchor": {"point": {"x": 0.5, "y": 0.5}}}, {c: 201 for c in ALL}),
    ("POST", "/shared/{revoked}/files/{delivered_file}/comments",
     {"text": "Lovely", "anchor": {"point": {"x": 0.5, "y": 0.5}}}, {c: 404 for c in ALL}),
]


@pytest.fixture
def order_world(api, clock, published_gig):
    """alice has bought dana's gig three times: one order awaits requirements and has alice's open
    cancellation request, one is in progress (with a saved draft), one is delivered (with a clean
    PNG, and two invitations of alice's: one working, one revoked)."""
    gig = published_gig
    requirement = gig["requirements"][0]["id"]

    def place() -> str:
        response = api.post("/orders", BUYER, body={"gig_id": gig["id"], "tier": "basic"})
        assert response.status_code == 201, response.json
        return response.json["id"]

    def start(order_id: str) -> None:
        answers = {"answers": [{"requirement_id": requirement, "text": "12 m2"}]}
        assert api.post(f"/orders/{order_id}/requirements", BUYER, body=answers).status_code == 200

    world = {"gig": gig["id"], "requirement": requirement, "awaiting": place()}
    world["requested"] = world["awaiting"]
    for name in ("active", "delivered"):
        world[name] = place()
        start(world[name])
    assert api.put(f"/orders/{world['active']}/delivery-draft", SELLER, body={"message": "WIP"}).status_code == 200
    from local.media_seed import png_bytes

    world["delivered_file"] = upload_and_scan(uid(SELLER), clock, png_bytes(800, 600), "kitchen.png", "image/png",
                                              Purpose.DELIVERY, GeneratedImageScanner())
    assert api.post(f"/orders/{world['delivered']}/deliveries", SELLER,
                    body={"message": "Done", "files": [world["delivered_file"]]}).status_code == 201
    invitations = f"/orders/{world['delivered']}/invitations"
    invited = api.post(invitations, BUYER, body={"email": "reviewer@example.com"}).json
    world["invitation"], world["token"] = invited["id"], invited["token"]
    revoked = api.post(invitations, BUYER, body={"email": "former@example.com"}).json
    assert api.delete(f"{invitations}/{revoked['id']}", BUYER).status_code == 204
    world["revoked"] = revoked["token"]
    opened = api.post(f"/orders/{world['requested']}/requests", BUYER, body=CANCEL)
    assert opened.status_code == 201, opened.json
    world["request"] = opened.json["request"]["id"]
    return world


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    ORDER_MATRIX, [BUYER, SELLER, OTHER, STRANGER, OPERATOR],
    {BUYER: "buyer", SELLER: "seller", OTHER: "other", STRANGER: "stranger", OPERATOR: "operator"}))
def test_order_route_access(api, order_world, method, template, body, expected, group):
    check_group(api, order_world, method, template, body, expected, group)


# -- custom offers (C1): the seller, the buyer, another seller, a stranger, an operator ------------
OFFER_BUYER, ANOTHER_SELLER = "carol", "omar"


def _offer(ok: int, who: set, *, party: int = 403, operator: int = 403) -> dict:
    """``who`` get ``ok``; the other party ``party``; another seller 404 (they may not see it); no
    token 401; the operator ``operator`` (operators read offers, never answer them)."""
    out = {OFFER_BUYER: party, SELLER: party, ANOTHER_SELLER: 404, STRANGER: 401, OPERATOR: operator}
    out.update({caller: ok for caller in who})
    return out


OFFER_BODY = {"gig_id": "{gig}", "description": "Two kitchens, one plan each", "price": {"amount": 20000,
              "currency": "USD"}, "delivery_days": 7, "revisions": 2}
MILESTONE_OFFER_BODY = {
    "gig_id": "{gig}", "description": "Your kitchen in two parts", "revisions": None, "requirements_asked": False,
    "milestones": [{"name": "Plans", "description": "Plans of the kitchen", "delivery_days": 3, "revisions": 1,
                    "amount": {"amount": 6000, "currency": "USD"}},
                   {"name": "Final set", "description": "The full project", "delivery_days": 4, "revisions": 1,
                    "amount": {"amount": 5000, "currency": "USD"}}]}
OFFER_MATRIX = [
    ("POST", "/conversations/{conversation_id}/custom-offers", OFFER_BODY, _offer(201, {SELLER}, operator=404)),
    ("GET", "/custom-offers/{offer}", None, _offer(200, {SELLER, OFFER_BUYER}, operator=200)),
    ("POST", "/custom-offers/{offer}/acceptance", None, _offer(201, {OFFER_BUYER})),
    ("POST", "/custom-offers/{offer}/decline", {"reason": "Not now"}, _offer(200, {OFFER_BUYER})),
    ("POST", "/custom-offers/{offer}/withdrawal", None, _offer(200, {SELLER})),
    ("GET", "/me/custom-offers", None, {OFFER_BUYER: 200, SELLER: 200, ANOTHER_SELLER: 200, STRANGER: 401,
                                       OPERATOR: 200}),
    # Anyone signed in may ask a gig's seller for an offer, but not the seller themself.
    ("POST", "/gigs/{gig}/offer-requests", {"text": "Could you do two kitchens?"},
     {OFFER_BUYER: 201, SELLER: 403, ANOTHER_SELLER: 201, STRANGER: 401, OPERATOR: 201}),
    # C2–C4: an offer in milestones; {between} is the milestone order it placed, its first milestone
    # approved: the buyer pays and starts the next or stops; the order is no one else's to see.
    ("POST", "/conversations/{conversation_id}/custom-offers", MILESTONE_OFFER_BODY,
     _offer(201, {SELLER}, operator=404)),
    ("GET", "/orders/{between}", None, _offer(200, {SELLER, OFFER_BUYER}, operator=200)),
    ("POST", "/orders/{between}/next-milestone", None, _offer(200, {OFFER_BUYER})),
    ("POST", "/orders/{between}/stop", {"reason": "Enough for now"}, _offer(200, {OFFER_BUYER})),
]


@pytest.fixture
def offer_world(api, clock, published_gig, make_seller):
    """carol wrote to dana; dana sent her a pending custom offer, and an offer in two milestones that
    carol accepted, whose first milestone she approved ({between}); omar is another seller."""
    make_seller(ANOTHER_SELLER)
    first = api.post("/conversations", OFFER_BUYER, body={"seller_id": uid(SELLER), "text": "Hi there"})
    assert first.status_code == 201, first.json
    world = {"gig": published_gig["id"], "conversation_id": first.json["conversation_id"]}
    sent = api.post(f"/conversations/{world['conversation_id']}/custom-offers", SELLER, body=_fill(OFFER_BODY, world))
    assert sent.status_code == 201, sent.json
    world["offer"] = sent.json["id"]
    split = api.post(f"/conversations/{world['conversation_id']}/custom-offers", SELLER,
                     body=_fill(MILESTONE_OFFER_BODY, world))
    assert split.status_code == 201, split.json
    between = api.post(f"/custom-offers/{split.json['id']}/acceptance", OFFER_BUYER).json["id"]
    assert api.post(f"/orders/{between}/deliveries", SELLER, body={"message": "The plans"}).status_code == 201
    approved = api.post(f"/orders/{between}/acceptance", OFFER_BUYER)
    assert approved.json["state"] == "awaiting_next_milestone", approved.json
    world["between"] = between
    return world


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    OFFER_MATRIX, [OFFER_BUYER, SELLER, ANOTHER_SELLER, STRANGER, OPERATOR],
    {OFFER_BUYER: "buyer", SELLER: "seller", ANOTHER_SELLER: "another_seller", STRANGER: "stranger",
     OPERATOR: "operator"}))
def test_custom_offer_route_access(api, offer_world, method, template, body, expected, group):
    check_group(api, offer_world, method, template, body, expected, group)


# -- buyer requests (B1–B3): the buyer, a seller of the category, another seller, a stranger, an operator
REQ_BUYER, REQ_SELLER, OFF_CATEGORY_SELLER, REQ_STRANGER = "carol", OWNER, "omar", "bob"
REQUEST_CALLERS = [REQ_BUYER, REQ_SELLER, OFF_CATEGORY_SELLER, REQ_STRANGER, STRANGER, OPERATOR]


def _req(buyer: int, seller: int, operator: int, *, others: int = 404) -> dict:
    """carol (the buyer), dana (a published gig in the request's category), omar (a seller with no
    gig there) and bob (a signed-in stranger) get ``others`` unless given; no token 401."""
    return {REQ_BUYER: buyer, REQ_SELLER: seller, OFF_CATEGORY_SELLER: others, REQ_STRANGER: others,
            STRANGER: 401, OPERATOR: operator}


REQUEST_BODY = {"description": "A kitchen plan for a 12 m2 kitchen", "category": "renovation",
                "subcategory": "kitchen-remodel", "budget": {"amount": 20000, "currency": "USD"}, "delivery_days": 10}
REQUEST_MATRIX = [
    # Any registered user can buy (A1), so anyone signed in may post.
    ("POST", "/buyer-requests", REQUEST_BODY, _req(201, 201, 201, others=201)),
    ("GET", "/buyer-requests/{breq}", None, _req(200, 200, 200)),
    ("POST", "/buyer-requests/{breq}/closure", None, _req(200, 403, 403)),
    ("GET", "/me/buyer-requests", None, _req(200, 200, 200, others=200)),
    ("GET", "/me/request-feed", None, _req(200, 200, 200, others=200)),
    ("DELETE", "/me/request-feed/{breq}", None, _req(404, 204, 404)),
    # B2: a seller of the category answers; the buyer may not answer their own request.
    ("POST", "/buyer-requests/{breq}/offers", OFFER_BODY, _req(403, 201, 404)),
    # B3: only the buyer and operators see the offers.
    ("GET", "/buyer-requests/{breq}/offers", None, _req(200, 404, 200)),
]


@pytest.fixture
def request_world(api, clock, published_gig, make_seller):
    """carol posted an open request in renovation, where dana has a published gig; omar sells,
    but not there."""
    make_seller(OFF_CATEGORY_SELLER)
    posted = api.post("/buyer-requests", REQ_BUYER, body=REQUEST_BODY)
    assert posted.status_code == 201, posted.json
    return {"gig": published_gig["id"], "breq": posted.json["id"]}


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    REQUEST_MATRIX, REQUEST_CALLERS,
    dict(zip(REQUEST_CALLERS, ["buyer", "seller", "another_seller", "stranger", "no_token", "operator"], strict=True))))
def test_buyer_request_route_access(api, request_world, method, template, body, expected, group):
    check_group(api, request_world, method, template, body, expected, group)


# -- reviews (R1): the buyer, the seller, another user, a stranger, an operator ----------------------
REVIEW_BODY = {"overall": 5, "communication": 5, "service_as_described": 4, "would_recommend": 5,
               "text": "Clear plan, on time."}
REVIEW_MATRIX = [
    ("GET", "/orders/{completed}/reviews", None, _only(200, {BUYER, SELLER}, operator=200)),
    # The buyer reviews first (the seller's try with it is a 409, R1); operators never write one.
    ("POST", "/orders/{completed}/reviews", REVIEW_BODY,
     {BUYER: 201, SELLER: 409, OTHER: 404, STRANGER: 401, OPERATOR: 403}),
    ("POST", "/orders/{published}/reviews/reply", {"text": "Thank you!"}, _only(201, {SELLER})),
    ("POST", "/orders/{published}/reviews/buyer/hide", {"reason": "Abusive words"},
     {BUYER: 403, SELLER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    # W1: a published review is public: anyone signed in but its author may report it (once).
    ("POST", "/orders/{published}/reviews/buyer/reports", {"reason": "Untrue"},
     {BUYER: 403, SELLER: 201, OTHER: 201, STRANGER: 401, OPERATOR: 201}),
    ("GET", "/gigs/{gig}/reviews", None, {c: 200 for c in ALL}),
    ("GET", "/sellers/{seller}/reviews", None, {c: 200 for c in ALL}),
]


@pytest.fixture
def review_world(api, clock, published_gig):
    """alice bought dana's gig twice, both completed: {completed} has no review yet, {published} has
    both reviews, published."""
    gig = published_gig
    answers = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    world = {"gig": gig["id"], "seller": uid(SELLER)}
    for name in ("completed", "published"):
        order_id = api.post("/orders", BUYER, body={"gig_id": gig["id"], "tier": "basic"}).json["id"]
        assert api.post(f"/orders/{order_id}/requirements", BUYER, body=answers).status_code == 200
        assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
        assert api.post(f"/orders/{order_id}/acceptance", BUYER).json["state"] == "completed"
        world[name] = order_id
    published = world["published"]
    assert api.post(f"/orders/{published}/reviews", BUYER, body=REVIEW_BODY).status_code == 201
    assert api.post(f"/orders/{published}/reviews", SELLER, body={"overall": 5, "text": "Kind"}).status_code == 201
    return world


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    REVIEW_MATRIX, [BUYER, SELLER, OTHER, STRANGER, OPERATOR],
    {BUYER: "buyer", SELLER: "seller", OTHER: "other", STRANGER: "stranger", OPERATOR: "operator"}))
def test_review_route_access(api, review_world, method, template, body, expected, group):
    check_group(api, review_world, method, template, body, expected, group)


# -- coupons (M2): a member seller, her recent buyer, another user, a stranger, an operator ----------
COUPON_MATRIX = [
    ("PUT", "/sellers/{seller}/membership", {"member": True, "reason": "Member plan"},
     {BUYER: 403, SELLER: 403, OTHER: 403, STRANGER: 401, OPERATOR: 200}),
    # Only a member seller issues one (M2); alice, bob and olga are no members.
    ("POST", "/coupons", {"buyer_id": "{buyer_id}", "percent": 10},
     {BUYER: 403, SELLER: 201, OTHER: 403, STRANGER: 401, OPERATOR: 403}),
    # Everyone has lists of their own: alice's coupons are no one else's.
    ("GET", "/me/coupons", None, ANY_USER),
    ("GET", "/me/coupons/issued", None, ANY_USER),
]


@pytest.fixture
def coupon_world(api, clock, published_gig):
    """dana is a member seller; alice completed an order of hers and holds one of her coupons."""
    gig = published_gig
    answers = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    order_id = api.post("/orders", BUYER, body={"gig_id": gig["id"], "tier": "basic"}).json["id"]
    assert api.post(f"/orders/{order_id}/requirements", BUYER, body=answers).status_code == 200
    assert api.post(f"/orders/{order_id}/deliveries", SELLER, body={"message": "Done"}).status_code == 201
    assert api.post(f"/orders/{order_id}/acceptance", BUYER).json["state"] == "completed"
    assert api.op("PUT", f"/sellers/{uid(SELLER)}/membership", OPERATOR,
                  body={"member": True, "reason": "Member plan"}).status_code == 200
    assert api.post("/coupons", SELLER, body={"buyer_id": uid(BUYER), "percent": 15}).status_code == 201
    return {"seller": uid(SELLER), "buyer_id": uid(BUYER)}


@pytest.mark.parametrize("method,template,body,expected,group", matrix_cases(
    COUPON_MATRIX, [BUYER, SELLER, OTHER, STRANGER, OPERATOR],
    {BUYER: "buyer", SELLER: "seller", OTHER: "other", STRANGER: "stranger", OPERATOR: "operator"}))
def test_coupon_route_access(api, coupon_world, method, template, body, expected, group):
    check_group(api, coupon_world, method, template, body, expected, group)


def test_coupons_are_seen_only_by_their_buyer_and_seller(api, coupon_world):
    assert len(api.get("/me/coupons", BUYER).json["items"]) == 1
    assert len(api.get("/me/coupons/issued", SELLER).json["items"]) == 1
    for caller in (OTHER, OPERATOR, SELLER):
        assert api.get("/me/coupons", caller).json["items"] == []
    for caller in (OTHER, OPERATOR, BUYER):
        assert api.get("/me/coupons/issued", caller).json["items"] == []

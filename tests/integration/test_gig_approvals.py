"""G9 through the API: a new seller's gig waits in the operators' queue, hidden and not orderable,
until an operator approves it; a rejection tells the seller why and the seller edits and
resubmits; a new seller's edit of a live gig's texts waits as a revision while the approved
version stays listed and orderable; Level 1 sellers publish directly; the queue is oldest first
with a cursor; every decision is in the audit log."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.levels import SellerLevel
from chalicelib.services import reactions, runtime
from tests.integration.conftest import gig_body, set_level, uid

NEW_SELLER, SELLER, BUYER, OPERATOR = "nina", "dana", "alice", "olga"


@pytest.fixture
def sellers(api, catalogue, make_seller):
    make_seller(NEW_SELLER, level=SellerLevel.NEW_SELLER)
    make_seller(SELLER)  # Level 1


def _drain(clock) -> None:
    for _ in range(5):
        if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
            break


def _draft(api, seller=NEW_SELLER, **overrides) -> dict:
    created = api.post("/gigs", seller, body=gig_body(seller=seller, **overrides))
    assert created.status_code == 201, created.json
    return created.json


def _submitted(api, seller=NEW_SELLER, **overrides) -> dict:
    gig = _draft(api, seller, **overrides)
    published = api.post(f"/gigs/{gig['id']}/publish", seller)
    assert published.status_code == 200, published.json
    return published.json


def _browsable(api, gig_id) -> bool:
    return gig_id in [g["id"] for g in api.get("/gigs?category=renovation").json["items"]]


def _audit(api, gig_id) -> list[dict]:
    """The gig's entries in the operators' audit log (W1), newest first."""
    response = api.op("GET", f"/operator/audit-log?object_kind=gig&object_id={gig_id}", OPERATOR)
    assert response.status_code == 200, response.json
    return response.json["items"]


def _notifications(api, user) -> list[dict]:
    return api.get("/me/notifications", user).json["items"]


def test_g9_publish_pending_then_approved_is_live_and_orderable(api, clock, sellers):
    gig = _submitted(api)
    assert gig["state"] == "pending_approval" and gig["submitted_at"] == "2026-11-23T09:00:00Z"
    gig_id = gig["id"]
    # Not visible to buyers, takes no orders; the owner and operators see its state.
    assert api.get(f"/gigs/{gig_id}", BUYER).status_code == 404
    assert not _browsable(api, gig_id)
    assert api.post(f"/gigs/{gig_id}/quote", BUYER, body={"tier": "basic"}).status_code == 404
    assert api.post("/orders", BUYER, body={"gig_id": gig_id, "tier": "basic"}).status_code == 404
    assert api.get(f"/me/gigs/{gig_id}", NEW_SELLER).json["state"] == "pending_approval"
    assert api.op("GET", f"/operator/gigs/{gig_id}", OPERATOR).json["state"] == "pending_approval"
    queue = api.op("GET", "/gig-approvals", OPERATOR).json["items"]
    assert [(e["subject"], e["gig"]["id"]) for e in queue] == [("gig", gig_id)]

    clock.advance(hours=2)
    approved = api.op("POST", f"/gigs/{gig_id}/approval", OPERATOR, body={"note": "Photos checked."})
    assert approved.status_code == 200, approved.json
    assert approved.json["state"] == "published" and approved.json["published_at"] == "2026-11-23T11:00:00Z"
    assert api.op("GET", "/gig-approvals", OPERATOR).json["items"] == []
    page = api.get(f"/gigs/{gig_id}", BUYER).json
    assert page["orderable"] is True and page["seller"]["level"] == "new_seller"
    assert _browsable(api, gig_id)
    order = api.post("/orders", BUYER, body={"gig_id": gig_id, "tier": "basic"})
    assert order.status_code == 201, order.json
    # Audit (W1) in the approval's transaction; the seller is notified (A3, kind gig_approval).
    [entry] = _audit(api, gig_id)
    assert (entry["action"], entry["operator_id"], entry["reason"], entry["details"]["subject"]) == (
        "gig.approved", uid(OPERATOR), "Photos checked.", "gig")
    _drain(clock)
    [note] = [n for n in _notifications(api, NEW_SELLER) if n["event"] == "gig.approved"]
    assert "was approved and is live" in note["summary"] and note["stream"] == f"gig:{gig_id}"


def test_g9_rejected_with_a_reason_seller_sees_it_edits_and_resubmits(api, clock, sellers):
    gig_id = _submitted(api)["id"]
    refused = api.op("POST", f"/gigs/{gig_id}/rejection", OPERATOR, body={})
    assert refused.status_code == 422  # a rejection names its reason
    rejected = api.op("POST", f"/gigs/{gig_id}/rejection", OPERATOR,
                      body={"reason": "The cover image shows another company's logo."})
    assert rejected.status_code == 200, rejected.json
    assert rejected.json["state"] == "rejected"
    own = api.get(f"/me/gigs/{gig_id}", NEW_SELLER).json
    assert (own["state"], own["rejection_reason"]) == ("rejected", "The cover image shows another company's logo.")
    assert api.get(f"/gigs/{gig_id}", BUYER).status_code == 404
    assert api.post("/orders", BUYER, body={"gig_id": gig_id, "tier": "basic"}).status_code == 404
    _drain(clock)
    [note] = [n for n in _notifications(api, NEW_SELLER) if n["event"] == "gig.rejected"]
    assert "another company's logo" in note["summary"]
    [entry] = _audit(api, gig_id)
    assert (entry["action"], entry["reason"]) == ("gig.rejected", "The cover image shows another company's logo.")
    # Deciding again is a conflict: nothing awaits review.
    again = api.op("POST", f"/gigs/{gig_id}/approval", OPERATOR, body={})
    assert again.status_code == 409 and again.json["rule"] == "G9"
    # The seller edits and publishes again: back in the queue, without the old reason.
    edited = api.patch(f"/gigs/{gig_id}", NEW_SELLER, body={"title": "I will plan your kitchen, my own photos"})
    assert edited.status_code == 200 and edited.json["state"] == "rejected"
    clock.advance(minutes=5)
    resubmitted = api.post(f"/gigs/{gig_id}/publish", NEW_SELLER).json
    assert (resubmitted["state"], resubmitted["rejection_reason"]) == ("pending_approval", None)
    assert [e["gig"]["title"] for e in api.op("GET", "/gig-approvals", OPERATOR).json["items"]] == [
        "I will plan your kitchen, my own photos"]


def test_g9_live_gig_text_edit_by_a_new_seller_waits_while_the_old_version_is_listed(api, clock, sellers):
    gig_id = _submitted(api)["id"]
    assert api.op("POST", f"/gigs/{gig_id}/approval", OPERATOR, body={}).status_code == 200
    live_title = "I will plan and manage your kitchen remodel"
    new_title = "I will plan, manage and build your kitchen"
    clock.advance(hours=1)
    edited = api.patch(f"/gigs/{gig_id}", NEW_SELLER, body={"title": new_title, "tags": ["kitchen", "build"]})
    assert edited.status_code == 200, edited.json
    assert edited.json["title"] == live_title and edited.json["tags"] == ["kitchen", "build"]  # tags: in place
    assert (edited.json["revision"]["title"], edited.json["revision"]["state"]) == (new_title, "pending")
    # Buyers still see, browse and order the approved version; nothing of the revision shows.
    page = api.get(f"/gigs/{gig_id}", BUYER).json
    assert (page["state"], page["title"], page["revision"]) == ("published", live_title, None)
    assert live_title in [g["title"] for g in api.get("/gigs?category=renovation").json["items"]]
    order = api.post("/orders", BUYER, body={"gig_id": gig_id, "tier": "basic"})
    assert order.status_code == 201 and order.json["gig_title"] == live_title
    [entry] = api.op("GET", "/gig-approvals", OPERATOR).json["items"]
    assert (entry["subject"], entry["submitted_at"], entry["gig"]["revision"]["title"]) == (
        "revision", "2026-11-23T10:00:00Z", new_title)

    # Rejected: the live gig stays, the seller is told why.
    clock.advance(minutes=1)  # the audit log orders entries by time
    reason = "The packages do not include building work."
    assert api.op("POST", f"/gigs/{gig_id}/rejection", OPERATOR, body={"reason": reason}).status_code == 200
    own = api.get(f"/me/gigs/{gig_id}", NEW_SELLER).json
    assert (own["state"], own["title"], own["revision"]["state"], own["revision"]["rejection_reason"]) == (
        "published", live_title, "rejected", reason)
    _drain(clock)
    [note] = [n for n in _notifications(api, NEW_SELLER) if n["event"] == "gig.rejected"]
    assert reason in note["summary"]

    # Edited again and approved: swapped in, listed under the new title.
    fixed = "I will plan and manage your kitchen, start to end"
    clock.advance(minutes=1)
    assert api.patch(f"/gigs/{gig_id}", NEW_SELLER, body={"title": fixed}).json["revision"]["state"] == "pending"
    approved = api.op("POST", f"/gigs/{gig_id}/approval", OPERATOR, body={}).json
    assert (approved["title"], approved["revision"]) == (fixed, None)
    assert fixed in [g["title"] for g in api.get("/gigs?category=renovation").json["items"]]
    assert [e["action"] for e in _audit(api, gig_id)] == ["gig.approved", "gig.rejected",
                                                          "gig.approved"]  # newest first


def test_g9_level_1_seller_publishes_and_edits_directly(api, clock, sellers):
    gig = _submitted(api, SELLER)
    assert gig["state"] == "published"
    assert api.get(f"/gigs/{gig['id']}", BUYER).json["seller"]["level"] == "level_1"
    edited = api.patch(f"/gigs/{gig['id']}", SELLER, body={"title": "I will plan your kitchen, fast"}).json
    assert (edited["title"], edited["revision"]) == ("I will plan your kitchen, fast", None)
    assert api.op("GET", "/gig-approvals", OPERATOR).json["items"] == []
    assert not _audit(api, gig["id"])


def test_a2_level_shows_on_profiles_and_the_seller_cannot_set_it(api, clock, sellers):
    assert api.get(f"/sellers/{uid(SELLER)}").json["level"] == "level_1"
    assert api.get("/me", NEW_SELLER).json["seller"]["level"] == "new_seller"
    from tests.integration.conftest import seller_profile

    etag = {"If-Match": api.get("/me", SELLER).headers["ETag"]}
    body = {**seller_profile(SELLER, clock), "level": "top_rated"}
    assert api.put("/me/seller-profile", SELLER, body=body, headers=etag).status_code == 422
    body.pop("level")
    saved = api.put("/me/seller-profile", SELLER, body=body, headers=etag)
    assert saved.status_code == 200 and saved.json["seller"]["level"] == "level_1"  # kept


def test_g9_queue_is_oldest_first_with_a_cursor(api, clock, sellers):
    ids = []
    for i in range(5):
        ids.append(_submitted(api, title=f"I will plan kitchen number {i}")["id"])
        clock.advance(minutes=1)
    # An edit of a pending gig keeps its place in the line.
    renamed = api.patch(f"/gigs/{ids[0]}", NEW_SELLER, body={"title": "I will plan kitchen number zero"})
    assert renamed.status_code == 200
    seen, cursor = [], None
    while True:
        page = api.op("GET", f"/gig-approvals?limit=2{'&cursor=' + cursor if cursor else ''}", OPERATOR).json
        assert len(page["items"]) <= 2
        seen += [e["gig"]["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    assert api.op("GET", "/gig-approvals?cursor=bm90LWEtY3Vyc29y", OPERATOR).status_code == 400


def test_g9_a4_approval_while_the_seller_is_away_keeps_it_hidden(api, clock, sellers):
    gig_id = _submitted(api)["id"]
    today = clock.now().date()
    away = {"start_date": today.isoformat(), "end_date": (today + timedelta(days=3)).isoformat(),
            "reason": "vacation"}
    assert api.put("/me/availability", NEW_SELLER, body=away).status_code == 200
    approved = api.op("POST", f"/gigs/{gig_id}/approval", OPERATOR, body={}).json
    assert (approved["state"], approved["pause_reason"]) == ("paused", "availability")
    assert api.get(f"/gigs/{gig_id}", BUYER).json["orderable"] is False


def test_g9_operators_may_remove_a_gig_pending_approval(api, clock, sellers):
    gig_id = _submitted(api)["id"]
    removed = api.op("POST", f"/gigs/{gig_id}/remove", OPERATOR, body={"reason": "Duplicate account."})
    assert removed.status_code == 200 and removed.json["state"] == "removed"
    assert api.op("GET", "/gig-approvals", OPERATOR).json["items"] == []


def test_g9_a_seller_promoted_to_level_1_publishes_a_rejected_gig_directly(api, clock, sellers):
    gig_id = _submitted(api)["id"]
    api.op("POST", f"/gigs/{gig_id}/rejection", OPERATOR, body={"reason": "Blurry."})
    set_level(NEW_SELLER, SellerLevel.LEVEL_1)
    assert api.post(f"/gigs/{gig_id}/publish", NEW_SELLER).json["state"] == "published"

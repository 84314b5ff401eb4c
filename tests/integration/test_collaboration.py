"""Comments on an order's files and invitations to review them, through the HTTP API (F2, F3, W2).

dana sells, alice buys; bob is a stranger to the order; olga an operator. In the ``collab``
order dana delivered a clean PNG, an MP3, a PDF and an infected PNG; alice sent a photo of her
own in the order's conversation."""
from __future__ import annotations

import pytest

from chalicelib.domain.files import Purpose
from chalicelib.notify.email import RecordingEmailSender
from chalicelib.notify.push import RecordingPushSender
from chalicelib.services import notifications, runtime
from local.media_seed import GeneratedImageScanner, png_bytes, upload_and_scan
from tests.integration.conftest import uid

BUYER, SELLER, STRANGER, OPERATOR = "alice", "dana", "bob", "olga"
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64


class _Finds:
    name = "test-signature"

    def scan(self, path: str) -> str | None:
        return "Test.Signature"


def _upload(owner, clock, data, name, content_type, purpose, scanner=None) -> str:
    return upload_and_scan(uid(owner), clock, data, name, content_type, purpose, scanner or GeneratedImageScanner())


@pytest.fixture
def collab(api, clock, published_gig):
    gig = published_gig
    placed = api.post("/orders", BUYER, body={"gig_id": gig["id"], "tier": "basic"})
    order_id = placed.json["id"]
    answers = {"answers": [{"requirement_id": gig["requirements"][0]["id"], "text": "12 m2"}]}
    assert api.post(f"/orders/{order_id}/requirements", BUYER, body=answers).status_code == 200
    w = {"order": order_id,
         "image": _upload(SELLER, clock, png_bytes(800, 600), "kitchen.png", "image/png", Purpose.DELIVERY),
         "audio": _upload(SELLER, clock, MP3, "walkthrough.mp3", "audio/mpeg", Purpose.DELIVERY),
         "pdf": _upload(SELLER, clock, b"%PDF-1.4\n%%EOF\n", "quote.pdf", "application/pdf", Purpose.DELIVERY),
         "infected": _upload(SELLER, clock, png_bytes(800, 600), "bad.png", "image/png", Purpose.DELIVERY, _Finds()),
         "buyers": _upload(BUYER, clock, png_bytes(800, 600, (200, 10, 10)), "now.png", "image/png", Purpose.MESSAGE)}
    delivered = api.post(f"/orders/{order_id}/deliveries", SELLER,
                         body={"message": "Plans attached", "files": [w["image"], w["audio"], w["pdf"], w["infected"]]})
    assert delivered.status_code == 201, delivered.json
    sent = api.post(f"/orders/{order_id}/messages", BUYER,
                    body={"text": "Current kitchen", "attachment_ids": [w["buyers"]]})
    assert sent.status_code == 201, sent.json
    return w


def _comments_path(w, name="image"):
    return f"/orders/{w['order']}/files/{w[name]}/comments"


def _comment(api, w, user, name="image", **body):
    body.setdefault("text", "Could the island be wider?")
    if "parent_id" not in body:
        body.setdefault("anchor", {"point": {"x": 0.4, "y": 0.6}})
    return api.post(_comments_path(w, name), user, body=body)


def _invite(api, w, email="eve@example.com"):
    response = api.post(f"/orders/{w['order']}/invitations", BUYER, body={"email": email})
    assert response.status_code == 201, response.json
    return response.json


def _ids(page) -> list[str]:
    return [item["id"] for item in page["items"]]


def _feed(api, user) -> list[dict]:
    notifications.dispatch(runtime.clock(), email=RecordingEmailSender(), push=RecordingPushSender())
    return api.get("/me/notifications", user).json["items"]


# -- the order's files and their shareable links (F2) -------------------------------------------------
def test_the_parties_see_every_file_of_the_order_with_its_state_F2(api, collab):
    for user in (BUYER, SELLER):
        page = api.get(f"/orders/{collab['order']}/files", user).json
        by_id = {f["id"]: f for f in page["items"]}
        assert set(by_id) == {collab[k] for k in ("image", "audio", "pdf", "infected", "buyers")}
        assert by_id[collab["image"]]["state"] == "clean" and by_id[collab["image"]]["commentable"]
        assert by_id[collab["infected"]]["state"] == "infected"
        assert not by_id[collab["pdf"]]["commentable"]
        assert by_id[collab["buyers"]]["uploaded_by"] == "buyer"
        assert by_id[collab["image"]]["link"] == f"/orders/{collab['order']}/files/{collab['image']}"
    assert api.get(f"/orders/{collab['order']}/files", STRANGER).status_code == 404


def test_a_files_link_shows_the_file_its_comments_and_a_download_when_clean_F2(api, collab):
    assert _comment(api, collab, BUYER).status_code == 201
    page = api.get(f"/orders/{collab['order']}/files/{collab['image']}", SELLER)
    assert page.status_code == 200
    assert page.json["file"]["name"] == "kitchen.png" and page.json["download"]["url"]
    assert [c["text"] for c in page.json["comments"]] == ["Could the island be wider?"]
    blocked = api.get(f"/orders/{collab['order']}/files/{collab['infected']}", BUYER).json
    assert blocked["file"]["state"] == "infected" and blocked["download"] is None
    assert api.get(f"/files/{collab['infected']}/download", BUYER).status_code == 403
    assert api.get(f"/orders/{collab['order']}/files/{collab['image']}", STRANGER).status_code == 404


def test_a_file_of_another_order_is_not_found_through_this_one(api, collab, clock):
    loose = _upload(SELLER, clock, png_bytes(800, 600), "loose.png", "image/png", Purpose.DELIVERY)
    assert api.get(f"/orders/{collab['order']}/files/{loose}", SELLER).status_code == 404
    assert api.post(f"/orders/{collab['order']}/files/{loose}/comments", SELLER,
                    body={"text": "x", "anchor": {"point": {"x": 0, "y": 0}}}).status_code == 404


# -- comments between the parties (F2) ----------------------------------------------------------------
def test_buyer_and_seller_comment_and_reply_and_the_other_is_told_F2(api, collab, clock):
    first = _comment(api, collab, BUYER)
    clock.advance(minutes=1)
    assert first.status_code == 201, first.json
    assert first.json["anchor"]["point"] == {"x": 0.4, "y": 0.6} and first.json["author_kind"] == "buyer"
    reply = _comment(api, collab, SELLER, text="Yes, by 20 cm", parent_id=first.json["id"])
    assert reply.status_code == 201, reply.json
    assert reply.json["parent_id"] == first.json["id"] and reply.json["anchor"] is None
    for user in (BUYER, SELLER):
        listed = api.get(_comments_path(collab), user).json
        assert _ids(listed) == [first.json["id"], reply.json["id"]]
    history = api.get(f"/orders/{collab['order']}", SELLER).json["history"]
    commented = [e for e in history if e["kind"] == "file.commented"]
    assert [e["data"]["comment_id"] for e in commented] == [first.json["id"], reply.json["id"]]
    assert [e["actor_role"] for e in commented] == ["buyer", "seller"]
    assert any(n["kind"] == "file.commented" for n in _feed(api, SELLER))
    assert any(n["kind"] == "file.commented" for n in _feed(api, BUYER))


def test_audio_comments_carry_a_timestamp_F2(api, collab):
    made = _comment(api, collab, SELLER, name="audio", text="Listen from here", anchor={"timestamp": 12.5})
    assert made.status_code == 201 and made.json["anchor"] == {"point": None, "timestamp": 12.5}
    wrong = _comment(api, collab, SELLER, name="audio", anchor={"point": {"x": 0.1, "y": 0.1}})
    assert wrong.status_code == 422 and wrong.json["code"] == "invalid_comment"
    assert {e["field"] for e in wrong.json["errors"]} == {"anchor.point", "anchor.timestamp"}


def test_a_point_outside_the_image_and_a_nested_reply_are_refused_F2(api, collab):
    outside = _comment(api, collab, BUYER, anchor={"point": {"x": 1.5, "y": 0.2}})
    assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "anchor.point.x"
    first = _comment(api, collab, BUYER).json
    reply = _comment(api, collab, SELLER, text="Ok", parent_id=first["id"]).json
    nested = _comment(api, collab, BUYER, text="Thanks", parent_id=reply["id"])
    assert nested.status_code == 422 and nested.json["errors"][0]["code"] == "nested_reply"


def test_contact_details_in_a_comment_are_refused_W2(api, collab):
    response = _comment(api, collab, SELLER, text="Call me on +1 415 555 0100")
    assert response.status_code == 422 and response.json["code"] == "contact_details"
    assert api.get(_comments_path(collab), SELLER).json["items"] == []


def test_no_comments_on_a_pdf_or_a_blocked_file_F2_F1(api, collab):
    pdf = _comment(api, collab, BUYER, name="pdf")
    assert pdf.status_code == 409 and pdf.json["code"] == "file_not_commentable"
    blocked = _comment(api, collab, BUYER, name="infected")
    assert blocked.status_code == 409 and blocked.json["code"] == "file_blocked"


def test_no_comments_once_the_order_is_finished_F2(api, collab):
    token = _invite(api, collab)["token"]
    assert api.post(f"/orders/{collab['order']}/acceptance", BUYER).status_code == 200
    refused = _comment(api, collab, BUYER)
    assert refused.status_code == 409 and refused.json["code"] == "order_not_active"
    by_invitee = api.post(f"/shared/{token}/files/{collab['image']}/comments",
                          body={"text": "Nice", "anchor": {"point": {"x": 0.5, "y": 0.5}}})
    assert by_invitee.status_code == 409
    # Reading goes on.
    assert api.get(_comments_path(collab), BUYER).status_code == 200
    assert api.get(f"/shared/{token}/files", None).status_code == 200


def test_operators_read_comments_and_do_not_write_them(api, collab):
    made = _comment(api, collab, BUYER).json
    assert _ids(api.op("GET", _comments_path(collab), OPERATOR).json) == [made["id"]]
    refused = api.op("POST", _comments_path(collab), OPERATOR,
                     body={"text": "Hi", "anchor": {"point": {"x": 0, "y": 0}}})
    assert refused.status_code == 403 and refused.json["code"] == "operators_read_only"
    assert api.post(_comments_path(collab), STRANGER, body={"text": "Hi"}).status_code == 404


# -- invitations (F3) --------------------------------------------------------------------------------
def test_invitees_see_only_the_sellers_files_F3(api, collab):
    invitation = _invite(api, collab)
    assert invitation["link"] == f"/shared/{invitation['token']}/files" and invitation["status"] == "active"
    token = invitation["token"]
    listed = api.get(f"/shared/{token}/files")
    assert listed.status_code == 200
    assert set(_ids(listed.json)) == {collab[k] for k in ("image", "audio", "pdf", "infected")}
    assert listed.json["items"][0]["link"].startswith(f"/shared/{token}/files/")
    assert api.get(f"/shared/{token}/files/{collab['buyers']}").status_code == 404
    assert api.get(f"/shared/{token}/files/{collab['buyers']}/download").status_code == 404
    assert api.get(f"/shared/{token}/files/{collab['buyers']}/comments").status_code == 404
    page = api.get(f"/shared/{token}/files/{collab['image']}").json
    assert page["download"]["url"] and page["file"]["uploaded_by"] == "seller"
    assert api.get(f"/shared/{token}/files/{collab['image']}/download").status_code == 200
    assert api.get(f"/shared/{token}/files/{collab['infected']}/download").status_code == 403


def test_invitee_comments_reach_the_buyer_and_never_the_seller_F3(api, collab):
    sellers = _comment(api, collab, SELLER, text="Measured twice").json
    token = _invite(api, collab)["token"]
    shared = f"/shared/{token}/files/{collab['image']}/comments"
    assert _ids(api.get(shared).json) == [sellers["id"]]  # invitees read the parties' comments
    theirs = api.post(shared, body={"text": "The window looks too small", "anchor": {"point": {"x": 0.9, "y": 0.1}}})
    assert theirs.status_code == 201, theirs.json
    assert theirs.json["author_kind"] == "invitee" and not theirs.json["visible_to_seller"]
    answer = api.post(shared, body={"text": "Agreed with the seller", "parent_id": sellers["id"]})
    assert answer.status_code == 201 and not answer.json["visible_to_seller"]
    buyer_reply = _comment(api, collab, BUYER, text="I will ask", parent_id=theirs.json["id"])
    assert buyer_reply.status_code == 201 and not buyer_reply.json["visible_to_seller"]
    hidden = {theirs.json["id"], answer.json["id"], buyer_reply.json["id"]}

    assert set(_ids(api.get(_comments_path(collab), BUYER).json)) == hidden | {sellers["id"]}
    assert set(_ids(api.get(shared).json)) == hidden | {sellers["id"]}
    # The seller: not in the list, not on the file page, not in the order history, not in the feed.
    assert _ids(api.get(_comments_path(collab), SELLER).json) == [sellers["id"]]
    seller_page = api.get(f"/orders/{collab['order']}/files/{collab['image']}", SELLER).json
    assert [c["id"] for c in seller_page["comments"]] == [sellers["id"]]
    for user in (SELLER, BUYER):
        history = api.get(f"/orders/{collab['order']}", user).json["history"]
        assert {e["data"].get("comment_id") for e in history if e["kind"] == "file.commented"} == {sellers["id"]}
    seller_feed = _feed(api, SELLER)
    assert not any(n["kind"] == "file.commented" for n in seller_feed)
    buyer_feed = [n for n in _feed(api, BUYER) if n["kind"] == "file.commented"]
    by_invitee = [n for n in buyer_feed if n["stream"] == f"file:{collab['image']}"]
    assert len(by_invitee) == 2 and all("eve@example.com" in n["summary"] for n in by_invitee)
    assert len(buyer_feed) == 3  # and the seller's comment
    # Nor can the seller answer what they cannot see.
    refused = _comment(api, collab, SELLER, text="What?", parent_id=theirs.json["id"])
    assert refused.status_code == 422 and refused.json["errors"][0]["code"] == "unknown_comment"


def test_the_buyer_lists_and_revokes_invitations_and_the_link_dies_F3(api, collab):
    invitation = _invite(api, collab)
    token = invitation["token"]
    listed = api.get(f"/orders/{collab['order']}/invitations", BUYER).json
    assert [(i["id"], i["email"], i["status"]) for i in listed["items"]] == [(invitation["id"], "eve@example.com",
                                                                              "active")]
    assert "token" not in listed["items"][0]
    again = api.post(f"/orders/{collab['order']}/invitations", BUYER, body={"email": "EVE@example.com"})
    assert again.status_code == 409 and again.json["code"] == "already_invited"
    # The seller never learns of invitations.
    assert api.get(f"/orders/{collab['order']}/invitations", SELLER).status_code == 404
    assert api.delete(f"/orders/{collab['order']}/invitations/{invitation['id']}", SELLER).status_code == 404
    assert api.delete(f"/orders/{collab['order']}/invitations/{invitation['id']}", BUYER).status_code == 204
    for path in ("/files", f"/files/{collab['image']}", f"/files/{collab['image']}/comments",
                 f"/files/{collab['image']}/download"):
        assert api.get(f"/shared/{token}{path}").status_code == 404
    assert api.get(f"/orders/{collab['order']}/invitations", BUYER).json["items"][0]["status"] == "revoked"
    assert api.delete(f"/orders/{collab['order']}/invitations/{invitation['id']}", BUYER).status_code == 204
    assert _invite(api, collab)["token"] != token  # a new link for the same address


def test_a_link_expires_after_30_days_F3(api, collab, clock):
    token = _invite(api, collab)["token"]
    clock.advance(days=29)
    assert api.get(f"/shared/{token}/files").status_code == 200
    clock.advance(days=1)
    assert api.get(f"/shared/{token}/files").status_code == 404
    assert api.get(f"/orders/{collab['order']}/invitations", BUYER).json["items"][0]["status"] == "expired"


def test_an_unknown_link_is_a_404_F3(api, collab):
    token = _invite(api, collab)["token"]
    assert api.get(f"/shared/{token[:-1]}x/files").status_code == 404
    assert api.get("/shared/nothing/files").status_code == 404


def test_only_the_buyer_invites_and_the_address_must_be_one_F3(api, collab):
    invitations = f"/orders/{collab['order']}/invitations"
    assert api.post(invitations, SELLER, body={"email": "x@example.com"}).status_code == 404
    assert api.post(invitations, STRANGER, body={"email": "x@example.com"}).status_code == 404
    assert api.op("POST", f"/orders/{collab['order']}/invitations", OPERATOR,
                  body={"email": "x@example.com"}).status_code == 403
    bad = api.post(f"/orders/{collab['order']}/invitations", BUYER, body={"email": "not an address"})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "email"


# -- the invitation e-mail and the per-buyer limit (F3) -------------------------------------------
def _dispatch():
    """The dispatcher with the default reactions and moto's SES (the integration e-mail fake)."""
    from chalicelib.services import reactions

    return reactions.dispatch(reactions.default_reactions(push=RecordingPushSender()), runtime.clock())


def _mail_to(address):
    from tests.integration.outbox import sent_emails

    return [m for m in sent_emails() if m.destinations["ToAddresses"] == [address]]


def test_the_invitee_gets_the_link_by_email_once_and_the_secret_is_kept_nowhere_F3(api, collab, published_gig):
    from chalicelib.config import settings
    from chalicelib.store import events as event_store

    invitation = _invite(api, collab, "eve@example.com")
    token = invitation["token"]
    assert _mail_to("eve@example.com") == []

    report = _dispatch()

    [mail] = _mail_to("eve@example.com")
    assert report.emails >= 1
    assert mail.subject.startswith("alice invited you to review files of “")
    assert published_gig["title"] in mail.subject and published_gig["title"] in mail.body
    assert f"{settings().public_base_url}/shared/{token}/files" in mail.body
    assert invitation["expires_at"][:10] in mail.body and "alice" in mail.body
    # Once: a second run sends nothing.
    _dispatch()
    assert len(_mail_to("eve@example.com")) == 1
    # The link is in no history, feed or list: the event lost its secret once the e-mail went.
    [event] = event_store.history(f"invitation:{invitation['id']}")
    assert event.kind == "invitation.created" and token not in repr(event)
    order = api.get(f"/orders/{collab['order']}", BUYER)
    assert token not in order.body.decode()
    assert token not in api.get("/me/notifications", BUYER).body.decode()
    listed = api.get(f"/orders/{collab['order']}/invitations", BUYER)
    assert token not in listed.body.decode()
    assert api.get(f"/shared/{token}/files").status_code == 200  # the link itself still works


def test_an_invitation_revoked_before_its_email_went_out_sends_nothing_F3(api, collab):
    invitation = _invite(api, collab, "eve@example.com")
    assert api.delete(f"/orders/{collab['order']}/invitations/{invitation['id']}", BUYER).status_code == 204
    _dispatch()
    assert _mail_to("eve@example.com") == []


def test_a_buyer_may_send_a_limited_number_of_invitations_per_window_F3(api, collab, clock):
    from chalicelib.domain.collaboration import INVITATIONS_PER_WINDOW, invitation_window

    for i in range(INVITATIONS_PER_WINDOW):
        _invite(api, collab, f"reviewer{i}@example.com")
    refused = api.post(f"/orders/{collab['order']}/invitations", BUYER, body={"email": "one-more@example.com"})
    assert refused.status_code == 429, refused.json
    assert refused.json["code"] == "rate_limited" and refused.headers["Content-Type"] == "application/problem+json"
    assert str(INVITATIONS_PER_WINDOW) in refused.json["detail"]
    # Nothing written: no invitation, no e-mail.
    listed = api.get(f"/orders/{collab['order']}/invitations?limit=100", BUYER).json["items"]
    assert len(listed) == INVITATIONS_PER_WINDOW and "one-more@example.com" not in {i["email"] for i in listed}
    _dispatch()
    assert _mail_to("one-more@example.com") == []
    assert len(_mail_to("reviewer0@example.com")) == 1
    # The next window takes invitations again.
    _, end = invitation_window(clock.now())
    clock.advance(seconds=(end - clock.now()).total_seconds())
    assert api.post(f"/orders/{collab['order']}/invitations", BUYER,
                    body={"email": "one-more@example.com"}).status_code == 201

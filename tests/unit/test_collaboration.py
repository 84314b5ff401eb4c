"""Comments on order files and invitations (F2, F3, W2): the pure rules."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.collaboration import (
    COMMENT_TEXT_MAX,
    INVITATION_LIFETIME,
    INVITATIONS_MAX,
    Anchor,
    CommentTarget,
    Point,
    Viewpoint,
    hash_token,
    invite,
    may_see_file,
    new_comment,
    usable_or_404,
)
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.files import FileState
from chalicelib.domain.orders import OrderState

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
IMAGE = CommentTarget("ord_1", OrderState.DELIVERED, "file_img", "image/png", FileState.CLEAN)
VIDEO = CommentTarget("ord_1", OrderState.IN_PROGRESS, "file_vid", "video/mp4", FileState.CLEAN, duration_seconds=60.0)
AUDIO = CommentTarget("ord_1", OrderState.IN_PROGRESS, "file_aud", "audio/mpeg", FileState.CLEAN)
AT = Anchor(point=Point(0.25, 0.75))


def comment(target=IMAGE, kind=Viewpoint.BUYER, author="usr_b", text="Move the logo here", anchor=AT,
            parent=None):
    return new_comment(target, kind, author, text, anchor, parent.id if parent else None, parent, NOW)


def fields(exc) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.fields}


# -- anchors (F2) ----------------------------------------------------------------------------------
def test_an_image_comment_carries_a_point_F2():
    made = comment()
    assert made.anchor == AT and made.parent_id is None and not made.hidden_from_seller


@pytest.mark.parametrize("point,field", [(Point(-0.1, 0.5), "anchor.point.x"), (Point(0.5, 1.01), "anchor.point.y")])
def test_a_point_is_a_fraction_of_the_image_F2(point, field):
    with pytest.raises(InvalidInput) as exc:
        comment(anchor=Anchor(point=point))
    assert fields(exc) == {field: "out_of_range"}


def test_the_edges_of_an_image_are_points_on_it_F2():
    assert comment(anchor=Anchor(point=Point(0, 1))).anchor.point == Point(0, 1)


def test_an_image_takes_no_timestamp_and_needs_a_point_F2():
    with pytest.raises(InvalidInput) as exc:
        comment(anchor=Anchor(timestamp=3.0))
    assert fields(exc) == {"anchor.timestamp": "wrong_anchor", "anchor.point": "anchor_required"}
    with pytest.raises(InvalidInput) as exc:
        comment(anchor=None)
    assert fields(exc) == {"anchor": "anchor_required"} and exc.value.rule == "F2"


def test_audio_and_video_comments_carry_a_timestamp_within_the_measured_length_F2():
    assert comment(VIDEO, anchor=Anchor(timestamp=60.0)).anchor.timestamp == 60.0
    assert comment(VIDEO, anchor=Anchor(timestamp=0)).anchor.timestamp == 0
    with pytest.raises(InvalidInput) as exc:
        comment(VIDEO, anchor=Anchor(timestamp=60.5))
    assert fields(exc) == {"anchor.timestamp": "out_of_range"}
    with pytest.raises(InvalidInput) as exc:
        comment(AUDIO, anchor=Anchor(timestamp=-1))
    assert fields(exc) == {"anchor.timestamp": "out_of_range"}
    # Not measured: any non-negative time.
    assert comment(AUDIO, anchor=Anchor(timestamp=5000)).anchor.timestamp == 5000


def test_audio_takes_no_point_F2():
    with pytest.raises(InvalidInput) as exc:
        comment(AUDIO, anchor=Anchor(point=Point(0.1, 0.1)))
    assert fields(exc) == {"anchor.point": "wrong_anchor", "anchor.timestamp": "anchor_required"}


# -- what can be commented (F2) ------------------------------------------------------------------------
@pytest.mark.parametrize("state", [OrderState.COMPLETED, OrderState.CANCELLED])
def test_no_comments_once_the_order_is_finished_F2(state):
    with pytest.raises(Conflict) as exc:
        comment(CommentTarget("ord_1", state, "file_img", "image/png", FileState.CLEAN))
    assert exc.value.code == "order_not_active"


def test_only_image_audio_and_video_take_comments_F2():
    with pytest.raises(Conflict) as exc:
        comment(CommentTarget("ord_1", OrderState.IN_PROGRESS, "f", "application/pdf", FileState.CLEAN))
    assert exc.value.code == "file_not_commentable"


@pytest.mark.parametrize("state,code", [(FileState.INFECTED, "file_blocked"), (FileState.UNSCANNABLE, "file_blocked"),
                                        (FileState.SCANNING, "file_pending")])
def test_blocked_or_unscanned_files_take_no_comments_F1_F2(state, code):
    with pytest.raises(Conflict) as exc:
        comment(CommentTarget("ord_1", OrderState.IN_PROGRESS, "f", "image/png", state))
    assert exc.value.code == code


def test_operators_do_not_comment():
    with pytest.raises(Forbidden):
        comment(kind=Viewpoint.OPERATOR)


# -- text (W2) ------------------------------------------------------------------------------------------
def test_contact_details_are_refused_W2():
    with pytest.raises(InvalidInput) as exc:
        comment(text="Mail me at dana@example.com")
    assert exc.value.code == "contact_details" and exc.value.rule == "W2"


def test_text_is_required_and_limited():
    with pytest.raises(InvalidInput) as exc:
        comment(text="   ")
    assert fields(exc) == {"text": "required"}
    with pytest.raises(InvalidInput) as exc:
        comment(text="a" * (COMMENT_TEXT_MAX + 1))
    assert fields(exc) == {"text": "too_long"}
    assert len(comment(text="a" * COMMENT_TEXT_MAX).text) == COMMENT_TEXT_MAX


# -- replies -----------------------------------------------------------------------------------------------
def test_a_reply_answers_a_first_comment_and_has_no_anchor_F2():
    first = comment()
    reply = comment(kind=Viewpoint.SELLER, author="usr_s", text="Done", anchor=None, parent=first)
    assert reply.parent_id == first.id and reply.anchor is None
    with pytest.raises(InvalidInput) as exc:
        comment(kind=Viewpoint.SELLER, anchor=AT, parent=first)
    assert fields(exc) == {"anchor": "anchor_on_reply"}


def test_replies_are_one_level_deep_F2():
    first = comment()
    reply = comment(anchor=None, parent=first)
    with pytest.raises(InvalidInput) as exc:
        comment(anchor=None, parent=reply)
    assert fields(exc) == {"parent_id": "nested_reply"}


def test_a_reply_to_a_comment_on_another_file_is_refused_F2():
    other = comment(VIDEO, anchor=Anchor(timestamp=1))
    with pytest.raises(InvalidInput) as exc:
        comment(anchor=None, parent=other)
    assert fields(exc) == {"parent_id": "unknown_comment"}


# -- visibility (F3) ------------------------------------------------------------------------------------
def test_invitee_comments_are_hidden_from_the_seller_only_F3():
    mine = comment(kind=Viewpoint.INVITEE, author="inv_1")
    assert mine.hidden_from_seller
    assert [v for v in Viewpoint if mine.visible_to(v)] == [Viewpoint.BUYER, Viewpoint.INVITEE, Viewpoint.OPERATOR]
    assert all(comment().visible_to(v) for v in Viewpoint)


def test_a_reply_in_an_invitee_thread_stays_hidden_from_the_seller_F3():
    theirs = comment(kind=Viewpoint.INVITEE, author="inv_1")
    buyer_reply = comment(anchor=None, parent=theirs)
    assert buyer_reply.hidden_from_seller and not buyer_reply.visible_to(Viewpoint.SELLER)


def test_the_seller_cannot_reply_to_what_they_cannot_see_F3():
    theirs = comment(kind=Viewpoint.INVITEE, author="inv_1")
    with pytest.raises(InvalidInput) as exc:
        comment(kind=Viewpoint.SELLER, author="usr_s", anchor=None, parent=theirs)
    assert fields(exc) == {"parent_id": "unknown_comment"}  # as if it did not exist


def test_an_invitee_may_answer_the_seller_but_the_seller_never_sees_it_F3():
    sellers = comment(kind=Viewpoint.SELLER, author="usr_s")
    answer = comment(kind=Viewpoint.INVITEE, author="inv_1", anchor=None, parent=sellers)
    assert answer.hidden_from_seller


def test_invitees_see_only_the_sellers_files_F3():
    assert may_see_file(Viewpoint.INVITEE, uploaded_by_seller=True)
    assert not may_see_file(Viewpoint.INVITEE, uploaded_by_seller=False)
    assert all(may_see_file(v, False) for v in (Viewpoint.BUYER, Viewpoint.SELLER, Viewpoint.OPERATOR))


# -- invitations (F3) ---------------------------------------------------------------------------------
def test_an_invitation_keeps_only_a_hash_of_its_token_F3():
    invitation, token = invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "  Eve@Example.COM ", [], NOW)
    assert invitation.email == "eve@example.com"
    assert invitation.token_hash == hash_token(token) != token and token not in repr(invitation)
    assert len(token) >= 40  # 256 random bits
    assert invitation.expires_at == NOW + INVITATION_LIFETIME and invitation.status(NOW) == "active"


def test_a_revoked_or_expired_invitation_is_a_404_F3():
    invitation, _ = invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "eve@example.com", [], NOW)
    assert usable_or_404(invitation, NOW) is invitation
    with pytest.raises(NotFound):
        usable_or_404(invitation, NOW + INVITATION_LIFETIME)
    revoked = invitation.revoke(NOW + timedelta(hours=1))
    assert revoked.status(NOW) == "revoked" and revoked.revoke(NOW + timedelta(days=2)) == revoked
    with pytest.raises(NotFound):
        usable_or_404(revoked, NOW + timedelta(hours=2))
    with pytest.raises(NotFound):
        usable_or_404(None, NOW)


def test_invitations_are_for_active_orders_and_one_per_address_F3():
    with pytest.raises(Conflict) as exc:
        invite("ord_1", OrderState.COMPLETED, "usr_b", "eve@example.com", [], NOW)
    assert exc.value.code == "order_not_active"
    first, _ = invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "eve@example.com", [], NOW)
    with pytest.raises(Conflict) as exc:
        invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "EVE@example.com", [first], NOW)
    assert exc.value.code == "already_invited"
    again, _ = invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "eve@example.com", [first.revoke(NOW)], NOW)
    assert again.id != first.id


def test_invitations_per_order_are_capped_F3():
    existing = [invite("ord_1", OrderState.IN_PROGRESS, "usr_b", f"r{i}@example.com", [], NOW)[0]
                for i in range(INVITATIONS_MAX)]
    with pytest.raises(Conflict) as exc:
        invite("ord_1", OrderState.IN_PROGRESS, "usr_b", "one-more@example.com", existing, NOW)
    assert exc.value.code == "too_many_invitations"


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@@example.com", "x" * 250 + "@example.com"])
def test_an_invitation_needs_an_email_address_F3(email):
    with pytest.raises(InvalidInput) as exc:
        invite("ord_1", OrderState.IN_PROGRESS, "usr_b", email, [], NOW)
    assert fields(exc) == {"email": "invalid_email"}


# -- F3: the invitation e-mail and the per-buyer limit ----------------------------------------------
def test_f3_the_invitation_rate_limit_counts_per_fixed_window():
    from datetime import datetime

    from chalicelib.domain.collaboration import (
        INVITATION_WINDOW,
        INVITATIONS_PER_WINDOW,
        check_invitation_rate,
        invitation_window,
    )
    from chalicelib.domain.errors import RateLimited

    now = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
    start, end = invitation_window(now)
    assert start <= now < end and end - start == INVITATION_WINDOW
    assert invitation_window(end)[0] == end
    check_invitation_rate(INVITATIONS_PER_WINDOW - 1, now)
    with pytest.raises(RateLimited) as refused:
        check_invitation_rate(INVITATIONS_PER_WINDOW, now)
    assert refused.value.code == "rate_limited" and refused.value.rule == "F3"


def test_f3_the_invitation_email_names_the_buyer_the_order_the_link_and_its_expiry():
    from datetime import datetime

    from chalicelib.domain.collaboration import invitation_email

    expires = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    message = invitation_email("alice", "I will plan\nyour kitchen", "#1042", "https://m.example/shared/t0k/files",
                               expires)
    assert message.title == "alice invited you to review files of “I will plan your kitchen”"
    assert "https://m.example/shared/t0k/files" in message.body and "#1042" in message.body
    assert "2026-12-23 09:00 UTC" in message.body
    long = invitation_email("alice", "x" * 300, "#1", "l", expires)
    assert len(long.title) <= 120

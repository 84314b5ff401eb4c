"""W2: every free text people write to each other or publish goes through the one check
(``contact_details_error``): gig tags, requirement answers, delivery, revision and progress-update
messages, request and cancellation reasons, offer descriptions (custom offers and the lines of an
order's offers), decline reasons and offer requests, review texts and the seller's reply (R1), a
coupon's note (M2). Each field is tried with a form the old detector let through; the refusal
names the field, rule W2 and the kind found, never the text."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.contact_details import contact_details_error
from chalicelib.domain.coupons import IssueCoupon
from chalicelib.domain.coupons import issue as issue_coupon
from chalicelib.domain.custom_offers import CustomOffer, OfferAction, OfferDraft, check_offer_request_text
from chalicelib.domain.errors import FieldError, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import publish_errors
from chalicelib.domain.orders import (
    LATE_CANCEL_AFTER,
    CancelLate,
    ChangeOffer,
    Deliver,
    OperatorCancel,
    OrderLine,
    RequestKind,
    RequestRevision,
    SendProgressUpdate,
    SubmitRequirements,
)
from chalicelib.domain.relationships import Relationship
from chalicelib.domain.requirements import Answer
from chalicelib.domain.reviews import Draft, OrderReviews, Ratings

from .gig_factory import NOW, SELLER_ID, demo_catalogue, published_gig, valid_gig
from .order_factory import BUYER_ID, OP, OPERATOR_ID, B, S, in_progress, open_request, place

DAY = timedelta(days=1)
# (a text the old detector let through, the kind the refusal must name)
PHONE = ("5 2 1 2 3 4 5 6 7", "phone number")
SPELLED = ("cero cinco dos uno dos tres cuatro cinco seis siete", "phone number")
EMAIL = ("name (at) gmail . com", "e-mail address")
WIDE = ("ｎａｍｅ＠ｇｍａｉｌ．ｃｏｍ", "e-mail address")
LINK = ("linktr.ee/dana", "link")
HANDLE = ("insta: danabuilds", "social media or messenger handle")


def _w2(errors: list[FieldError], field: str, text: str, kind: str) -> None:
    assert [(e.field, e.code, e.rule) for e in errors] == [(field, "contact_details", "W2")]
    assert kind in errors[0].message and text not in errors[0].message


def _refused(apply: Callable[[], object], field: str, text: str, kind: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        apply()
    _w2(list(caught.value.fields), field, text, kind)


def test_w2_the_one_check_names_the_kind_and_never_echoes_the_text() -> None:
    error = contact_details_error("text", "call 052-123-4567 or mail dana@gmail.com")
    assert error is not None and (error.code, error.rule) == ("contact_details", "W2")
    assert error.message == "must not contain contact details (found a phone number and an e-mail address)"
    assert contact_details_error("text", "ISBN 978-3-16-148410-0, zip 10001-1234, version 10.0.19041.1") is None


@pytest.mark.parametrize(("tag", "kind"), [("ig danabuilds", HANDLE[1]), ("0521234567", PHONE[1]),
                                           ("052 123 4567", PHONE[1])])
def test_w2_gig_tags(tag: str, kind: str) -> None:
    errors = publish_errors(valid_gig(tags=("home photography", tag)), demo_catalogue())
    _w2(errors, "tags.1", tag, kind)


def test_w2_gig_tags_with_ordinary_numbers_pass() -> None:
    assert publish_errors(valid_gig(tags=("4k video", "2024 2025 2026 2027", "iso 9001")), demo_catalogue()) == []


@pytest.mark.parametrize(("text", "kind"), [EMAIL, SPELLED])
def test_w2_requirement_answers(text: str, kind: str) -> None:
    order, _ = place()
    answers = (Answer("address", text=text), Answer("kind", choices=("House",)))
    _refused(lambda: order.apply(SubmitRequirements(answers), B, BUYER_ID, NOW + DAY), "answers.0.text", text, kind)


@pytest.mark.parametrize(("text", "kind"), [PHONE, WIDE])
def test_w2_delivery_messages(text: str, kind: str) -> None:
    order = in_progress()
    _refused(lambda: order.apply(Deliver(message=text), S, SELLER_ID, NOW + DAY), "message", text, kind)
    assert order.deliveries == 0
    order.apply(Deliver(message="Final files: 3840 x 2160 px, ISBN 978-3-16-148410-0 on the cover"), S, SELLER_ID,
                NOW + DAY)
    assert order.deliveries == 1


@pytest.mark.parametrize(("text", "kind"), [LINK, HANDLE])
def test_w2_revision_messages(text: str, kind: str) -> None:
    order = in_progress()
    order.apply(Deliver(message="Here you go"), S, SELLER_ID, NOW + DAY)
    _refused(lambda: order.apply(RequestRevision(text), B, BUYER_ID, NOW + DAY), "message", text, kind)


@pytest.mark.parametrize(("text", "kind"), [SPELLED, EMAIL])
def test_w2_progress_updates(text: str, kind: str) -> None:
    order = in_progress()
    open_request(order, B, RequestKind.PROGRESS_UPDATE, NOW)
    _refused(lambda: order.apply(SendProgressUpdate(text), S, SELLER_ID, NOW), "message", text, kind)


@pytest.mark.parametrize(("request_kind", "role"), [(RequestKind.CANCELLATION, B), (RequestKind.EXTENSION, S)])
def test_w2_request_reasons(request_kind: RequestKind, role: Actor) -> None:
    order = in_progress()
    text, kind = PHONE
    _refused(lambda: open_request(order, role, request_kind, NOW, reason=text), "reason", text, kind)
    assert order.request is None


def test_w2_cancellation_reasons() -> None:
    order = in_progress()
    text, kind = HANDLE
    _refused(lambda: order.apply(OperatorCancel(text), OP, OPERATOR_ID, NOW), "reason", text, kind)
    _refused(lambda: order.apply(CancelLate(text), B, BUYER_ID, order.due_at + LATE_CANCEL_AFTER), "reason", text,
             kind)


def test_w2_the_lines_of_an_order_offer() -> None:
    order = in_progress()
    text, kind = LINK
    offer = ChangeOffer((OrderLine("offer", text, 1_000, 1, 1_000),))
    _refused(lambda: open_request(order, S, RequestKind.EXTRAS, NOW, offer=offer), "offer.lines.0.description", text,
             kind)


def _offer(description: str = "Photos of your two flats, 40 in all") -> CustomOffer:
    draft = OfferDraft(gig_id="gig_test0000000000000000", description=description, price=12_345, delivery_days=4,
                       revisions=2)
    relationship = replace(Relationship(SELLER_ID, BUYER_ID, buyer_wrote_first=True))
    return CustomOffer.send(seller_id=SELLER_ID, gig=published_gig(), relationship=relationship,
                            conversation_id="conv_1", draft=draft, now=NOW)


@pytest.mark.parametrize(("text", "kind"), [PHONE, ("05two1234567", "phone number"), HANDLE])
def test_w2_custom_offer_descriptions(text: str, kind: str) -> None:
    _refused(lambda: _offer(text), "description", text, kind)


def test_w2_custom_offer_descriptions_with_ordinary_numbers_pass() -> None:
    assert _offer("2 flats, 85 m² each, 40 photos at 300 dpi, delivered 12.05.2027").description


def test_w2_decline_reasons_and_offer_requests() -> None:
    text, kind = EMAIL
    _refused(lambda: _offer().apply(OfferAction.DECLINE, Actor.BUYER, NOW, reason=text), "reason", text, kind)
    _refused(lambda: check_offer_request_text(text), "text", text, kind)


def _published_reviews() -> OrderReviews:
    """An order's reviews, both in and published (R1)."""
    window = OrderReviews.open(order_id="ord_1", order_number="FO-AAAAA-BBBBB", gig_id="gig_1", gig_title="Plans",
                               seller_id=SELLER_ID, buyer_id=BUYER_ID, completed_at=NOW)
    written, _ = window.submit(Actor.BUYER, BUYER_ID, "alice", Draft(Ratings(5, 5, 5, 5), "Great work"), NOW)
    published, _ = written.submit(Actor.SELLER, SELLER_ID, "dana", Draft(Ratings(5), "A pleasure"), NOW)
    return published


@pytest.mark.parametrize(("text", "kind"), [PHONE, SPELLED, WIDE, LINK])
def test_w2_review_texts_and_the_sellers_reply(text: str, kind: str) -> None:
    window = OrderReviews.open(order_id="ord_1", order_number="FO-AAAAA-BBBBB", gig_id="gig_1", gig_title="Plans",
                               seller_id=SELLER_ID, buyer_id=BUYER_ID, completed_at=NOW)
    _refused(lambda: window.submit(Actor.BUYER, BUYER_ID, "alice", Draft(Ratings(5, 5, 5, 5), text), NOW), "text",
             text, kind)
    _refused(lambda: _published_reviews().reply(Actor.SELLER, text, NOW + DAY), "text", text, kind)


def test_w2_review_texts_with_ordinary_numbers_pass() -> None:
    window = OrderReviews.open(order_id="ord_1", order_number="FO-AAAAA-BBBBB", gig_id="gig_1", gig_title="Plans",
                               seller_id=SELLER_ID, buyer_id=BUYER_ID, completed_at=NOW)
    written, _ = window.submit(Actor.BUYER, BUYER_ID, "alice",
                               Draft(Ratings(5, 5, 5, 5), "3 rooms, 45 m², done in 5 days for $1,200"), NOW)
    assert written.buyer is not None


def _coupon(note: str) -> object:
    return issue_coupon(IssueCoupon(SELLER_ID, BUYER_ID, 10, note), seller_is_member=True,
                        last_completed_at=NOW - DAY, issued_this_month=0, now=NOW)


@pytest.mark.parametrize(("text", "kind"), [PHONE, SPELLED, EMAIL, HANDLE])
def test_w2_a_coupons_personal_note(text: str, kind: str) -> None:
    """M2: the optional note a seller writes to the buyer with a coupon."""
    _refused(lambda: _coupon(text), "note", text, kind)


def test_w2_a_coupons_note_with_ordinary_numbers_passes() -> None:
    assert _coupon("20% off your next 2 rooms, valid 30 days") is not None

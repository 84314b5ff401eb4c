"""Custom offers (C1): a seller sends one in a conversation the buyer opened; the buyer accepts
(the order is placed), declines or lets it expire; the seller withdraws it while pending; a buyer
asks a seller for one from a gig page. Thin: each view calls one service function."""
from __future__ import annotations

from chalicelib.domain.codec import to_primitive
from chalicelib.domain.custom_offers import CustomOffer, OfferDraft, OfferState
from chalicelib.domain.events import Actor
from chalicelib.domain.orders import Milestone
from chalicelib.handlers.actions import OFFER_ACTION_ROUTES, link
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_messages import message_out
from chalicelib.handlers.api_orders import order_out
from chalicelib.handlers.schemas.custom_offers import (
    CustomOfferIn,
    CustomOfferOut,
    CustomOfferPage,
    CustomOffersQuery,
    DeclineIn,
    OfferRequestIn,
)
from chalicelib.handlers.schemas.messages import MessageOut
from chalicelib.handlers.schemas.orders import OrderOut
from chalicelib.services import custom_offers, runtime
from chalicelib.services.viewer import Viewer

api = Api(__name__, tag="custom-offers")


def _viewer(call: Call) -> Viewer:
    return Viewer(call.user.user_id, call.user.is_operator)


def offer_out(offer: CustomOffer, role: Actor) -> CustomOfferOut:
    data = to_primitive(offer)
    now = runtime.clock().now()
    return CustomOfferOut.model_validate({
        **{k: v for k, v in data.items() if k not in ("extra_lines",)},
        "total": offer.total, "extras": data["extra_lines"],
        "your_role": role.value if role in (Actor.SELLER, Actor.BUYER) else "operator",
        "allowed_actions": [link(a, OFFER_ACTION_ROUTES[a], offer_id=offer.id)
                            for a in offer.allowed_actions(role, now)],
    })


def offer_draft(b: CustomOfferIn) -> OfferDraft:
    """The offer a body describes, in a conversation or in answer to a buyer request (B2)."""
    milestones = tuple(Milestone(m.name, m.description, m.delivery_days, m.amount, m.revisions) for m in b.milestones)
    price = b.price if b.price is not None else sum(m.amount for m in milestones)  # C2: their sum
    days = b.delivery_days if b.delivery_days is not None else sum(m.delivery_days for m in milestones)
    return OfferDraft(gig_id=b.gig_id, description=b.description, price=price, delivery_days=days,
                      revisions=b.revisions, requirements_asked=b.requirements_asked,
                      custom_extras=tuple((c.id, c.quantity) for c in b.custom_extras), expiry_days=b.expiry_days,
                      milestones=milestones)


@api.route("/conversations/{conversation_id}/custom-offers", "POST",
           summary="Send a custom offer in a conversation the buyer opened (sellers, C1, O5)",
           request=CustomOfferIn, response=CustomOfferOut, location="/custom-offers/{id}", status=201,
           idempotent=True)
def send_offer(call: Call, conversation_id: str) -> CustomOfferOut:
    """Based on one of the seller's published gigs; it appears in the conversation as a message of
    kind ``custom_offer`` and expires after ``expiry_days`` (7 by default, 1–30). It may be split
    into milestones (C2): the buyer then pays the first one on accepting, each later one when
    starting it."""
    offer, _ = custom_offers.send(conversation_id, call.user.user_id, offer_draft(call.body), runtime.clock())
    return offer_out(offer, Actor.SELLER)


@api.route("/custom-offers/{offer_id}", "GET", summary="A custom offer (its seller, its buyer, operators)",
           response=CustomOfferOut)
def get_offer(call: Call, offer_id: str) -> CustomOfferOut:
    offer, role = custom_offers.view(offer_id, _viewer(call))
    return offer_out(offer, role)


@api.route("/custom-offers/{offer_id}/acceptance", "POST",
           summary="Accept a custom offer: the order is placed at the offer's price (buyer, C1, O2)",
           response=OrderOut, location="/orders/{id}", status=201, idempotent=True)
def accept_offer(call: Call, offer_id: str) -> OrderOut:
    _, order = custom_offers.accept(offer_id, _viewer(call), runtime.clock())
    return order_out(order, _viewer(call))


@api.route("/custom-offers/{offer_id}/decline", "POST", summary="Decline a custom offer (buyer, C1)",
           request=DeclineIn, response=CustomOfferOut, idempotent=True)
def decline_offer(call: Call, offer_id: str) -> CustomOfferOut:
    offer = custom_offers.decline(offer_id, _viewer(call), call.body.reason, runtime.clock())
    return offer_out(offer, Actor.BUYER)


@api.route("/custom-offers/{offer_id}/withdrawal", "POST", summary="Withdraw a pending custom offer (seller, C1)",
           response=CustomOfferOut, idempotent=True)
def withdraw_offer(call: Call, offer_id: str) -> CustomOfferOut:
    offer = custom_offers.withdraw(offer_id, _viewer(call), runtime.clock())
    return offer_out(offer, Actor.SELLER)


@api.route("/me/custom-offers", "GET", summary="Custom offers I received or sent, newest first (C1)",
           query=CustomOffersQuery, response=CustomOfferPage)
def my_offers(call: Call) -> CustomOfferPage:
    q = call.query
    as_seller = q.role == "seller"
    items, cursor = custom_offers.list_mine(call.user.user_id, as_seller, OfferState(q.state) if q.state else None,
                                            q.limit, q.cursor)
    role = Actor.SELLER if as_seller else Actor.BUYER
    return CustomOfferPage(items=[offer_out(o, role) for o in items], next_cursor=cursor)


@api.route("/gigs/{gig_id}/offer-requests", "POST", summary="Ask the gig's seller for a custom offer (C1)",
           request=OfferRequestIn, response=MessageOut, location="/conversations/{conversation_id}/messages",
           status=201, idempotent=True)
def request_offer(call: Call, gig_id: str) -> MessageOut:
    """A message of kind ``offer_request`` in the pair's conversation, opening it like a first
    message (O17, A4, W2 apply)."""
    return message_out(custom_offers.request_offer(call.user.user_id, gig_id, call.body.text, runtime.clock()))

"""Buyer requests (B1–B3): a buyer posts a request and closes it; sellers whose published gigs
are in its category see it in their feed, dismiss it or answer with one custom offer; the buyer
sees the offers and accepts one through ``POST /custom-offers/{offer_id}/acceptance`` (B3). Thin:
each view calls one service function."""
from __future__ import annotations

from chalicelib.domain.buyer_requests import BuyerRequest, RequestDraft, RequestState
from chalicelib.domain.codec import to_primitive
from chalicelib.domain.events import Actor
from chalicelib.handlers.actions import REQUEST_ACTION_ROUTES, link
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_custom_offers import offer_draft, offer_out
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.buyer_requests import (
    AttachmentOut,
    BuyerRequestIn,
    BuyerRequestOut,
    BuyerRequestPage,
    BuyerRequestsQuery,
    FeedEntryOut,
    FeedPage,
    RequestOffersOut,
)
from chalicelib.handlers.schemas.custom_offers import CustomOfferIn, CustomOfferOut
from chalicelib.services import buyer_requests, runtime
from chalicelib.services.buyer_requests import RequestView
from chalicelib.services.files import FileRef
from chalicelib.services.viewer import Viewer

api = Api(__name__, tag="buyer-requests")


def _viewer(call: Call) -> Viewer:
    return Viewer(call.user.user_id, call.user.is_operator)


def request_out(request: BuyerRequest, role: Actor, attachments: list[FileRef] | None = None,
                your_offer_id: str | None = None) -> BuyerRequestOut:
    data = to_primitive(request)
    now = runtime.clock().now()
    shown = attachments if attachments is not None else []
    return BuyerRequestOut.model_validate({
        **data,
        "attachments": [AttachmentOut(id=f.id, name=f.name, content_type=f.content_type, size=f.size,
                                      state=f.state.value) for f in shown],
        "your_role": role.value if role in (Actor.BUYER, Actor.SELLER) else "operator",
        "your_offer_id": your_offer_id,
        "allowed_actions": [link(a, REQUEST_ACTION_ROUTES[a], request_id=request.id)
                            for a in request.allowed_actions(role, now)],
    })


def _view_out(v: RequestView) -> BuyerRequestOut:
    return request_out(v.request, v.role, v.attachments, v.your_offer_id)


@api.route("/buyer-requests", "POST", summary="Post a buyer request (B1, W2, F1)", request=BuyerRequestIn,
           response=BuyerRequestOut, status=201, idempotent=True)
def post_buyer_request(call: Call) -> BuyerRequestOut:
    """Description (no contact details, W2), category and subcategory, budget, delivery days and
    up to 5 attachments uploaded with purpose ``buyer_request`` (scanned, F1). It stays open 14
    days, until an offer is accepted or the buyer closes it; a buyer has at most 10 open."""
    b = call.body
    draft = RequestDraft(description=b.description, category=b.category, subcategory=b.subcategory, budget=b.budget,
                         delivery_days=b.delivery_days, attachments=tuple(b.attachments))
    return _view_out(buyer_requests.post(call.user.user_id, draft, runtime.clock()))


@api.route("/buyer-requests/{request_id}", "GET",
           summary="A buyer request (its buyer, sellers it is shown to, operators)", response=BuyerRequestOut)
def get_buyer_request(call: Call, request_id: str) -> BuyerRequestOut:
    return _view_out(buyer_requests.view(request_id, _viewer(call)))


@api.route("/buyer-requests/{request_id}/closure", "POST", summary="Close one's open buyer request (buyer, B1)",
           response=BuyerRequestOut, idempotent=True)
def close_buyer_request(call: Call, request_id: str) -> BuyerRequestOut:
    """Its pending offers lapse and their sellers are told (B3)."""
    request = buyer_requests.close(request_id, _viewer(call), runtime.clock())
    return request_out(request, Actor.BUYER)


@api.route("/me/buyer-requests", "GET", summary="My buyer requests, newest first (B1)", query=BuyerRequestsQuery,
           response=BuyerRequestPage)
def my_buyer_requests(call: Call) -> BuyerRequestPage:
    q = call.query
    items, cursor = buyer_requests.list_mine(call.user.user_id, RequestState(q.state) if q.state else None,
                                             q.limit, q.cursor)
    return BuyerRequestPage(items=[request_out(r, Actor.BUYER) for r in items], next_cursor=cursor)


@api.route("/me/request-feed", "GET",
           summary="Open buyer requests in the categories of my published gigs, newest first (sellers, B1)",
           query=PageQuery, response=FeedPage)
def request_feed(call: Call) -> FeedPage:
    """Two DynamoDB calls whatever the number of categories. A page may hold fewer than ``limit``
    items (requests that ended or categories no longer served are left out); follow
    ``next_cursor`` while it is not null."""
    q = call.query
    items, cursor = buyer_requests.feed(call.user.user_id, q.limit, q.cursor, runtime.clock())
    return FeedPage(items=[FeedEntryOut.model_validate(i) for i in items], next_cursor=cursor)


@api.route("/me/request-feed/{request_id}", "DELETE", summary="Dismiss a buyer request from my feed (B2)",
           status=204)
def dismiss_buyer_request(call: Call, request_id: str) -> None:
    buyer_requests.dismiss(request_id, call.user.user_id)


@api.route("/buyer-requests/{request_id}/offers", "POST",
           summary="Answer a buyer request with a custom offer: one per seller (sellers, B2, C1)",
           request=CustomOfferIn, response=CustomOfferOut, location="/custom-offers/{id}", status=201,
           idempotent=True)
def answer_request(call: Call, request_id: str) -> CustomOfferOut:
    """Based on one of your published gigs in the request's category; the buyer accepts it with
    ``POST /custom-offers/{offer_id}/acceptance`` (B3)."""
    offer = buyer_requests.send_offer(request_id, call.user.user_id, offer_draft(call.body), runtime.clock())
    return offer_out(offer, Actor.SELLER)


@api.route("/buyer-requests/{request_id}/offers", "GET",
           summary="The offers on a buyer request, newest first (its buyer, operators; B3)",
           response=RequestOffersOut)
def request_offers(call: Call, request_id: str) -> RequestOffersOut:
    viewer = _viewer(call)
    offers = buyer_requests.offers(request_id, viewer)  # its buyer's or, for anyone else, an operator's view
    return RequestOffersOut(items=[offer_out(o, Actor.BUYER if o.buyer_id == viewer.user_id else Actor.OPERATOR)
                                   for o in offers])

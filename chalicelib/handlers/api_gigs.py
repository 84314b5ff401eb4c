"""Gigs: sellers' drafts and transitions, operators' removal, public browsing and quotes (G1–G10)."""
from __future__ import annotations

from chalicelib.domain.codec import to_primitive
from chalicelib.domain.gigs import Gig, GigAction
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.pricing import Selection
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_accounts import public_availability
from chalicelib.handlers.api_reviews import rating_out
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.gigs import (
    BrowseQueryIn,
    GigFields,
    GigOut,
    GigPage,
    GigSellerOut,
    OwnGigPage,
    QuoteOut,
    RemoveIn,
    SelectionIn,
)
from chalicelib.services import gigs, runtime
from chalicelib.store.gigs import BrowseQuery

api = Api(__name__, tag="gigs")


def gig_out(gig: Gig) -> GigOut:
    """The owner's (and operators') view: with the review state (G9): submission time, rejection
    reason, pending or rejected revision."""
    data = to_primitive(gig)
    data.pop("removed_reason", None)
    return GigOut.model_validate(data)


def public_gig_out(gig: Gig) -> GigOut:
    """What anyone sees: the live (approved) version, nothing of its review (G9)."""
    return gig_out(gig).model_copy(update={"submitted_at": None, "rejection_reason": None, "revision": None})


@api.route("/gigs", "POST", summary="Create a gig draft", request=GigFields, response=GigOut,
           location="/me/gigs/{id}", status=201,
           idempotent=True)
def create_gig(call: Call) -> GigOut:
    return gig_out(gigs.create_draft(call.user.user_id, call.body.changes(), runtime.clock()))


@api.route("/gigs", "GET", summary="Browse published gigs", query=BrowseQueryIn, response=GigPage, public=True)
def browse_gigs(call: Call) -> GigPage:
    q = call.query
    query = BrowseQuery(category=q.category, subcategory=q.subcategory, tag=q.tag, min_price=q.min_price,
                        max_price=q.max_price, max_delivery_days=q.max_delivery_days,
                        descending=q.sort == "price_desc")
    items, cursor = gigs.browse(query, q.limit, q.cursor)
    return GigPage(items=items, next_cursor=cursor)


@api.route("/gigs/{gig_id}", "GET", summary="A published gig (or one hidden while its seller is away, A4)",
           response=GigOut, public=True)
def get_gig(call: Call, gig_id: str) -> GigOut:
    """A listed gig; a gig hidden only because its seller is away (A4) answers too, with the
    seller's away notice and ``orderable: false``. Anything else is a 404."""
    clock = runtime.clock()
    page = gigs.get_page(gig_id, clock)
    seller = page.seller
    out = public_gig_out(page.gig)
    display_name = seller.seller.display_name if seller.seller else seller.username
    out.seller = GigSellerOut(id=seller.id, display_name=display_name,
                              level=seller.seller_level or SellerLevel.NEW_SELLER,
                              away=public_availability(seller, clock.now()))
    out.orderable = page.orderable
    out.rating = rating_out(page.rating)
    return out


@api.route("/gigs/{gig_id}/quote", "POST", summary="Price a selection of a published gig (G5, G10)",
           request=SelectionIn, response=QuoteOut, public=True)
def quote_gig(call: Call, gig_id: str) -> QuoteOut:
    body = call.body
    selection = Selection(tier=body.tier, quantity=body.quantity, fast_delivery=body.fast_delivery,
                          extra_revisions=body.extra_revisions, shipping=body.shipping,
                          custom_extras=tuple((c.id, c.quantity) for c in body.custom_extras))
    quote = gigs.quote(gig_id, selection)
    data = to_primitive(quote)
    data["total"] = quote.total.amount
    return QuoteOut.model_validate(data)


@api.route("/gigs/{gig_id}", "PATCH", summary="Edit one's gig (category is locked once published, G2)",
           request=GigFields, response=GigOut, etag=True)
def edit_gig(call: Call, gig_id: str) -> GigOut:
    """Send If-Match with the ETag of ``GET /me/gigs/{gig_id}`` to edit only the version you read
    (412 when it changed meanwhile: another tab, an operator's decision, availability)."""
    edited = gigs.edit(call.user.user_id, gig_id, call.body.changes(), runtime.clock(), call.if_match)
    call.tag(edited.version)
    return gig_out(edited.value)


@api.route("/gigs/{gig_id}/publish", "POST",
           summary="Publish a draft or a rejected gig (checks every G rule; to review unless Level 1 or above, G9)",
           response=GigOut, idempotent=True)
def publish_gig(call: Call, gig_id: str) -> GigOut:
    return gig_out(gigs.publish(call.user.user_id, gig_id, runtime.clock()))


@api.route("/gigs/{gig_id}/pause", "POST", summary="Pause a published gig", response=GigOut, idempotent=True)
def pause_gig(call: Call, gig_id: str) -> GigOut:
    return gig_out(gigs.seller_action(call.user.user_id, gig_id, GigAction.PAUSE, runtime.clock()))


@api.route("/gigs/{gig_id}/resume", "POST", summary="Resume a gig the seller paused", response=GigOut,
           idempotent=True)
def resume_gig(call: Call, gig_id: str) -> GigOut:
    return gig_out(gigs.seller_action(call.user.user_id, gig_id, GigAction.RESUME, runtime.clock()))


@api.route("/gigs/{gig_id}/remove", "POST", summary="Remove a gig (operators)", request=RemoveIn,
           response=GigOut, operator_only=True, idempotent=True)
def remove_gig(call: Call, gig_id: str) -> GigOut:
    return gig_out(gigs.remove(gig_id, call.user.user_id, call.body.reason, runtime.clock()))


@api.route("/me/gigs", "GET", summary="The caller's gigs, every state", query=PageQuery, response=OwnGigPage)
def my_gigs(call: Call) -> OwnGigPage:
    items, cursor = gigs.list_own(call.user.user_id, call.query.limit, call.query.cursor)
    return OwnGigPage(items=[gig_out(g) for g in items], next_cursor=cursor)


@api.route("/me/gigs/{gig_id}", "GET", summary="One of the caller's gigs, any state", response=GigOut, etag=True)
def my_gig(call: Call, gig_id: str) -> GigOut:
    own = gigs.get_own(call.user.user_id, gig_id)
    call.tag(own.version)
    return gig_out(own.value)

"""Seller coupons (M2): operators set a seller's membership; a member seller issues a coupon to a
recent buyer; the buyer lists their coupons, the seller the ones they issued. A coupon is used by
``POST /orders`` (``coupon_id``). Thin: each view calls one service function."""
from __future__ import annotations

from chalicelib.domain.coupons import MINIMUM_ORDER, Coupon, IssueCoupon
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.coupons import (
    MONTHLY_LIMIT_TEXT,
    CouponIn,
    CouponOut,
    CouponPage,
    MembershipIn,
    MembershipOut,
)
from chalicelib.services import coupons, runtime

api = Api(__name__, tag="coupons")


def coupon_out(coupon: Coupon) -> CouponOut:
    return CouponOut(id=coupon.id, seller_id=coupon.seller_id, buyer_id=coupon.buyer_id, percent=coupon.percent,
                     note=coupon.note, status=coupon.status(runtime.clock().now()), issued_at=coupon.issued_at,
                     expires_at=coupon.expires_at, minimum_order=MINIMUM_ORDER, order_id=coupon.order_id,
                     used_at=coupon.used_at, voided_at=coupon.voided_at)


@api.route("/sellers/{seller_id}/membership", "PUT", summary="Make a seller a member, who may issue coupons, "
           "or no longer one (operators, M2)", request=MembershipIn, response=MembershipOut, operator_only=True,
           idempotent=True)
def set_membership(call: Call, seller_id: str) -> MembershipOut:
    """The operator's action is in the audit log (``seller.membership_set``) with the reason."""
    b = call.body
    user = coupons.set_membership(call.user.user_id, seller_id, b.member, b.reason, runtime.clock())
    return MembershipOut(seller_id=user.id, member=user.member)


@api.route("/coupons", "POST", summary=f"Issue a coupon to a recent buyer (member sellers, M2; "
           f"{MONTHLY_LIMIT_TEXT})", request=CouponIn, response=CouponOut, status=201,
           location="/me/coupons/issued", idempotent=True)
def issue_coupon(call: Call) -> CouponOut:
    """The buyer is told in the app and by e-mail (A3, kind ``coupon.issued``). Single use, valid on the
    seller's gigs for an order of at least the minimum before the discount."""
    b = call.body
    coupon = coupons.issue(IssueCoupon(seller_id=call.user.user_id, buyer_id=b.buyer_id, percent=b.percent,
                                       note=b.note), runtime.clock())
    return coupon_out(coupon)


@api.route("/me/coupons", "GET", summary="My coupons from sellers, newest first (M2)", query=PageQuery,
           response=CouponPage)
def my_coupons(call: Call) -> CouponPage:
    items, cursor = coupons.list_mine(call.user.user_id, call.query.limit, call.query.cursor)
    return CouponPage(items=[coupon_out(c) for c in items], next_cursor=cursor)


@api.route("/me/coupons/issued", "GET", summary="The coupons I issued as a seller, newest first (M2)",
           query=PageQuery, response=CouponPage)
def issued_coupons(call: Call) -> CouponPage:
    items, cursor = coupons.list_issued(call.user.user_id, call.query.limit, call.query.cursor)
    return CouponPage(items=[coupon_out(c) for c in items], next_cursor=cursor)

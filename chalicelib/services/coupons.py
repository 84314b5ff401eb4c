"""Seller coupons (M2): operators make a seller a member; a member seller issues a coupon to a
recent buyer; the buyer and the seller list them; a cancelled order voids the coupon used on it.

Each use case is one transaction:
- ``set_membership``: the user (version-checked) and the audit entry;
- ``issue``: the coupon (put if new), the seller's monthly counter (a conditional ADD below the
  limit) and the ``coupon.issued`` event, whose outbox notification tells the buyer in the app and
  by e-mail (A3, kind ``coupon.issued``).
Using a coupon is part of placing the order (``orders.place``): the coupon is saved used, on the
condition that it is still unused, in the placement's transaction. Voiding is an outbox reaction
(``CouponReactions``) on the order's cancellation, not a call in the order service."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.accounts import NotificationKind, User
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.clock import Clock
from chalicelib.domain.coupons import Coupon, IssueCoupon
from chalicelib.domain.coupons import issue as issue_coupon
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.orders import OrderState
from chalicelib.services import runtime
from chalicelib.services.reactions import ReactionContext
from chalicelib.store import audit as audit_store
from chalicelib.store import coupons as coupon_store
from chalicelib.store import events as event_store
from chalicelib.store import orders as order_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store import users as user_store


# -- membership (operators) -----------------------------------------------------------------------
def set_membership(operator_id: str, seller_id: str, member: bool, reason: str, clock: Clock) -> User:
    """M2: operators make a seller a member (who may issue coupons) or no longer one; the audit
    entry is in the same transaction. A user who is no seller is a 404 (there is no seller)."""
    record = user_store.get(seller_id)
    if record is None or not record.value.is_seller:
        raise NotFound("No such seller.")
    entry = audit_entry(operator_id, AuditAction.SELLER_MEMBERSHIP_SET, ObjectKind.USER, seller_id, reason, clock,
                        {"member": "true" if member else "false"})
    uow = runtime.current().unit_of_work()
    user_store.stage_save(uow, record, replace(record.value, member=member))
    audit_store.stage(uow, entry)
    uow.commit()
    return record.value


# -- issuing (M2) ---------------------------------------------------------------------------------
def issue(command: IssueCoupon, clock: Clock) -> Coupon:
    now = clock.now()
    seller = user_store.get(command.seller_id)
    rel = relationship_store.get(command.seller_id, command.buyer_id)
    coupon = issue_coupon(command, seller_is_member=seller is not None and seller.value.member,
                          last_completed_at=rel.value.last_completed_at if rel else None,
                          issued_this_month=coupon_store.issued_this_month(command.seller_id, now), now=now)
    name = seller.value.seller.display_name if seller and seller.value.seller else "A seller"
    event = Event.new(kind="coupon.issued", stream=f"coupon:{coupon.id}", at=now, actor_role=Actor.SELLER,
                      actor_id=command.seller_id,
                      summary=f"{name} gave you a coupon: {coupon.percent}% off your next order of their gigs, "
                              f"valid until {coupon.expires_at:%Y-%m-%d}",
                      recipients=(coupon.buyer_id,), notification=NotificationKind.COUPON,
                      data={"coupon_id": coupon.id, "percent": coupon.percent, "seller_id": coupon.seller_id})
    uow = runtime.current().unit_of_work()
    coupon_store.stage_save(uow, coupon_store.new_record(coupon), coupon)
    coupon_store.stage_count_issue(uow, command.seller_id, now)
    event_store.stage(uow, event)
    uow.commit()
    return coupon


# -- reading --------------------------------------------------------------------------------------
def list_mine(buyer_id: str, limit: int, cursor: str | None) -> tuple[list[Coupon], str | None]:
    """M2: a buyer's coupons, newest first (every state: the page shows which are still usable)."""
    return coupon_store.page_of(buyer_id, False, limit, cursor)


def list_issued(seller_id: str, limit: int, cursor: str | None) -> tuple[list[Coupon], str | None]:
    """M2: the coupons a seller issued, newest first."""
    return coupon_store.page_of(seller_id, True, limit, cursor)


# -- a cancelled order voids its coupon (M2) -------------------------------------------------------
class CouponReactions:
    """On ``order.*``: an event that leaves the order cancelled voids the coupon used on it.
    Idempotent per event: the coupon changes only from used-on-this-order to void, so a replayed
    or doubled event changes nothing; losing a race on the coupon is "not yet" (the next run)."""

    def __call__(self, event: Event, context: ReactionContext) -> bool | None:
        if event.data.get("state") != OrderState.CANCELLED.value:
            return None
        order = order_store.get(event.stream.partition(":")[2])
        if order is None or order.value.coupon_id is None:
            return None
        record = coupon_store.get(order.value.coupon_id)
        if record is None:
            return None
        voided = record.value.void_for(order.value.id, event.at)
        if voided is None:
            return None
        uow = runtime.current().unit_of_work()
        coupon_store.stage_save(uow, record, voided)
        try:
            uow.commit()
        except Conflict:
            return False
        return None

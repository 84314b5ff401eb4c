"""Seller coupons (M2): one item per coupon, version-checked, and a per-seller monthly counter.

    COUPON#<id> / COUPON                the coupon (version, state)
        gsi1 SELLER#<seller> / COUPON#<issued>#<id>     the seller's issued coupons, newest first
        gsi2 BUYER#<buyer>   / COUPON#<issued>#<id>     the buyer's coupons, newest first
    USER#<seller> / COUPON_QUOTA#<yyyy-mm>  ``issued``: coupons the seller issued that month

The counter is written with a conditional ADD in the coupon's transaction (``issued`` below the
monthly limit), so two issues racing for the last place cannot both commit; it expires (TTL) a
month after its month ends. No Query counts coupons."""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.coupons import COUPONS_PER_MONTH, Coupon, CouponState, month_end, month_of
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

QUOTA_KEPT_AFTER_MONTH = timedelta(days=31)  # [decision] then DynamoDB's TTL removes the counter


class CouponItem(TableItem, discriminator="coupon"):
    version = VersionAttribute()
    state = UnicodeAttribute()
    data = JSONAttribute()


class CouponQuotaItem(TableItem, discriminator="coupon_quota"):
    issued = NumberAttribute(default=0)


CouponRecord = Record[Coupon, CouponItem]


def _key(coupon_id: str) -> tuple[str, str]:
    return f"COUPON#{coupon_id}", "COUPON"


def _quota_key(seller_id: str, now: datetime) -> tuple[str, str]:
    return f"USER#{seller_id}", f"COUPON_QUOTA#{month_of(now)}"


def get(coupon_id: str) -> CouponRecord | None:
    try:
        item = CouponItem.get(*_key(coupon_id), consistent_read=True)
    except CouponItem.DoesNotExist:
        return None
    return Record(from_primitive(Coupon, item.data), item)


def new_record(coupon: Coupon) -> CouponRecord:
    return Record(coupon, CouponItem(*_key(coupon.id)))


def stage_save(uow: UnitOfWork, record: CouponRecord, coupon: Coupon, *,
               expect_state: CouponState | None = None) -> None:
    """Saves the coupon on the version read (a new one: on its absence); ``expect_state`` adds
    that it is still in that state (M2: used only while unused)."""
    record.value = coupon
    item = record.item
    item.state = coupon.state.value
    issued = f"COUPON#{iso(coupon.issued_at)}#{coupon.id}"
    item.gsi1pk, item.gsi1sk = f"SELLER#{coupon.seller_id}", issued
    item.gsi2pk, item.gsi2sk = f"BUYER#{coupon.buyer_id}", issued
    item.data = to_primitive(coupon)
    uow.save(item, condition=(CouponItem.state == expect_state.value) if expect_state else None)


def page_of(user_id: str, as_seller: bool, limit: int, cursor: str | None) -> tuple[list[Coupon], str | None]:
    """A buyer's coupons or a seller's issued ones, newest first: one Query on gsi2 or gsi1."""
    items, next_cursor = cursors.party_page(CouponItem, user_id, as_seller, "COUPON#", None, limit, cursor)
    return [from_primitive(Coupon, i.data) for i in items], next_cursor


def issued_this_month(seller_id: str, now: datetime) -> int:
    try:
        return int(CouponQuotaItem.get(*_quota_key(seller_id, now), consistent_read=True).issued)
    except CouponQuotaItem.DoesNotExist:
        return 0


def stage_count_issue(uow: UnitOfWork, seller_id: str, now: datetime) -> None:
    """M2: one more coupon this month, on the condition that the month's count is still below the
    limit (a conditional ADD: the limit holds under concurrent issues)."""
    item = CouponQuotaItem(*_quota_key(seller_id, now))
    uow.update(item, actions=[CouponQuotaItem.issued.add(1),
                              CouponQuotaItem.item_type.set(CouponQuotaItem),
                              CouponQuotaItem.expires_at.set(month_end(now) + QUOTA_KEPT_AFTER_MONTH)],
               condition=CouponQuotaItem.pk.does_not_exist() | (CouponQuotaItem.issued < COUPONS_PER_MONTH))

"""Seller coupons (M2, M1): issuing, using and voiding, the domain alone with an injected time.
Every refusal names M2; bounds come from the domain's constants."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.coupons import (
    COUPON_LINE,
    COUPONS_PER_MONTH,
    DISCOUNT_PERCENT_MAX,
    DISCOUNT_PERCENT_MIN,
    ELIGIBILITY_WINDOW,
    MINIMUM_ORDER,
    NOTE_MAX,
    VALIDITY,
    Coupon,
    CouponState,
    CouponStatus,
    IssueCoupon,
    discount,
    issue,
    month_end,
    month_of,
)
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from chalicelib.domain.ledger import Balance
from chalicelib.domain.orders.terms import OrderLine, Terms
from chalicelib.domain.relationships import Relationship

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SELLER, BUYER, OTHER = "usr_seller", "usr_buyer", "usr_other"


def _issue(percent: int = 10, note: str = "", *, member: bool = True,
           completed: datetime | None = NOW - timedelta(days=3), this_month: int = 0,
           buyer: str = BUYER, now: datetime = NOW) -> Coupon:
    return issue(IssueCoupon(SELLER, buyer, percent, note), seller_is_member=member, last_completed_at=completed,
                 issued_this_month=this_month, now=now)


def _refused(exc_type: type[DomainError], code: str, fn, *args, **kwargs) -> DomainError:
    with pytest.raises(exc_type) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code
    assert caught.value.rule == "M2"
    return caught.value


# -- issuing -------------------------------------------------------------------------------------
def test_a_member_issues_a_coupon_valid_30_days_to_a_recent_buyer():
    coupon = _issue(DISCOUNT_PERCENT_MAX, "  Thanks for the kitchen job!  ")
    assert (coupon.seller_id, coupon.buyer_id, coupon.percent) == (SELLER, BUYER, DISCOUNT_PERCENT_MAX)
    assert coupon.note == "Thanks for the kitchen job!"
    assert coupon.expires_at == NOW + VALIDITY and VALIDITY == timedelta(days=30)
    assert coupon.state is CouponState.ISSUED and coupon.status(NOW) is CouponStatus.ACTIVE


def test_only_members_issue_coupons():
    _refused(Forbidden, "not_a_member", _issue, member=False)


def test_not_to_oneself():
    _refused(Conflict, "coupon_for_self", _issue, buyer=SELLER)


@pytest.mark.parametrize("percent", [DISCOUNT_PERCENT_MIN - 1, DISCOUNT_PERCENT_MAX + 1, -5, 100])
def test_the_discount_is_within_bounds(percent):
    error = _refused(InvalidInput, "invalid_coupon", _issue, percent)
    assert [(f.field, f.code, f.rule) for f in error.fields] == [("percent", "out_of_range", "M2")]


@pytest.mark.parametrize("percent", [DISCOUNT_PERCENT_MIN, DISCOUNT_PERCENT_MAX])
def test_the_bounds_themselves_are_allowed(percent):
    assert _issue(percent).percent == percent


def test_the_note_is_checked_for_contact_details_and_length():
    error = _refused(InvalidInput, "invalid_coupon", _issue, 10, "Write me at dana@example.com")
    assert [(f.field, f.code, f.rule) for f in error.fields] == [("note", "contact_details", "W2")]
    error = _refused(InvalidInput, "invalid_coupon", _issue, 10, "x" * (NOTE_MAX + 1))
    assert [(f.field, f.code) for f in error.fields] == [("note", "too_long")]


def test_the_buyer_completed_an_order_within_the_window():
    assert _issue(completed=NOW - ELIGIBILITY_WINDOW).buyer_id == BUYER  # the edge is inside
    _refused(Conflict, "no_recent_order", _issue, completed=NOW - ELIGIBILITY_WINDOW - timedelta(seconds=1))
    _refused(Conflict, "no_recent_order", _issue, completed=None)


def test_at_most_five_a_month():
    assert _issue(this_month=COUPONS_PER_MONTH - 1).percent == 10
    _refused(Conflict, "coupon_limit_reached", _issue, this_month=COUPONS_PER_MONTH)


def test_the_month_is_the_utc_calendar_month():
    assert month_of(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12"
    assert month_of(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01"
    assert month_end(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert month_end(datetime(2026, 2, 1, tzinfo=UTC)) == datetime(2026, 3, 1, tzinfo=UTC)


def test_the_relationship_records_the_last_completion():
    rel = Relationship(SELLER, BUYER)
    rel.order_placed(NOW)
    rel.order_ended(True, 10_000, NOW + timedelta(days=1))
    assert rel.last_completed_at == NOW + timedelta(days=1)
    rel.order_placed(NOW + timedelta(days=2))
    rel.order_ended(False, 0, NOW + timedelta(days=3))  # a cancellation is no completion
    assert rel.last_completed_at == NOW + timedelta(days=1)


# -- using ---------------------------------------------------------------------------------------
def _use(coupon: Coupon, *, buyer: str = BUYER, seller: str = SELLER, subtotal: int = MINIMUM_ORDER,
         now: datetime = NOW) -> OrderLine:
    return coupon.discount_for(buyer_id=buyer, gig_seller_id=seller, subtotal=subtotal, now=now)


def test_the_discount_is_a_negative_line_of_the_price():
    line = _use(_issue(15), subtotal=20_000)
    assert (line.kind, line.amount, line.unit_price, line.quantity) == (COUPON_LINE, -3_000, -3_000, 1)
    assert discount(9_999, 15) == 1_499  # rounded down: never more than the percent off


def test_the_minimum_order_is_before_the_discount():
    assert _use(_issue(20), subtotal=MINIMUM_ORDER).amount == -MINIMUM_ORDER * 20 // 100
    _refused(Conflict, "coupon_minimum_order", _use, _issue(), subtotal=MINIMUM_ORDER - 1)


def test_only_on_this_sellers_gigs():
    _refused(Conflict, "coupon_other_seller", _use, _issue(), seller=OTHER)


def test_someone_elses_coupon_is_not_found():
    with pytest.raises(NotFound):
        _use(_issue(), buyer=OTHER)


def test_expired_after_30_days():
    coupon = _issue()
    assert _use(coupon, now=NOW + VALIDITY - timedelta(seconds=1)).amount < 0
    _refused(Conflict, "coupon_expired", _use, coupon, now=NOW + VALIDITY)
    assert coupon.status(NOW + VALIDITY) is CouponStatus.EXPIRED


def test_single_use():
    used = _issue().used_on("ord_1", NOW)
    assert (used.state, used.order_id, used.used_at, used.status(NOW)) == (CouponState.USED, "ord_1", NOW,
                                                                           CouponStatus.USED)
    _refused(Conflict, "coupon_used", _use, used)
    _refused(Conflict, "coupon_used", used.used_on, "ord_2", NOW)


def test_a_cancelled_order_voids_its_coupon_once():
    used = _issue().used_on("ord_1", NOW)
    assert used.void_for("ord_2", NOW) is None  # another order's cancellation
    void = used.void_for("ord_1", NOW + timedelta(hours=1))
    assert void is not None and void.state is CouponState.VOID and void.voided_at == NOW + timedelta(hours=1)
    assert void.void_for("ord_1", NOW + timedelta(hours=2)) is None  # replayed: nothing changes
    assert _issue().void_for("ord_1", NOW) is None  # an unused coupon stays usable
    _refused(Conflict, "coupon_void", _use, void)


def test_the_seller_earns_80_percent_of_the_discounted_amount():
    """M1: the stage the buyer pays is the discounted total, and settling splits that."""
    package = OrderLine("package", "Basic", 20_000, 1, 20_000)
    terms = Terms.single_stage("Gig", (package,), 3, 1, ()).with_coupon("cpn_1", _use(_issue(20), subtotal=20_000))
    assert terms.total == 16_000 and terms.stages[0].amount == 16_000 and terms.coupon_id == "cpn_1"
    balance = Balance()
    balance.pay(terms.stages[0].amount, NOW, "order")
    balance.settle(NOW)
    assert (balance.seller_earnings, balance.platform_fees) == (12_800, 3_200)


def test_a_coupon_needs_a_single_stage():
    line = OrderLine("package", "M", 10_000, 1, 10_000)
    terms = Terms.single_stage("Gig", (line, line), 3, 1, ())
    two = replace(terms, stages=(replace(terms.stages[0], amount=10_000),) * 2)
    with pytest.raises(ValueError):
        two.with_coupon("cpn_1", _use(_issue(), subtotal=20_000))

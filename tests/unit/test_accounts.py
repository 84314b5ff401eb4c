"""A1, A3, A4 in the domain, with an injected clock."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.accounts import (
    Availability,
    AvailabilityReason,
    ChannelPreference,
    Language,
    LanguageLevel,
    NotificationKind,
    PortfolioEntry,
    SellerProfile,
    User,
)
from chalicelib.domain.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PROFILE = SellerProfile("Dana", "Kitchens and bathrooms.", "file_1", ("tiling",),
                        (Language("English", LanguageLevel.NATIVE),), (PortfolioEntry("Oak St", "A kitchen."),))


def buyer() -> User:
    return User(id="u1", username="dana", email=None, created_at=NOW)


def seller() -> User:
    return buyer().activate_seller(PROFILE, NOW)


def period(start: date, end: date, **kw) -> Availability:
    return Availability(id="away_1", start_date=start, end_date=end, reason=AvailabilityReason.VACATION, **kw)


def test_a1_a_new_user_can_buy_but_is_no_seller():
    assert not buyer().is_seller


def test_a1_activation_needs_every_part_of_the_profile():
    empty = SellerProfile("", "", "", (), (), ())
    with pytest.raises(InvalidInput) as err:
        buyer().activate_seller(empty, NOW)
    assert err.value.rule == "A1"
    assert {f.field for f in err.value.fields} == {"display_name", "description", "photo", "skills", "languages",
                                                    "portfolio"}


def test_a1_activation_keeps_the_first_seller_date():
    later = datetime(2026, 12, 1, tzinfo=UTC)
    assert seller().activate_seller(PROFILE, later).seller_since == NOW


def test_w2_contact_details_in_the_profile_are_refused():
    with pytest.raises(InvalidInput) as err:
        buyer().activate_seller(replace(PROFILE, description="mail me: dana@example.com"), NOW)
    assert [(f.field, f.rule) for f in err.value.fields] == [("description", "W2")]


def test_a3_every_kind_defaults_to_push_and_email_and_changes_one_at_a_time():
    user = buyer()
    assert all(user.wants(kind) == ChannelPreference(True, True) for kind in NotificationKind)
    changed = user.with_preferences({NotificationKind.ORDER_PLACED: ChannelPreference(push=False, email=True)})
    assert changed.wants(NotificationKind.ORDER_PLACED).push is False
    assert changed.wants(NotificationKind.ORDER_DELIVERED).push is True


def test_a4_only_sellers_set_availability():
    with pytest.raises(Conflict):
        buyer().set_availability(period(date(2026, 11, 23), date(2026, 11, 25)), NOW)


@pytest.mark.parametrize("start,end,field", [
    (date(2026, 11, 22), date(2026, 11, 25), "start_date"),  # A4: today or later
    (date(2026, 11, 25), date(2026, 11, 25), "end_date"),
    (date(2026, 11, 25), date(2027, 3, 1), "end_date"),  # longer than 90 days
])
def test_a4_period_rules(start, end, field):
    with pytest.raises(InvalidInput) as err:
        seller().set_availability(period(start, end), NOW)
    assert [f.field for f in err.value.fields] == [field] and err.value.fields[0].rule == "A4"


def test_a4_message_without_contact_details():
    with pytest.raises(InvalidInput):
        seller().set_availability(period(date(2026, 11, 23), date(2026, 11, 25), message="call 555 123 4567"), NOW)


def test_a4_unavailable_from_the_start_date_until_the_end_date():
    user = seller().set_availability(period(date(2026, 11, 24), date(2026, 11, 26)), NOW)
    assert user.is_available(NOW)
    assert not user.is_available(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    assert not user.is_available(datetime(2026, 11, 25, 23, 59, tzinfo=UTC))
    back = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert user.is_available(back)  # by itself, whatever the sweeper did
    assert user.current_availability(back) is None

"""The codec round-trips every aggregate the store keeps."""
from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.accounts import Availability, AvailabilityReason, ChannelPreference, NotificationKind, User
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.deadlines import shard_of
from chalicelib.domain.gigs import Gig
from tests.unit.gig_factory import valid_gig


def test_gig_round_trips():
    gig = valid_gig()
    assert from_primitive(Gig, to_primitive(gig)) == gig


def test_user_round_trips_with_enum_keys_and_dates():
    user = User(id="u", username="n", email=None, created_at=datetime(2026, 1, 1, tzinfo=UTC),
                availability=Availability("a", date(2026, 1, 2), date(2026, 1, 3), AvailabilityReason.OTHER))
    user = user.with_preferences({NotificationKind.ORDER_LATE: ChannelPreference(False, False)})
    again = from_primitive(User, to_primitive(user))
    assert again == user and isinstance(next(iter(again.preferences)), NotificationKind)


def test_times_are_utc_with_z():
    assert to_primitive(datetime(2026, 1, 1, 12, tzinfo=UTC)).endswith("Z")


@given(st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=64))
def test_shards_are_stable_and_in_range(subject, shards):
    assert 0 <= shard_of(subject, shards) < shards
    assert shard_of(subject, shards) == shard_of(subject, shards)

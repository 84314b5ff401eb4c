"""/me and public seller profiles (A1, A3, A4)."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import Availability, ChannelPreference, SellerProfile, User
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_metrics import public_response_out
from chalicelib.handlers.api_reviews import rating_out
from chalicelib.handlers.schemas.accounts import (
    AvailabilityIn,
    AvailabilityOut,
    MeOut,
    PreferencesIn,
    PublicAvailability,
    SellerOut,
    SellerProfileIn,
)
from chalicelib.services import accounts, metrics, runtime

api = Api(__name__, tag="accounts")


def me_out(user: User, call: Call, now: datetime) -> MeOut:
    period = user.current_availability(now)
    return MeOut(
        id=user.id, username=user.username, email=user.email, operator=call.user.is_operator,
        is_seller=user.is_seller, seller_since=user.seller_since,
        seller=to_primitive(user.seller) if user.seller else None,
        available=user.is_available(now),
        availability=AvailabilityOut(**to_primitive(period), active=period.is_active(now)) if period else None,
        preferences={k.value: to_primitive(v) for k, v in user.preferences.items()},
    )


def public_availability(user: User, now: datetime) -> PublicAvailability | None:
    period = user.availability
    if period is None or not period.is_active(now):
        return None
    return PublicAvailability(until=period.end_date, message=period.message,
                              allow_new_clients_contact=period.allow_new_clients_contact)


@api.route("/me", "GET", summary="The caller's profile", response=MeOut, etag=True)
def get_me(call: Call) -> MeOut:
    """The ETag names the profile's version: send it as If-Match to update the seller profile."""
    clock = runtime.clock()
    user, version = accounts.profile_versioned(call.user.user_id, call.user.username, call.user.email, clock)
    call.tag(version)
    return me_out(user, call, clock.now())


@api.route("/me/preferences", "PUT", summary="Set notification preferences (A3)", request=PreferencesIn,
           response=MeOut)
def put_preferences(call: Call) -> MeOut:
    clock = runtime.clock()
    changes = {kind: ChannelPreference(**pref.model_dump()) for kind, pref in call.body.preferences.items()}
    user = accounts.update_preferences(call.user.user_id, call.user.username, call.user.email, changes, clock)
    return me_out(user, call, clock.now())


@api.route("/me/seller-profile", "PUT", summary="Activate or update the seller profile (A1)",
           request=SellerProfileIn, response=MeOut, etag=True, if_match_required=True)
def put_seller_profile(call: Call) -> MeOut:
    """Activating needs no precondition; replacing an active profile needs If-Match with the ETag of
    ``GET /me`` (428 without it, 412 when the profile changed since)."""
    clock = runtime.clock()
    profile = from_primitive(SellerProfile, call.body.model_dump(mode="json"))
    saved = accounts.activate_seller(call.user.user_id, call.user.username, call.user.email, profile, clock,
                                     call.if_match)
    call.tag(saved.version)
    return me_out(saved.value, call, clock.now())


@api.route("/me/availability", "PUT", summary="Set an out-of-office period (A4)", request=AvailabilityIn,
           response=MeOut)
def put_availability(call: Call) -> MeOut:
    clock = runtime.clock()
    period = from_primitive(Availability, {"id": "", **call.body.model_dump(mode="json")})
    user = accounts.set_availability(call.user.user_id, period, clock)
    return me_out(user, call, clock.now())


@api.route("/me/availability", "DELETE", summary="End or drop the out-of-office period (A4)", response=MeOut)
def delete_availability(call: Call) -> MeOut:
    clock = runtime.clock()
    user = accounts.end_availability(call.user.user_id, clock)
    return me_out(user, call, clock.now())


@api.route("/sellers/{seller_id}", "GET", summary="A seller's public profile", response=SellerOut, public=True)
def get_seller(call: Call, seller_id: str) -> SellerOut:
    clock = runtime.clock()
    user, rating = accounts.public_seller(seller_id)
    assert user.seller is not None
    response = public_response_out(metrics.of_seller(user.id, clock))  # O15: public on the profile
    return SellerOut(id=user.id, username=user.username, seller_since=user.seller_since,
                     away=public_availability(user, clock.now()), rating=rating_out(rating), response=response,
                     **to_primitive(user.seller))

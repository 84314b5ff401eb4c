"""W1: operators warn users, lift suspensions and unblock accounts; a user reads their warnings.
Thin: each view calls one service function."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import User
from chalicelib.domain.warnings import AccountWarning, ViolationType
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.warnings import (
    RestrictionOut,
    StandingOut,
    StandingReasonIn,
    WarningIn,
    WarningOut,
    WarningPage,
)
from chalicelib.services import runtime, warnings

api = Api(__name__, tag="warnings")


def warning_out(w: AccountWarning) -> WarningOut:
    return WarningOut(id=w.id, user_id=w.user_id, type=w.type.value, reason=w.reason, severe=w.severe,
                      issued_at=w.issued_at, expires_at=w.expires_at, active=w.active, lapsed_at=w.lapsed_at,
                      outcome=w.outcome.value, report_id=w.report_id)


def standing_out(user: User, now: datetime) -> StandingOut:
    s = user.standing
    r = s.restricted(now)
    return StandingOut(user_id=user.id, active_warnings=len(s.active_types(now)), demotions=s.demotions,
                       restriction=RestrictionOut(kind="blocked" if r.blocked else "suspended", since=r.since,
                                                  until=r.until) if r else None)


def _page(user_id: str, user: User | None, q: PageQuery) -> WarningPage:
    items, cursor = warnings.mine(user_id, q.limit, q.cursor)
    now = runtime.clock().now()
    standing = (standing_out(user, now) if user else
                StandingOut(user_id=user_id, active_warnings=0, restriction=None, demotions=0))
    return WarningPage(items=[warning_out(w) for w in items], next_cursor=cursor, standing=standing)


@api.route("/users/{user_id}/warnings", "POST", summary="Warn a user (operators, W1)", request=WarningIn,
           response=WarningOut, status=201, operator_only=True, idempotent=True,
           location="/users/{user_id}/warnings")
def issue_warning(call: Call, user_id: str) -> WarningOut:
    """The ladder decides what it does: the first active warning is a reminder; a second of the same
    type suspends the account 14 days; a second of another type demotes a seller one level
    (recorded); three active warnings suspend; a severe violation blocks at once. The user is
    e-mailed and sees it in `/me/warnings`; the action is in the audit log."""
    b = call.body
    return warning_out(warnings.issue(call.user.user_id, user_id, ViolationType(b.type), b.reason, b.severe,
                                      runtime.clock()))


@api.route("/users/{user_id}/warnings", "GET", summary="A user's warnings and standing, newest first (operators, W1)",
           query=PageQuery, response=WarningPage, operator_only=True)
def user_warnings(call: Call, user_id: str) -> WarningPage:
    return _page(user_id, warnings.standing_of(user_id), call.query)


@api.route("/users/{user_id}/suspension-lift", "POST", summary="End a suspension early (operators, W1)",
           request=StandingReasonIn, response=StandingOut, operator_only=True, idempotent=True)
def lift_suspension(call: Call, user_id: str) -> StandingOut:
    user = warnings.lift(call.user.user_id, user_id, call.body.reason, runtime.clock())
    return standing_out(user, runtime.clock().now())


@api.route("/users/{user_id}/unblock", "POST", summary="Unblock an account (operators, W1)",
           request=StandingReasonIn, response=StandingOut, operator_only=True, idempotent=True)
def unblock(call: Call, user_id: str) -> StandingOut:
    """In AWS the user's sign-in is enabled again."""
    user = warnings.unblock(call.user.user_id, user_id, call.body.reason, runtime.clock())
    return standing_out(user, runtime.clock().now())


@api.route("/me/warnings", "GET", summary="My warnings, newest first, and my account's standing (W1)",
           query=PageQuery, response=WarningPage)
def my_warnings(call: Call) -> WarningPage:
    user_id = call.user.user_id
    return _page(user_id, warnings.own_standing(user_id), call.query)

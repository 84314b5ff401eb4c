"""W1: warnings, the ladder they climb, and the standing it leaves (suspended, blocked); W1/W2:
repeated contact-detail refusals counted toward an automatic report.

Read ``LADDER`` first: what one more warning does to an account, on one screen. A warning is
active ``WARNING_ACTIVE_DAYS`` days (a deadline lapses it); only active warnings count. A
suspension lasts ``SUSPENSION_DAYS`` and ends by itself (a deadline); a block is a suspension
without end. Warnings themselves restrict nothing: only the ladder's outcome does.

Pure: no AWS, the time is passed in."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from .clock import iso
from .errors import Conflict, Forbidden, InvalidInput
from .ids import new_id

# [decision] W1: how long a warning counts, how long a suspension lasts.
WARNING_ACTIVE_DAYS = 90
SUSPENSION_DAYS = 14
SUSPENSION_AT_ACTIVE = 3  # W1: three active warnings of any type suspend the account
# [decision] W1/W2: this many W2 refusals of one user within the window put a report in the queue.
W2_REFUSALS_FOR_REPORT = 5
W2_REFUSAL_WINDOW = timedelta(hours=24)
W2_BUCKET = timedelta(hours=1)  # the counter's granularity: 24 buckets at most
REASON_MAX = 1000  # characters of an operator's reason


class ViolationType(StrEnum):
    """W1: the types a warning is issued for."""

    ABUSIVE_BEHAVIOUR = "abusive_behaviour"  # abusive language or behaviour
    SPAM = "spam"  # mass messaging, from My contacts included
    MISLEADING_PROFILE = "misleading_profile"
    CONTACT_DETAILS = "contact_details"  # sharing contact details (W2)
    FEEDBACK_SOLICITATION = "feedback_solicitation"  # asking for or about feedback
    MISREPRESENTED_SERVICE = "misrepresented_service"
    OFF_PLATFORM = "off_platform"  # off-platform communication or payment
    INCOMPLETE_DELIVERY = "incomplete_delivery"  # empty or incomplete delivery


class LadderOutcome(StrEnum):
    REMINDER = "reminder"
    DEMOTION = "demotion"  # A2: one level down (services/warnings.py applies it to the seller's level)
    SUSPENSION = "suspension"
    BLOCK = "block"


@dataclass(frozen=True)
class Rung:
    """One row of the ladder: when it applies to (active types before, the new warning)."""

    when: str
    applies: Callable[[tuple[ViolationType, ...], ViolationType, bool, bool], bool]
    outcome: LadderOutcome


# W1, first matching row wins. Arguments: active types before this warning, its type, severe, is a seller.
LADDER: tuple[Rung, ...] = (
    Rung("a severe violation", lambda active, new, severe, seller: severe, LadderOutcome.BLOCK),
    Rung(f"{SUSPENSION_AT_ACTIVE} active warnings of any type",
         lambda active, new, severe, seller: len(active) + 1 >= SUSPENSION_AT_ACTIVE, LadderOutcome.SUSPENSION),
    Rung("a second active warning of the same type",
         lambda active, new, severe, seller: new in active, LadderOutcome.SUSPENSION),
    # [decision] a buyer has no level to lose: for them this row does not apply (a reminder).
    Rung("a second active warning of another type, to a seller",
         lambda active, new, severe, seller: bool(active) and seller, LadderOutcome.DEMOTION),
    Rung("the first active warning", lambda active, new, severe, seller: True, LadderOutcome.REMINDER),
)


def climb(active: tuple[ViolationType, ...], new: ViolationType, severe: bool, is_seller: bool) -> LadderOutcome:
    """W1: what a warning of type ``new`` does, given the types of the account's active warnings."""
    return next(r.outcome for r in LADDER if r.applies(active, new, severe, is_seller))


# ---------------------------------------------------------------------------------------------
# A warning, and the account's standing
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountWarning:
    """One warning (W1). ``reason`` is shown to the user it warns; ``outcome`` is what the ladder
    did with it. Never changed but to lapse."""

    id: str
    user_id: str
    type: ViolationType
    reason: str
    severe: bool
    issued_by: str
    issued_at: datetime
    expires_at: datetime
    outcome: LadderOutcome
    report_id: str | None = None
    lapsed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.lapsed_at is None

    def lapse(self, now: datetime) -> AccountWarning:
        return self if self.lapsed_at else replace(self, lapsed_at=now)


@dataclass(frozen=True)
class ActiveWarning:
    id: str
    type: ViolationType
    expires_at: datetime


@dataclass(frozen=True)
class Restriction:
    """A suspension (``until`` set) or a block (``until`` None: without end)."""

    id: str
    since: datetime
    until: datetime | None
    warning_id: str | None = None

    @property
    def blocked(self) -> bool:
        return self.until is None

    def in_force(self, now: datetime) -> bool:
        return self.until is None or now < self.until


class AccountRestricted(Forbidden):
    """W1: a suspended or blocked account writes nothing (403 ``account_suspended`` /
    ``account_blocked``); ``until`` says when it ends (None: blocked)."""

    def __init__(self, restriction: Restriction) -> None:
        self.until = restriction.until
        if restriction.blocked:
            super().__init__("Your account is blocked: you can read, but not change anything.",
                             code="account_blocked", rule="W1")
        else:
            assert restriction.until is not None
            super().__init__(f"Your account is suspended until {iso(restriction.until)}: you can read, but not "
                             "change anything until then.", code="account_suspended", rule="W1")

    @property
    def extensions(self) -> dict[str, str | None]:
        return {"until": iso(self.until) if self.until else None}


@dataclass(frozen=True)
class Standing:
    """W1: an account's active warnings and its restriction, kept on the user."""

    active: tuple[ActiveWarning, ...] = ()
    restriction: Restriction | None = None
    demotions: int = 0  # A2: how many times a warning took a level away

    def restricted(self, now: datetime) -> Restriction | None:
        r = self.restriction
        return r if r is not None and r.in_force(now) else None

    def ensure_may_write(self, now: datetime) -> None:
        r = self.restricted(now)
        if r is not None:
            raise AccountRestricted(r)

    def active_types(self, now: datetime) -> tuple[ViolationType, ...]:
        return tuple(w.type for w in self.active if now < w.expires_at)

    def warn(self, *, user_id: str, type: ViolationType, reason: str, severe: bool, is_seller: bool,
             operator_id: str, now: datetime, report_id: str | None = None) -> tuple[Standing, AccountWarning]:
        """W1: issues a warning and applies the ladder's outcome to the standing."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput("A warning needs a reason.", code="reason_required", rule="W1")
        if len(reason) > REASON_MAX:
            raise InvalidInput(f"A reason has at most {REASON_MAX} characters.", code="reason_too_long", rule="W1")
        outcome = climb(self.active_types(now), type, severe, is_seller)
        warning = AccountWarning(id=new_id("warn"), user_id=user_id, type=type, reason=reason, severe=severe,
                                 issued_by=operator_id, issued_at=now,
                                 expires_at=now + timedelta(days=WARNING_ACTIVE_DAYS), outcome=outcome,
                                 report_id=report_id)
        standing = replace(self, active=self.active + (ActiveWarning(warning.id, type, warning.expires_at),))
        if outcome is LadderOutcome.DEMOTION:
            standing = replace(standing, demotions=self.demotions + 1)
        elif outcome is LadderOutcome.BLOCK:
            standing = replace(standing, restriction=Restriction(new_id("rst"), now, None, warning.id))
        elif outcome is LadderOutcome.SUSPENSION:
            standing = standing._suspend(now, warning.id)
        return standing, warning

    def _suspend(self, now: datetime, warning_id: str) -> Standing:
        current = self.restricted(now)
        until = now + timedelta(days=SUSPENSION_DAYS)
        if current is not None and (current.blocked or (current.until is not None and current.until >= until)):
            return self  # already blocked, or suspended for longer
        return replace(self, restriction=Restriction(new_id("rst"), now, until, warning_id))

    def lapse(self, warning_id: str) -> Standing:
        """W1: a warning stops counting after its active period."""
        return replace(self, active=tuple(w for w in self.active if w.id != warning_id))

    def end_suspension(self, restriction_id: str, now: datetime) -> Standing | None:
        """W1: a suspension ends by itself at its end time; None when there is nothing to end (another
        restriction replaced it, or it was lifted)."""
        r = self.restriction
        if r is None or r.id != restriction_id or r.in_force(now):
            return None
        return replace(self, restriction=None)

    def lift(self) -> Standing:
        """W1: an operator ends a suspension early."""
        r = self.restriction
        if r is None or r.blocked:
            raise Conflict("The account is not suspended." if r is None else
                           "The account is blocked: unblock it instead.", code="not_suspended", rule="W1")
        return replace(self, restriction=None)

    def unblock(self) -> Standing:
        r = self.restriction
        if r is None or not r.blocked:
            raise Conflict("The account is not blocked.", code="not_blocked", rule="W1")
        return replace(self, restriction=None)


# ---------------------------------------------------------------------------------------------
# W1/W2: repeated refusals of contact details
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RefusalCounter:
    """W2 refusals of one user in hourly buckets (bucket start -> count) over the last 24 hours:
    one small item, no query over history."""

    buckets: dict[str, int] = field(default_factory=dict)

    def total(self, now: datetime) -> int:
        return sum(n for start, n in self.buckets.items() if _in_window(start, now))

    def add(self, now: datetime) -> tuple[RefusalCounter, bool]:
        """Counts one refusal; True when this one makes the count reach the threshold (one report
        per crossing: the count must fall below it before another)."""
        before = self.total(now)
        bucket = iso(_bucket_start(now))
        kept = {k: v for k, v in self.buckets.items() if _in_window(k, now)}
        kept[bucket] = kept.get(bucket, 0) + 1
        return RefusalCounter(kept), before < W2_REFUSALS_FOR_REPORT <= before + 1


def _bucket_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def _in_window(bucket: str, now: datetime) -> bool:
    start = datetime.fromisoformat(bucket.replace("Z", "+00:00"))
    # a bucket counts while any part of it is within the last 24 hours
    return start + W2_BUCKET > now - W2_REFUSAL_WINDOW


def is_w2_refusal(rule: str | None, field_rules: list[str | None]) -> bool:
    """A refusal for contact details (W2): the error's own rule, or any of its fields'."""
    return rule == "W2" or "W2" in field_rules

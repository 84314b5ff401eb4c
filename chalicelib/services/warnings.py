"""W1 use cases: operators warn users (on their own or from a report), lift suspensions and
unblock accounts; warnings lapse and suspensions end by themselves (deadlines); every write of a
suspended or blocked user is refused (``ensure_may_write``, called by the request pipeline); and
W2 refusals are counted toward an automatic "sharing contact details" report.

Each operator action is one transaction with its audit entry (domain/audit.py). What a warning
does to the account is the ladder's (domain/warnings.LADDER). A suspension or block hides the
seller's gigs the way an away period does (services/gig_visibility.py, A4), and a block also
disables the sign-in (the ``account_identity`` reaction, services/identity.py)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from chalicelib.domain import audit
from chalicelib.domain.accounts import NotificationKind, User
from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.clock import Clock, iso
from chalicelib.domain.deadlines import Deadline, DeadlineKind
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.levels import demoted
from chalicelib.domain.reports import Report, ReportKind
from chalicelib.domain.warnings import AccountWarning, LadderOutcome, Restriction, Standing, ViolationType
from chalicelib.observability import logger
from chalicelib.services import gig_visibility, runtime
from chalicelib.store import audit as audit_store
from chalicelib.store import deadlines as deadline_store
from chalicelib.store import events as event_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import reports as report_store
from chalicelib.store import users as user_store
from chalicelib.store import warnings as warning_store
from chalicelib.store.models import UserItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork

STREAM_KIND = "account"  # events about a user's standing: stream "account:<user id>"

OUTCOME_TEXT = {
    LadderOutcome.REMINDER: "This is a reminder of our rules.",
    LadderOutcome.DEMOTION: "As a second active warning of another type, your seller level goes down one level.",
    LadderOutcome.SUSPENSION: "Your account is suspended.",
    LadderOutcome.BLOCK: "Your account is blocked.",
}


def _stream(user_id: str) -> str:
    return f"{STREAM_KIND}:{user_id}"


# -- the pipeline's check --------------------------------------------------------------------------
request_scope = user_store.request_scope  # the pipeline wraps each request in it
def ensure_may_write(user_id: str, clock: Clock) -> None:
    """W1: a suspended or blocked user writes nothing (403 with until when). One GetItem of the
    user, which the route's own service then reuses (store/users.py request_scope)."""
    record = user_store.get(user_id)
    if record is not None:
        record.value.standing.ensure_may_write(clock.now())


# -- warnings ---------------------------------------------------------------------------------------
def _user(user_id: str) -> Record[User, UserItem]:
    record = user_store.get(user_id)
    if record is None:
        raise NotFound("No such user.")
    return record


def warned_user(user_id: str, clock: Clock) -> Record[User, UserItem]:
    """The user to warn. Someone who never saved a profile (a buyer who only wrote messages) has no
    user item yet: it is made, named by the id (the Cognito username of an e-mail-alias pool is
    its ``sub``), without an e-mail address, so the warning reaches them in the app."""
    return user_store.get_or_new(user_id, user_id, None, clock.now())


def issue(operator_id: str, user_id: str, type: ViolationType, reason: str, severe: bool,
          clock: Clock) -> AccountWarning:
    """W1: an operator warns a user on their own review."""
    record = warned_user(user_id, clock)
    uow = runtime.current().unit_of_work()
    warning = stage_warning(uow, operator_id, record, type, reason, severe, clock)
    uow.commit()
    return warning


def stage_warning(uow: UnitOfWork, operator_id: str, record: Record[User, UserItem], type: ViolationType,
                  reason: str, severe: bool, clock: Clock, report_id: str | None = None) -> AccountWarning:
    """Into the caller's transaction: the warning, the user's new standing and what the ladder
    decided (suspension and its end, a block, a demotion recorded), the lapse deadline, the
    events (the user is e-mailed) and the audit entry."""
    now = clock.now()
    user = record.value
    before = user.standing
    standing, warning = before.warn(user_id=user.id, type=type, reason=reason, severe=severe,
                                    is_seller=user.is_seller, operator_id=operator_id, now=now, report_id=report_id)
    warning_store.stage_new(uow, warning)
    deadline_store.stage_set(uow, Deadline(DeadlineKind.WARNING_LAPSE, warning.id, warning.id, warning.expires_at),
                             None)
    event_store.stage(uow, Event.new(
        "warning.issued", _stream(user.id), now, Actor.OPERATOR, operator_id,
        f"You received a warning ({type.value.replace('_', ' ')}): {warning.reason} {OUTCOME_TEXT[warning.outcome]}",
        recipients=(user.id,), notification=NotificationKind.ACCOUNT_STANDING,
        data={"warning_id": warning.id, "type": type.value, "outcome": warning.outcome.value,
              "severe": severe, "report_id": report_id}))
    if warning.outcome is LadderOutcome.DEMOTION and user.seller is not None:  # W1 → A2: one level down
        record.value = user.with_seller_level(demoted(user.seller.level))
    _stage_standing(uow, record, standing, clock, Actor.OPERATOR, operator_id)
    audit_store.stage(uow, audit.record(operator_id, AuditAction.WARNING_ISSUED, ObjectKind.USER, user.id, reason,
                                        clock, {"warning_id": warning.id, "type": type.value,
                                                "outcome": warning.outcome.value, "severe": str(severe).lower(),
                                                **({"report_id": report_id} if report_id else {})}))
    return warning


def _stage_standing(uow: UnitOfWork, record: Record[User, UserItem], standing: Standing, clock: Clock,
                    actor: Actor, actor_id: str | None, *, deadline: Record[Deadline] | None = None) -> None:
    """Saves the user with ``standing``; when the restriction changed: its end deadline, the gigs
    (hidden while restricted, back after: gig_visibility, as for A4) and an event telling the user
    (a block's and an unblock's events also reach the identity reaction)."""
    now = clock.now()
    before = record.value.standing.restriction
    user = record.value
    user_store.stage_save(uow, record, _with_standing(user, standing))
    after = standing.restriction
    if before == after:
        return
    existing = deadline if deadline is not None else deadline_store.get(DeadlineKind.SUSPENSION_END, user.id)
    if after is not None and after.until is not None:
        deadline_store.stage_set(uow, Deadline(DeadlineKind.SUSPENSION_END, user.id, after.id, after.until), existing)
    else:
        deadline_store.stage_clear(uow, existing)
    if user.is_seller:
        gig_visibility.stage_reconcile(uow, record.value, gig_store.of_seller(user.id), now)
    event_store.stage(uow, _restriction_event(user.id, before, after, now, actor, actor_id))


def _with_standing(user: User, standing: Standing) -> User:
    return replace(user, standing=standing)


def _restriction_event(user_id: str, before: Restriction | None, after: Restriction | None, now: datetime, actor: Actor,
                       actor_id: str | None) -> Event:
    if after is not None and after.blocked:
        kind, summary = "account.blocked", "Your account is blocked: you can read, but not change anything."
    elif after is not None:
        assert after.until is not None
        kind, summary = "account.suspended", (f"Your account is suspended until {iso(after.until)}: you can read, "
                                              "but not change anything until then.")
    elif before is not None and before.blocked:
        kind, summary = "account.unblocked", "Your account is unblocked."
    else:
        kind, summary = "account.reinstated", "Your suspension has ended: your account works again."
    changed = after if after is not None else before
    return Event.new(kind, _stream(user_id), now, actor, actor_id, summary, recipients=(user_id,),
                     notification=NotificationKind.ACCOUNT_STANDING,
                     data={"until": iso(after.until) if after and after.until else None,
                           "restriction_id": changed.id if changed else None})


def lift(operator_id: str, user_id: str, reason: str, clock: Clock) -> User:
    """W1: an operator ends a suspension early, with a reason."""
    return _operator_change(operator_id, user_id, reason, clock, Standing.lift, AuditAction.SUSPENSION_LIFTED)


def unblock(operator_id: str, user_id: str, reason: str, clock: Clock) -> User:
    """W1: an operator unblocks an account, with a reason (the sign-in is enabled again)."""
    return _operator_change(operator_id, user_id, reason, clock, Standing.unblock, AuditAction.ACCOUNT_UNBLOCKED)


def _operator_change(operator_id: str, user_id: str, reason: str, clock: Clock,
                     change: Callable[[Standing], Standing], action: AuditAction) -> User:
    record = _user(user_id)
    entry = audit.record(operator_id, action, ObjectKind.USER, user_id, reason, clock)
    if not entry.reason:
        raise InvalidInput("This needs a reason.", code="reason_required", rule="W1")
    uow = runtime.current().unit_of_work()
    _stage_standing(uow, record, change(record.value.standing), clock, Actor.OPERATOR, operator_id)
    audit_store.stage(uow, entry)
    uow.commit()
    return record.value


def mine(user_id: str, limit: int, cursor: str | None) -> tuple[list[AccountWarning], str | None]:
    return warning_store.of_user(user_id, limit, cursor)


def standing_of(user_id: str) -> User:
    """Operators: a user's standing (404 for no such user)."""
    return _user(user_id).value


def own_standing(user_id: str) -> User | None:
    """The caller's own user (None: never wrote anything, so never warned)."""
    found = user_store.get(user_id)
    return found.value if found else None


# -- timers -----------------------------------------------------------------------------------------
def fire_warning_lapse(deadline: Record[Deadline], clock: Clock) -> bool:
    """W1: the sweeper's entry for WARNING_LAPSE: the warning stops counting (it stays in the
    user's list, lapsed). A warning already lapsed, or gone, only drops the deadline."""
    now = clock.now()
    uow = runtime.current().unit_of_work()
    found = warning_store.get(deadline.value.subject)
    if found is None or not found.value.active:
        deadline_store.drop_stale(uow, deadline)
        return False
    if now < found.value.expires_at:
        return False
    uow.delete(deadline.item)
    warning_store.stage_save(uow, found, found.value.lapse(now))
    user = user_store.get(found.value.user_id)
    if user is not None:
        user_store.stage_save(uow, user, _with_standing(user.value, user.value.standing.lapse(found.value.id)))
    uow.commit()
    return True


def fire_suspension_end(deadline: Record[Deadline], clock: Clock) -> bool:
    """W1: the sweeper's entry for SUSPENSION_END: the suspension the deadline was set for ends by
    itself (gigs back, the user told). Lifted or replaced meanwhile: only the deadline goes."""
    now = clock.now()
    uow = runtime.current().unit_of_work()
    record = user_store.get(deadline.value.subject)
    if record is None:
        deadline_store.drop_stale(uow, deadline)
        return False
    restriction = record.value.standing.restriction
    if restriction is None or restriction.id != deadline.value.ref:
        deadline_store.drop_stale(uow, deadline)
        return False
    ended = record.value.standing.end_suspension(deadline.value.ref, now)
    if ended is None:
        return False  # not yet
    _stage_standing(uow, record, ended, clock, Actor.SYSTEM, None, deadline=deadline)
    uow.commit()
    return True


# -- W1/W2: repeated contact-detail refusals -------------------------------------------------------
def note_w2_refusal(user_id: str, clock: Clock) -> Report | None:
    """W1/W2: counts one refusal for contact details; the one that reaches the threshold puts a
    "sharing contact details" report in the queue, in the counter's transaction. Never raises: a
    refusal's answer does not depend on its being counted (a lost race drops one count)."""
    try:
        now = clock.now()
        counter = warning_store.counter(user_id)
        value, crossed = counter.value.add(now)
        uow = runtime.current().unit_of_work()
        warning_store.stage_counter(uow, counter, value)
        report = None
        if crossed:
            report = Report.new(ReportKind.CONTACT_DETAILS, user_id, user_id, None,
                                f"{value.total(now)} refusals for contact details (W2) within 24 hours",
                                "", now)
            report_store.stage_save(uow, report_store.new_record(report), report)
            event_store.stage(uow, Event.new("report.filed", f"report:{report.id}", now, Actor.SYSTEM, None,
                                             "Repeated contact-detail refusals (W2) were reported",
                                             data={"kind": report.kind.value, "subject_user_id": user_id}))
        uow.commit()
        return report
    except Conflict:
        logger.info("W2 refusal not counted (concurrent update)", extra={"user_id": user_id})
    except Exception:
        logger.exception("W2 refusal not counted", extra={"user_id": user_id})
    return None

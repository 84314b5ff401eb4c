"""G9: the operators' review of gigs.

Publishing sends a new seller's gig to the review queue (``services.gigs.publish``; Level 1 and
above skip it, ``levels.skips_gig_review``) and a new seller's edit of a live gig's title,
description or gallery waits there as the gig's pending revision (``Gig.edit``). Operators read the
queue oldest first (one Query on the sparse index, ``store.gigs.review_queue``), approve (the gig
is listed, or the revision swapped into the live gig) or reject with a reason (the gig is
``rejected``; a revision is marked rejected and the live gig stays as it was). Each decision is one
transaction: the gig and its listings, an audit entry (W1) and the ``gig.approved`` /
``gig.rejected`` event that tells the seller, through the outbox's notifications reaction
(kind ``gig_approval``, A3), with the operator's reason."""
from __future__ import annotations

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.audit import AuditAction, ObjectKind, record
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.events import Actor, Event
from chalicelib.domain.gigs import Gig, GigAction
from chalicelib.services import runtime
from chalicelib.store import audit as audit_store
from chalicelib.store import events as event_store
from chalicelib.store import gigs as gig_store
from chalicelib.store import users as user_store
from chalicelib.store.models import UserItem

STREAM_KIND = "gig"  # events about a gig live in its partition: stream "gig:<id>"


def queue(limit: int, cursor: str | None) -> tuple[list[Gig], str | None]:
    """G9: what awaits review, oldest submission first."""
    return gig_store.review_queue(limit, cursor)


def view(gig_id: str) -> Gig:
    """An operator's view of any gig, in any state, with its pending or rejected revision and the
    rejection reason."""
    found = gig_store.get(gig_id)
    if found is None:
        raise NotFound("No such gig.")
    return found.value


def approve(operator_id: str, gig_id: str, note: str, clock: Clock) -> Gig:
    """G9: list a gig pending approval (paused while its seller is away, A4), or swap a live gig's
    pending revision in. ``note`` is for the audit log only."""
    return _decide(operator_id, gig_id, GigAction.APPROVE, note, clock)


def reject(operator_id: str, gig_id: str, reason: str, clock: Clock) -> Gig:
    """G9: refuse a gig pending approval (it becomes ``rejected``; the seller edits and publishes
    again) or a live gig's pending revision (the live gig stays listed as approved); the seller is
    told the reason."""
    return _decide(operator_id, gig_id, GigAction.REJECT, reason, clock)


def _decide(operator_id: str, gig_id: str, action: GigAction, reason: str, clock: Clock) -> Gig:
    found = gig_store.get(gig_id)
    if found is None:
        raise NotFound("No such gig.")
    seller = user_store.get(found.value.seller_id)
    if seller is None:
        raise NotFound("No such gig.")
    now = clock.now()
    was_revision = found.value.has_pending_revision
    title_before = found.value.title
    gig = found.value.apply(action, Actor.OPERATOR, now, seller_available=seller.value.is_available(now),
                            reason=reason)
    approved = action is GigAction.APPROVE
    subject = "revision" if was_revision else "gig"
    why = None if approved else (gig.revision.rejection_reason if was_revision and gig.revision
                                 else gig.rejection_reason)
    uow = runtime.current().unit_of_work()
    gig_store.stage_save(uow, found, gig)
    uow.check(seller.item, UserItem.version == seller.item.version)  # availability (A4) as read
    audit_store.stage(uow, record(
        operator_id, AuditAction.GIG_APPROVED if approved else AuditAction.GIG_REJECTED, ObjectKind.GIG, gig.id,
        reason, clock, details={"seller_id": gig.seller_id, "subject": subject}))
    event_store.stage(uow, Event.new(
        "gig.approved" if approved else "gig.rejected", f"{STREAM_KIND}:{gig.id}", now, Actor.OPERATOR,
        operator_id, _summary(gig, title_before, why, revision=was_revision),
        recipients=(gig.seller_id,), notification=NotificationKind.GIG_APPROVAL,
        data={"gig_id": gig.id, "subject": subject, "state": gig.state.value, "reason": why}))
    uow.commit()
    return gig


def _summary(gig: Gig, title_before: str, why: str | None, *, revision: bool) -> str:
    """The seller's notification (G9): what was decided and, for a rejection (``why``), the reason."""
    if why is None and revision:
        return f'Your changes to "{gig.title}" were approved and are live.'
    if why is None:
        return (f'Your gig "{gig.title}" was approved and is live.' if gig.is_listed
                else f'Your gig "{gig.title}" was approved; it is listed when you are back.')
    if revision:
        return f'Your changes to "{title_before}" were not approved (reason: {why}); the gig stays as it was.'
    return f'Your gig "{gig.title}" was not approved (reason: {why}); edit it and publish it again.'

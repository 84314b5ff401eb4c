"""The operators' review of gigs (G9): the queue, a gig in any state, approval and rejection."""
from __future__ import annotations

from chalicelib.domain.gigs import Gig
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.api_gigs import gig_out
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.gigs import ApprovalIn, GigApprovalOut, GigApprovalPage, GigOut, RejectionIn
from chalicelib.services import gig_approvals, runtime

api = Api(__name__, tag="gig-approvals")


def approval_out(gig: Gig) -> GigApprovalOut:
    submitted = gig.review_submitted_at
    assert submitted is not None  # the queue holds only what awaits review
    return GigApprovalOut(subject="revision" if gig.has_pending_revision else "gig", submitted_at=submitted,
                          gig=gig_out(gig))


@api.route("/gig-approvals", "GET", summary="The review queue, oldest first (operators, G9)", query=PageQuery,
           response=GigApprovalPage, operator_only=True)
def review_queue(call: Call) -> GigApprovalPage:
    """Gigs pending approval and live gigs' pending revisions (a new seller's edit of the title,
    description or gallery), oldest submission first; each entry is the whole gig as its owner
    sees it (``revision`` holds the edit to review, the gig's own fields the live version)."""
    items, cursor = gig_approvals.queue(call.query.limit, call.query.cursor)
    return GigApprovalPage(items=[approval_out(g) for g in items], next_cursor=cursor)


@api.route("/operator/gigs/{gig_id}", "GET", summary="Any gig in any state, with its review (operators, G9)",
           response=GigOut, operator_only=True)
def operator_gig(call: Call, gig_id: str) -> GigOut:
    """State, rejection reason, pending or rejected revision: what the owner sees of their gig."""
    return gig_out(gig_approvals.view(gig_id))


@api.route("/gigs/{gig_id}/approval", "POST", summary="Approve a gig or its pending revision (operators, G9)",
           request=ApprovalIn, response=GigOut, operator_only=True, idempotent=True)
def approve_gig(call: Call, gig_id: str) -> GigOut:
    """A gig pending approval is listed (paused while its seller is away, A4); a live gig's pending
    revision replaces its title, description and gallery. Recorded in the audit log; the seller is
    notified."""
    return gig_out(gig_approvals.approve(call.user.user_id, gig_id, call.body.note, runtime.clock()))


@api.route("/gigs/{gig_id}/rejection", "POST", summary="Reject a gig or its pending revision, with a reason "
           "(operators, G9)", request=RejectionIn, response=GigOut, operator_only=True, idempotent=True)
def reject_gig(call: Call, gig_id: str) -> GigOut:
    """A gig pending approval becomes ``rejected`` (its seller may edit it and publish again); a
    rejected revision leaves the live gig as it was. The seller is told the reason; recorded in the
    audit log."""
    return gig_out(gig_approvals.reject(call.user.user_id, gig_id, call.body.reason, runtime.clock()))

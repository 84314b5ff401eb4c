"""Collaboration on an order's media (F2, F3): comments anchored in images, audio and video, and
the buyer's invitations of third parties to review the seller's files.

F2 — in an active order, buyer and seller comment on the image, audio and video files attached to
it. A first comment is anchored: a point (``x``, ``y`` as fractions 0..1 of the width and height,
from the top left) on an image, a timestamp in seconds (0..the file's measured duration, when it
was measured) in audio and video. A reply answers a first comment ([decision] one level: replies
to replies are refused; a reply has no anchor of its own, it is about its thread's anchor).

F3 — the buyer invites e-mail addresses to view and comment on the seller's files of the order
(the files attached to it that the seller uploaded: deliveries and the seller's message
attachments). An invitee holds a secret link; only a hash of it is stored. Invitees see only the
seller's files. Their comments — and every reply in a thread an invitee started — are seen by
the buyer and the invitees, never by the seller: the seller cannot see them, so cannot answer
them either.

Who sees what (``Viewpoint``): buyer and operators everything; invitees the seller's files and
every comment on them; the seller everything but what is hidden from the seller.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from .contact_details import text_field_errors
from .errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, RateLimited
from .files import FILE_TYPES, Family, FileState
from .ids import new_id
from .notifications import Message
from .orders import ACTIVE, OrderState

COMMENT_TEXT_MAX = 2_000  # [decision] characters of one comment
PREVIEW_LENGTH = 80  # what a notification shows of a comment
COMMENTABLE_FAMILIES = frozenset({Family.IMAGE, Family.AUDIO, Family.VIDEO})  # F2
INVITATION_LIFETIME = timedelta(days=30)  # [decision] F3: a link works this long unless revoked
INVITATIONS_MAX = 20  # [decision] usable invitations per order
EMAIL_MAX = 254
INVITATIONS_PER_WINDOW = 10  # [decision] F3: invitations one buyer may send per window (all orders)
INVITATION_WINDOW = timedelta(hours=24)  # [decision] fixed windows from the epoch (UTC days)
INVITATION_SUBJECT_MAX = 120
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Viewpoint(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    INVITEE = "invitee"
    OPERATOR = "operator"  # reads everything, writes nothing


AUTHORS = frozenset({Viewpoint.BUYER, Viewpoint.SELLER, Viewpoint.INVITEE})


# ---------------------------------------------------------------------------------------------
# Which files, for whom
# ---------------------------------------------------------------------------------------------
def may_see_file(viewpoint: Viewpoint, uploaded_by_seller: bool) -> bool:
    """F3: invitees see only the seller's files of the order; the parties and operators all of
    the order's files."""
    return uploaded_by_seller or viewpoint is not Viewpoint.INVITEE


def family_of(content_type: str) -> Family | None:
    file_type = FILE_TYPES.get(content_type)
    return file_type.family if file_type else None


def is_commentable_type(content_type: str) -> bool:
    return family_of(content_type) in COMMENTABLE_FAMILIES


def check_commentable(order_state: OrderState, content_type: str, state: FileState) -> None:
    """F2: comments only in an active order, only on image, audio and video files, only on a
    clean file (a blocked or unscanned one cannot be looked at). 409 with the reason otherwise."""
    if order_state not in ACTIVE:
        raise Conflict(f"The order is {order_state}; comments are for active orders.", code="order_not_active",
                       rule="F2")
    if not is_commentable_type(content_type):
        raise Conflict("Only image, audio and video files take comments.", code="file_not_commentable",
                       rule="F2")
    if state in (FileState.AWAITING_UPLOAD, FileState.SCANNING):
        raise Conflict("The file has not been scanned yet.", code="file_pending", rule="F1")
    if state is not FileState.CLEAN:
        raise Conflict(f"The file is {state} and cannot be commented on.", code="file_blocked", rule="F1")


# ---------------------------------------------------------------------------------------------
# Comments
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Point:
    """A place in an image: fractions of its width (x) and height (y) from the top left."""

    x: float
    y: float


@dataclass(frozen=True)
class Anchor:
    point: Point | None = None  # images
    timestamp: float | None = None  # audio and video, seconds from the start


def anchor_errors(content_type: str, anchor: Anchor | None, duration_seconds: float | None,
                  path: str = "anchor") -> list[FieldError]:
    """F2: an image comment carries a point, an audio or video comment a timestamp."""
    family = family_of(content_type)
    if anchor is None or (anchor.point is None and anchor.timestamp is None):
        what = "a point (x, y)" if family is Family.IMAGE else "a timestamp"
        return [FieldError(path, f"a comment on this file needs {what}", "anchor_required", "F2")]
    errors: list[FieldError] = []
    if family is Family.IMAGE:
        if anchor.timestamp is not None:
            errors.append(FieldError(f"{path}.timestamp", "images take a point, not a timestamp",
                                     "wrong_anchor", "F2"))
        if anchor.point is None:
            errors.append(FieldError(f"{path}.point", "a comment on an image needs a point", "anchor_required", "F2"))
        else:
            for name in ("x", "y"):
                value = getattr(anchor.point, name)
                if not 0 <= value <= 1:
                    errors.append(FieldError(f"{path}.point.{name}", "a fraction from 0 to 1", "out_of_range", "F2"))
        return errors
    if anchor.point is not None:
        errors.append(FieldError(f"{path}.point", "audio and video take a timestamp, not a point",
                                 "wrong_anchor", "F2"))
    if anchor.timestamp is None:
        errors.append(FieldError(f"{path}.timestamp", "a comment on audio or video needs a timestamp",
                                 "anchor_required", "F2"))
    elif anchor.timestamp < 0:
        errors.append(FieldError(f"{path}.timestamp", "seconds from the start, not negative", "out_of_range", "F2"))
    elif duration_seconds is not None and anchor.timestamp > duration_seconds:
        errors.append(FieldError(f"{path}.timestamp", f"the file lasts {duration_seconds:g} s", "out_of_range", "F2"))
    return errors


def text_errors(text: str, path: str = "text") -> list[FieldError]:
    return text_field_errors(path, text, maximum=COMMENT_TEXT_MAX, rule="F2")


@dataclass(frozen=True)
class Comment:
    id: str
    order_id: str
    file_id: str
    author_kind: Viewpoint  # buyer | seller | invitee
    author_id: str  # a user id, or an invitation id for invitees
    text: str
    created_at: datetime
    anchor: Anchor | None = None  # first comments only
    parent_id: str | None = None  # replies: the first comment of the thread
    hidden_from_seller: bool = False  # F3: an invitee's comment, or a reply in an invitee's thread

    def visible_to(self, viewpoint: Viewpoint) -> bool:
        """F3: the seller never sees what invitees write (nor replies in their threads)."""
        return not (self.hidden_from_seller and viewpoint is Viewpoint.SELLER)

    @property
    def preview(self) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


@dataclass(frozen=True)
class CommentTarget:
    """What a new comment is about, as the service read it."""

    order_id: str
    order_state: OrderState
    file_id: str
    content_type: str
    file_state: FileState
    duration_seconds: float | None = None


def new_comment(target: CommentTarget, author_kind: Viewpoint, author_id: str, text: str,
                anchor: Anchor | None, parent_id: str | None, parent: Comment | None, now: datetime) -> Comment:
    """F2/F3/W2: a first comment (anchored) or a reply (to a first comment the author can see).
    ``parent`` is the comment ``parent_id`` names, as stored (None when there is none)."""
    if author_kind not in AUTHORS:
        raise Forbidden("Operators read comments; they do not write them.", code="operators_read_only", rule="F2")
    check_commentable(target.order_state, target.content_type, target.file_state)
    errors = text_errors(text)
    if parent_id is not None:
        if parent is None or parent.file_id != target.file_id or not parent.visible_to(author_kind):
            # The same answer for a missing comment and one the author may not see (F3).
            errors.append(FieldError("parent_id", "no such comment on this file", "unknown_comment", "F2"))
        elif parent.parent_id is not None:
            errors.append(FieldError("parent_id", "reply to the first comment of the thread", "nested_reply", "F2"))
        if anchor is not None and (anchor.point is not None or anchor.timestamp is not None):
            errors.append(FieldError("anchor", "a reply is about its thread's anchor and has none of its own",
                                     "anchor_on_reply", "F2"))
    else:
        errors += anchor_errors(target.content_type, anchor, target.duration_seconds)
    if errors:
        w2 = any(e.rule == "W2" for e in errors)
        raise InvalidInput("The comment contains contact details." if w2 else "The comment is invalid.",
                           code="contact_details" if w2 else "invalid_comment",
                           rule="W2" if w2 else errors[0].rule, fields=errors)
    hidden = author_kind is Viewpoint.INVITEE or bool(parent and parent.hidden_from_seller)
    return Comment(id=new_id("cmt"), order_id=target.order_id, file_id=target.file_id, author_kind=author_kind,
                   author_id=author_id, text=text, created_at=now, anchor=None if parent_id else anchor,
                   parent_id=parent_id, hidden_from_seller=hidden)


# ---------------------------------------------------------------------------------------------
# Invitations (F3)
# ---------------------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    """What is stored of a link's secret: its SHA-256 (the secret has 256 random bits, so no salt
    or slow hash is needed to make guessing hopeless)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > EMAIL_MAX or not _EMAIL.match(value):
        raise InvalidInput("The e-mail address is invalid.", code="invalid_email", rule="F3",
                           fields=[FieldError("email", "an e-mail address like name@example.com", "invalid_email",
                                              "F3")])
    return value


@dataclass(frozen=True)
class Invitation:
    id: str
    order_id: str
    email: str
    token_hash: str
    invited_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "active" if now < self.expires_at else "expired"

    def revoke(self, now: datetime) -> Invitation:
        """Revoking twice changes nothing (the first time stands)."""
        return self if self.revoked_at is not None else replace(self, revoked_at=now)


def invite(order_id: str, order_state: OrderState, buyer_id: str, email: str,
           existing: list[Invitation], now: datetime) -> tuple[Invitation, str]:
    """F3: the buyer invites an address while the order is active; one usable invitation per
    address; at most INVITATIONS_MAX usable per order. Returns the invitation and its secret
    token, which only the caller ever sees."""
    address = normalize_email(email)
    if order_state not in ACTIVE:
        raise Conflict(f"The order is {order_state}; invitations are for active orders.",
                       code="order_not_active", rule="F3")
    usable = [i for i in existing if i.is_usable(now)]
    if any(i.email == address for i in usable):
        raise Conflict("This address already has a working invitation; revoke it to send a new link.",
                       code="already_invited", rule="F3")
    if len(usable) >= INVITATIONS_MAX:
        raise Conflict(f"At most {INVITATIONS_MAX} working invitations per order.", code="too_many_invitations",
                       rule="F3")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(id=new_id("inv"), order_id=order_id, email=address, token_hash=hash_token(token),
                            invited_by=buyer_id, created_at=now, expires_at=now + INVITATION_LIFETIME)
    return invitation, token


def usable_or_404(invitation: Invitation | None, now: datetime) -> Invitation:
    """F3: an unknown, revoked or expired link answers the same 404."""
    if invitation is None or not invitation.is_usable(now):
        raise NotFound("No such link.")
    return invitation


# ---------------------------------------------------------------------------------------------
# Invitation e-mail (F3) and the per-buyer rate limit
# ---------------------------------------------------------------------------------------------
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def invitation_window(now: datetime) -> tuple[datetime, datetime]:
    """The fixed window ``now`` falls in: [start, end). [decision] Fixed windows keep the limit
    one counter per buyer and window; at a window's edge a buyer may send up to twice the limit
    within a short span, which is still far from mass mailing."""
    n = (now - _EPOCH) // INVITATION_WINDOW
    start = _EPOCH + n * INVITATION_WINDOW
    return start, start + INVITATION_WINDOW


def check_invitation_rate(sent_in_window: int, now: datetime) -> None:
    """F3 [decision]: at most INVITATIONS_PER_WINDOW invitations per buyer per window (each sends an
    e-mail to an address the platform does not know: the limit keeps it from being a spam relay)."""
    if sent_in_window >= INVITATIONS_PER_WINDOW:
        _, end = invitation_window(now)
        raise RateLimited(f"At most {INVITATIONS_PER_WINDOW} invitations per {_hours(INVITATION_WINDOW)} hours; "
                          f"try again after {end.strftime('%Y-%m-%dT%H:%M:%SZ')}.", code="rate_limited", rule="F3",
                          retry_after_seconds=max(1, math.ceil((end - now).total_seconds())))


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def invitation_email(buyer_name: str, order_title: str, order_number: str, link: str,
                     expires_at: datetime) -> Message:
    """F3: what the invitee receives: who invites them, to which order, the link and until when it
    works."""
    title = " ".join(order_title.split())
    subject = f"{buyer_name} invited you to review files of “{title}”"
    if len(subject) > INVITATION_SUBJECT_MAX:
        subject = subject[: INVITATION_SUBJECT_MAX - 1].rstrip() + "…"
    body = (f"{buyer_name} invited you to look at and comment on the seller's files of the order "
            f"“{title}” ({order_number}).\n\n"
            f"Open them here: {link}\n\n"
            f"The link works until {expires_at.strftime('%Y-%m-%d %H:%M UTC')} unless {buyer_name} revokes it. "
            "Anyone who has the link can open it, so do not pass it on.\n\n"
            "You get this e-mail because a buyer on the marketplace entered your address.")
    return Message(title=subject, body=body)

"""Collaboration use cases (F2, F3): an order's files with their comments, for the parties
(signed in) and for invitees (by the secret link the buyer shared).

Access is resolved once into an ``Access``: the order, how the caller sees it (``Viewpoint``) and
who writes as them (a user id, or the invitation id for an invitee). A stranger, the seller on the
buyer's invitations, an invitee on a buyer's file, and an unknown, revoked or expired link all get
the same 404 as something that does not exist.

Events of a comment (``file.commented``, in the comment's transaction):
- a comment the seller may see goes into the order's stream (the order page's history, O4) and
  notifies the other party;
- a comment hidden from the seller (F3: by an invitee, or a reply in an invitee's thread) goes
  into the file's stream (``file:<id>``, which no order page shows) and notifies the buyer when an
  invitee wrote it. The seller is never a recipient. Invitees have no user id: they are not
  notified (they look at the link).

Invitation events (``invitation.created`` / ``invitation.revoked``) go into the invitation's own
stream with no recipients: the seller never learns of invitations, and no feed shows them.
``invitation.created`` goes through the outbox all the same: its reaction, ``InvitationMailer``,
e-mails the link to the invitee (F3) through the notifications' e-mail sender. The token travels
in the event's SECRET data only, which the outbox erases once the e-mail is sent and which no
history, feed or operator list shows; the invitation keeps only its hash. The buyer still sees
the link once in the answer. A buyer sends at most INVITATIONS_PER_WINDOW invitations per window
(a counter updated in the invitation's transaction): the platform must not be a spam relay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.config import settings
from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.clock import Clock
from chalicelib.domain.collaboration import (
    Anchor,
    Comment,
    CommentTarget,
    Invitation,
    Viewpoint,
    check_invitation_rate,
    hash_token,
    invitation_email,
    invitation_window,
    may_see_file,
    new_comment,
    usable_or_404,
)
from chalicelib.domain.collaboration import (
    invite as new_invitation,
)
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.events import SECRET, Actor, Event
from chalicelib.domain.files import StoredFile
from chalicelib.domain.orders import Order
from chalicelib.notify import Undeliverable
from chalicelib.notify.email import EmailSender, SesEmailSender
from chalicelib.observability import logger
from chalicelib.services import files, runtime
from chalicelib.services.reactions import ReactionContext
from chalicelib.services.viewer import Viewer  # noqa: F401  (callers name it from here too)
from chalicelib.store import collaboration as store
from chalicelib.store import events as event_store
from chalicelib.store import files as file_store
from chalicelib.store import orders as order_store
from chalicelib.store import users
from chalicelib.store.orders import OrderItem
from chalicelib.store.records import Record

COMMENTS_ON_PAGE = 50  # [decision] comments a file page carries; the rest via the comments list


@dataclass(frozen=True)
class Access:
    order: Order
    order_item: OrderItem
    viewpoint: Viewpoint
    author_id: str  # user id; invitation id for invitees
    invitation: Invitation | None = None

    @property
    def target(self) -> str:
        return f"order:{self.order.id}"


def as_party(order_id: str, viewer: Viewer) -> Access:
    """The buyer, the seller, or an operator (read only); anyone else 404."""
    record = order_store.get(order_id)
    if record is None:
        raise NotFound("No such order.")
    order = record.value
    if viewer.user_id == order.buyer_id:
        viewpoint = Viewpoint.BUYER
    elif viewer.user_id == order.seller_id:
        viewpoint = Viewpoint.SELLER
    elif viewer.is_operator:
        viewpoint = Viewpoint.OPERATOR
    else:
        raise NotFound("No such order.")
    return Access(order, record.item, viewpoint, viewer.user_id)


def as_invitee(token: str, clock: Clock) -> Access:
    """F3: the link's invitation must exist, be unrevoked and unexpired (404 otherwise)."""
    invitation = usable_or_404(store.by_token_hash(hash_token(token)) if token else None, clock.now())
    record = order_store.get(invitation.order_id)
    if record is None:
        raise NotFound("No such link.")
    return Access(record.value, record.item, Viewpoint.INVITEE, invitation.id, invitation)


def _file(access: Access, file_id: str) -> Record[StoredFile]:
    found = file_store.get(file_id)
    if (found is None or found.value.attached_to != access.target
            or not may_see_file(access.viewpoint, found.value.owner_id == access.order.seller_id)):
        raise NotFound("No such file.")
    return found


# -- files -----------------------------------------------------------------------------------
def list_files(access: Access, limit: int, cursor: str | None) -> tuple[list[StoredFile], str | None]:
    """The order's files the caller may see (F3: invitees only the seller's), oldest first."""
    owner = access.order.seller_id if access.viewpoint is Viewpoint.INVITEE else None
    return file_store.page_attached(access.target, limit, cursor, owner_id=owner)


@dataclass(frozen=True)
class FilePage:
    file: StoredFile
    comments: list[Comment]
    next_cursor: str | None
    download: files.Download | None  # only for a clean file


def file_page(access: Access, file_id: str, clock: Clock) -> FilePage:
    """F2: what the file's shareable link shows: the file, the comments the caller may see, and a
    short-lived download link when the file is clean."""
    f = _file(access, file_id).value
    comments, cursor = comments_of(access, file_id, COMMENTS_ON_PAGE, None)
    return FilePage(f, comments, cursor, files.serve(f, clock) if f.is_clean else None)


def download(access: Access, file_id: str, clock: Clock) -> files.Download:
    """F1 rules: pending 409, blocked 403."""
    return files.serve(_file(access, file_id).value, clock)


# -- comments --------------------------------------------------------------------------------
def comments_of(access: Access, file_id: str, limit: int, cursor: str | None) -> tuple[list[Comment], str | None]:
    _file(access, file_id)
    return store.comments_page(file_id, limit, cursor, include_hidden=access.viewpoint is not Viewpoint.SELLER)


def post_comment(access: Access, file_id: str, text: str, anchor: Anchor | None, parent_id: str | None,
                 clock: Clock) -> Comment:
    """F2/F3/W2: one comment and its event in one transaction, conditioned on the order and the
    file being as read (a delivery accepted or a verdict changed meanwhile is a 409)."""
    now = clock.now()
    record = _file(access, file_id)
    f = record.value
    target = CommentTarget(order_id=access.order.id, order_state=access.order.state, file_id=f.id,
                           content_type=f.content_type, file_state=f.state,
                           duration_seconds=f.media.duration_seconds if f.media else None)
    parent = store.get_comment(file_id, parent_id) if parent_id else None
    comment = new_comment(target, access.viewpoint, access.author_id, text, anchor, parent_id, parent, now)
    uow = runtime.current().unit_of_work()
    store.stage_comment(uow, comment)
    uow.check(access.order_item, OrderItem.version == access.order_item.version)
    file_store.stage_check(uow, record)
    event_store.stage(uow, _comment_event(access, f, comment, now))
    uow.commit()
    return comment


_ROLES = {Viewpoint.BUYER: Actor.BUYER, Viewpoint.SELLER: Actor.SELLER}


def _comment_event(access: Access, f: StoredFile, comment: Comment, now: datetime) -> Event:
    order = access.order
    data = {"order_id": order.id, "file_id": f.id, "comment_id": comment.id, "parent_id": comment.parent_id,
            "author_kind": comment.author_kind.value}
    if not comment.hidden_from_seller:
        other = order.seller_id if comment.author_kind is Viewpoint.BUYER else order.buyer_id
        who = "The buyer" if comment.author_kind is Viewpoint.BUYER else "The seller"
        return Event.new("file.commented", f"order:{order.id}", now, _ROLES[comment.author_kind], comment.author_id,
                         f"{who} commented on {f.name}: {comment.preview}", recipients=(other,),
                         notification=NotificationKind.FILE_COMMENT, data=data)
    # F3: never in the order's stream, never to the seller.
    if comment.author_kind is Viewpoint.INVITEE:
        assert access.invitation is not None
        return Event.new("file.commented", f"file:{f.id}", now, Actor.SYSTEM, None,
                         f"{access.invitation.email} commented on {f.name} (order {order.number}): {comment.preview}",
                         recipients=(order.buyer_id,), notification=NotificationKind.FILE_COMMENT,
                         data={**data, "invitation_id": access.invitation.id})
    return Event.new("file.commented", f"file:{f.id}", now, _ROLES[comment.author_kind], comment.author_id,
                     f"Reply on {f.name} for the invited reviewers: {comment.preview}", data=data)


# -- invitations (F3) ------------------------------------------------------------------------
def _buyer(order_id: str, viewer: Viewer, *, operators_read: bool = False) -> Access:
    """Invitations are the buyer's: the seller gets the same 404 as a stranger (they never learn
    of them); operators may read them, not change them."""
    access = as_party(order_id, viewer)
    if access.viewpoint is Viewpoint.OPERATOR:
        if operators_read:
            return access
        raise Forbidden("Operators read invitations; they do not change them.", code="operators_read_only",
                        rule="F3")
    if access.viewpoint is not Viewpoint.BUYER:
        raise NotFound("No such order.")
    return access


def invite(order_id: str, viewer: Viewer, email: str, clock: Clock,
           buyer_name: str | None = None) -> tuple[Invitation, str]:
    """F3: returns the invitation and the secret token (shown this once, never stored but in the
    e-mail's pending event). Counts against the buyer's limit (429 ``rate_limited``, nothing
    written). ``buyer_name`` is how the e-mail names the buyer (the signed-in username; else the
    profile's)."""
    access = _buyer(order_id, viewer)
    now = clock.now()
    window_start, window_end = invitation_window(now)
    sent = store.invitations_sent(viewer.user_id, window_start)
    check_invitation_rate(sent, now)
    invitation, token = new_invitation(order_id, access.order.state, viewer.user_id, email,
                                       store.invitations_of(order_id), now)
    if not buyer_name:
        buyer = users.get(viewer.user_id)
        buyer_name = buyer.value.username if buyer else "A buyer"
    data = {"order_id": order_id, "email": invitation.email, "invitation_id": invitation.id,
            "buyer_name": buyer_name,
            "order_title": access.order.gig_title, "order_number": access.order.number,
            SECRET: {"token": token}}
    uow = runtime.current().unit_of_work()
    store.stage_invitation(uow, store.new_invitation_record(invitation), invitation)
    store.stage_count_invitation(uow, viewer.user_id, window_start, window_end, sent)
    event_store.stage(uow, Event.new("invitation.created", f"invitation:{invitation.id}", now, Actor.BUYER,
                                     viewer.user_id, f"{invitation.email} was invited to review the seller's files",
                                     data=data, outbox=True))
    uow.commit()
    return invitation, token


def invitation_link(token: str) -> str:
    return f"{settings().public_base_url.rstrip('/')}/shared/{token}/files"


class InvitationMailer:
    """The reaction to ``invitation.created`` (F3): e-mails the link to the invited address, with
    the buyer's name, the order's title and the link's expiry. Nothing is sent for an invitation
    revoked or expired before its e-mail went out, nor once the token was erased (sent before)."""

    def __init__(self, email: EmailSender | None = None) -> None:
        self._email = email

    @property
    def email(self) -> EmailSender:
        if self._email is None:
            self._email = SesEmailSender()
        return self._email

    def __call__(self, event: Event, context: ReactionContext) -> bool:
        token = (event.data.get(SECRET) or {}).get("token")
        if not token:
            return True
        record = store.get_invitation(event.data["order_id"], event.data["invitation_id"])
        if record is None or not record.value.is_usable(context.clock.now()):
            logger.info("invitation e-mail not sent: the invitation is no longer usable",
                        extra={"event_id": event.id, "invitation_id": event.data["invitation_id"]})
            return True
        invitation = record.value
        message = invitation_email(event.data["buyer_name"], event.data["order_title"], event.data["order_number"],
                                   invitation_link(token), invitation.expires_at)
        try:
            self.email.send(invitation.email, message)
        except Undeliverable as refused:
            logger.warning("invitation e-mail undeliverable", extra={"event_id": event.id, "reason": str(refused)})
            context.report.undeliverable += 1
            return True
        context.report.emails += 1
        return True


def invitations(order_id: str, viewer: Viewer, limit: int, cursor: str | None) -> tuple[list[Invitation], str | None]:
    _buyer(order_id, viewer, operators_read=True)
    return store.invitations_page(order_id, limit, cursor)


def revoke(order_id: str, viewer: Viewer, invitation_id: str, clock: Clock) -> None:
    """F3: the link stops working at once (404); revoking twice is fine."""
    _buyer(order_id, viewer)
    record = store.get_invitation(order_id, invitation_id)
    if record is None:
        raise NotFound("No such invitation.")
    if record.value.revoked_at is not None:
        return
    now = clock.now()
    uow = runtime.current().unit_of_work()
    store.stage_invitation(uow, record, record.value.revoke(now))
    event_store.stage(uow, Event.new("invitation.revoked", f"invitation:{invitation_id}", now, Actor.BUYER,
                                     viewer.user_id, f"The invitation of {record.value.email} was revoked",
                                     data={"order_id": order_id}))
    uow.commit()

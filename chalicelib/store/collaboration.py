"""Comments on files and invitations to review them (F2, F3). Keys (docs/data-model.md):

    file comment        FILE#<file id>        COMMENT#<comment id>
                        gsi1: FILE_COMMENTS#<file id> / <created>#<comment id>   (oldest first)
    invitation          ORDER#<order id>      INVITATION#<invitation id>   (version)
    invitation token    INVITE#<token hash>   INVITE                       → order id, invitation id

A comment is read by id (a reply's parent) and listed in time order through gsi1; ``audience``
("all" or "buyer_side") lets the seller's listing filter out what F3 hides from them. A link is
resolved by the hash of its secret with two gets (the token item, then the invitation), never a
scan; the invitation lives in its order's partition so the buyer's list and revocations are
strongly consistent. (``INVITATION#`` sorts before ``ORDER``, so the order's own query, which
reads ``sk >= ORDER``, never sees invitations.)"""
from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.collaboration import Comment, Invitation
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork

ALL, BUYER_SIDE = "all", "buyer_side"


class CommentItem(TableItem, discriminator="file_comment"):
    order_id = UnicodeAttribute()
    audience = UnicodeAttribute()  # all | buyer_side (F3: never the seller)
    data = JSONAttribute()


class InvitationItem(TableItem, discriminator="order_invitation"):
    version = VersionAttribute()
    data = JSONAttribute()


class InvitationTokenItem(TableItem, discriminator="invitation_token"):
    order_id = UnicodeAttribute()
    invitation_id = UnicodeAttribute()


# -- comments --------------------------------------------------------------------------------
class InvitationQuotaItem(TableItem, discriminator="invitation_quota"):
    """F3: how many invitations a buyer sent in one window; expires after the window."""

    sent = NumberAttribute(default=0)


def _comments_partition(file_id: str) -> str:
    return f"FILE_COMMENTS#{file_id}"


def stage_comment(uow: UnitOfWork, comment: Comment) -> None:
    item = CommentItem(f"FILE#{comment.file_id}", f"COMMENT#{comment.id}")
    item.order_id = comment.order_id
    item.audience = BUYER_SIDE if comment.hidden_from_seller else ALL
    item.gsi1pk = _comments_partition(comment.file_id)
    item.gsi1sk = f"{iso(comment.created_at)}#{comment.id}"
    item.data = to_primitive(comment)
    uow.save(item, condition=CommentItem.pk.does_not_exist())


def get_comment(file_id: str, comment_id: str) -> Comment | None:
    try:
        item = CommentItem.get(f"FILE#{file_id}", f"COMMENT#{comment_id}", consistent_read=True)
    except CommentItem.DoesNotExist:
        return None
    return from_primitive(Comment, item.data)


def comments_page(file_id: str, limit: int, cursor: str | None,
                  include_hidden: bool) -> tuple[list[Comment], str | None]:
    """A file's comments, oldest first; without what is hidden from the seller unless asked."""
    pk = _comments_partition(file_id)
    start = cursors.decode(cursor, expect={"gsi1pk": pk})
    result = CommentItem.gsi1.query(pk, limit=limit, last_evaluated_key=start,
                                    filter_condition=None if include_hidden else CommentItem.audience == ALL)
    return [from_primitive(Comment, i.data) for i in result], cursors.encode(result.last_evaluated_key)


# -- invitations -----------------------------------------------------------------------------
def _invitation_key(order_id: str, invitation_id: str) -> tuple[str, str]:
    return f"ORDER#{order_id}", f"INVITATION#{invitation_id}"


def _token_key(token_hash: str) -> tuple[str, str]:
    return f"INVITE#{token_hash}", "INVITE"


def get_invitation(order_id: str, invitation_id: str) -> Record[Invitation, InvitationItem] | None:
    try:
        item = InvitationItem.get(*_invitation_key(order_id, invitation_id), consistent_read=True)
    except InvitationItem.DoesNotExist:
        return None
    return Record(from_primitive(Invitation, item.data), item)


def by_token_hash(token_hash: str) -> Invitation | None:
    try:
        pointer = InvitationTokenItem.get(*_token_key(token_hash), consistent_read=True)
    except InvitationTokenItem.DoesNotExist:
        return None
    found = get_invitation(pointer.order_id, pointer.invitation_id)
    return found.value if found and found.value.token_hash == token_hash else None


def invitations_of(order_id: str) -> list[Invitation]:
    """Every invitation of an order (a few: the domain caps the usable ones)."""
    items = InvitationItem.query(f"ORDER#{order_id}", InvitationItem.sk.startswith("INVITATION#"),
                                 consistent_read=True)
    return [from_primitive(Invitation, i.data) for i in items]


def invitations_page(order_id: str, limit: int, cursor: str | None) -> tuple[list[Invitation], str | None]:
    pk = f"ORDER#{order_id}"
    start = cursors.decode(cursor, expect={"pk": pk})
    result = InvitationItem.query(pk, InvitationItem.sk.startswith("INVITATION#"), limit=limit,
                                  last_evaluated_key=start, consistent_read=True)
    return [from_primitive(Invitation, i.data) for i in result], cursors.encode(result.last_evaluated_key)


def new_invitation_record(invitation: Invitation) -> Record[Invitation, InvitationItem]:
    return Record(invitation, InvitationItem(*_invitation_key(invitation.order_id, invitation.id)))


def stage_invitation(uow: UnitOfWork, record: Record[Invitation, InvitationItem], invitation: Invitation) -> None:
    """Saves the invitation (version-checked); a new one also gets its token item."""
    is_new = record.item.version is None
    record.item.data = to_primitive(invitation)
    record.value = invitation
    uow.save(record.item)
    if is_new:
        pointer = InvitationTokenItem(*_token_key(invitation.token_hash))
        pointer.order_id, pointer.invitation_id = invitation.order_id, invitation.id
        uow.save(pointer, condition=InvitationTokenItem.pk.does_not_exist())


# -- the per-buyer invitation limit (F3) -------------------------------------------------------
# [decision] a window's counter outlives the window by a day, then DynamoDB's TTL removes it.
QUOTA_KEPT_AFTER_WINDOW = timedelta(days=1)


def _quota_key(buyer_id: str, window_start: datetime) -> tuple[str, str]:
    return f"USER#{buyer_id}", f"INVITE_QUOTA#{iso(window_start)}"


def invitations_sent(buyer_id: str, window_start: datetime) -> int:
    try:
        return int(InvitationQuotaItem.get(*_quota_key(buyer_id, window_start), consistent_read=True).sent)
    except InvitationQuotaItem.DoesNotExist:
        return 0


def stage_count_invitation(uow: UnitOfWork, buyer_id: str, window_start: datetime, window_end: datetime,
                           read: int) -> None:
    """Counts one invitation in the buyer's window, in the invitation's transaction, on the count
    read: a concurrent invitation makes one of the two transactions fail (409), so the limit holds."""
    item = InvitationQuotaItem(*_quota_key(buyer_id, window_start))
    condition = InvitationQuotaItem.pk.does_not_exist() if read == 0 else InvitationQuotaItem.sent == read
    uow.update(item, actions=[InvitationQuotaItem.sent.add(1),
                              InvitationQuotaItem.item_type.set(InvitationQuotaItem),
                              InvitationQuotaItem.expires_at.set(window_end + QUOTA_KEPT_AFTER_WINDOW)],
               condition=condition)

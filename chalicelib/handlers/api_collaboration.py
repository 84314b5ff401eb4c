"""Collaboration on an order's files (F2, F3): the order's files, each file's shareable page,
anchored comments and replies, the buyer's invitations, and the invitees' link routes
(``/shared/{token}/...``, public: the secret in the path is the credential). Thin: each view
resolves who calls, calls one service function and shapes the answer."""
from __future__ import annotations

from chalicelib.domain.codec import to_primitive
from chalicelib.domain.collaboration import Anchor, Comment, Invitation, Point, Viewpoint, is_commentable_type
from chalicelib.domain.files import StoredFile
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas import PageQuery
from chalicelib.handlers.schemas.collaboration import (
    CommentIn,
    CommentOut,
    CommentPage,
    FilePageOut,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    InvitationPage,
    OrderFileOut,
    OrderFilePage,
)
from chalicelib.handlers.schemas.files import DownloadOut
from chalicelib.services import collaboration as collab
from chalicelib.services import runtime

api = Api(__name__, tag="collaboration")


def _party(call: Call, order_id: str) -> collab.Access:
    return collab.as_party(order_id, collab.Viewer(call.user.user_id, call.user.is_operator))


def _invitee(token: str) -> collab.Access:
    return collab.as_invitee(token, runtime.clock())


def _link(access: collab.Access, file_id: str, token: str | None) -> str:
    if access.viewpoint is Viewpoint.INVITEE:
        return f"/shared/{token}/files/{file_id}"
    return f"/orders/{access.order.id}/files/{file_id}"


def file_out(access: collab.Access, f: StoredFile, token: str | None = None) -> OrderFileOut:
    return OrderFileOut(id=f.id, name=f.name, content_type=f.content_type, size=f.size, state=f.state.value,
                        purpose=f.purpose.value,
                        uploaded_by="seller" if f.owner_id == access.order.seller_id else "buyer",
                        commentable=is_commentable_type(f.content_type),
                        duration_seconds=f.media.duration_seconds if f.media else None,
                        link=_link(access, f.id, token), created_at=f.created_at)


def comment_out(c: Comment) -> CommentOut:
    data = to_primitive(c)
    data["visible_to_seller"] = not data.pop("hidden_from_seller")
    return CommentOut.model_validate(data)


def _anchor(body: CommentIn) -> Anchor | None:
    a = body.anchor
    if a is None:
        return None
    return Anchor(point=Point(a.point.x, a.point.y) if a.point else None, timestamp=a.timestamp)


def _files(access: collab.Access, query, token: str | None = None) -> OrderFilePage:
    items, cursor = collab.list_files(access, query.limit, query.cursor)
    return OrderFilePage(items=[file_out(access, f, token) for f in items], next_cursor=cursor)


def _page(access: collab.Access, file_id: str, token: str | None = None) -> FilePageOut:
    page = collab.file_page(access, file_id, runtime.clock())
    download = DownloadOut(url=page.download.url, expires_at=page.download.expires_at) if page.download else None
    return FilePageOut(file=file_out(access, page.file, token), comments=[comment_out(c) for c in page.comments],
                       comments_next_cursor=page.next_cursor, download=download)


def _comments(access: collab.Access, file_id: str, query) -> CommentPage:
    items, cursor = collab.comments_of(access, file_id, query.limit, query.cursor)
    return CommentPage(items=[comment_out(c) for c in items], next_cursor=cursor)


def _post(access: collab.Access, file_id: str, body: CommentIn) -> CommentOut:
    return comment_out(collab.post_comment(access, file_id, body.text, _anchor(body), body.parent_id,
                                           runtime.clock()))


def invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(id=i.id, order_id=i.order_id, email=i.email, status=i.status(runtime.clock().now()),
                         created_at=i.created_at, expires_at=i.expires_at, revoked_at=i.revoked_at)


# -- the parties -------------------------------------------------------------------------------
@api.route("/orders/{order_id}/files", "GET", summary="The order's files with their scan state (F1, F2)",
           query=PageQuery, response=OrderFilePage)
def order_files(call: Call, order_id: str) -> OrderFilePage:
    return _files(_party(call, order_id), call.query)


@api.route("/orders/{order_id}/files/{file_id}", "GET",
           summary="A file's shareable page: the file, its comments, a download link when clean (F2)",
           response=FilePageOut)
def order_file(call: Call, order_id: str, file_id: str) -> FilePageOut:
    return _page(_party(call, order_id), file_id)


@api.route("/orders/{order_id}/files/{file_id}/comments", "GET",
           summary="Comments on a file, oldest first; the seller never sees invitees' threads (F2, F3)",
           query=PageQuery, response=CommentPage)
def order_file_comments(call: Call, order_id: str, file_id: str) -> CommentPage:
    return _comments(_party(call, order_id), file_id, call.query)


@api.route("/orders/{order_id}/files/{file_id}/comments", "POST",
           summary="Comment on an image (a point) or audio/video (a timestamp), or reply (F2, W2)",
           request=CommentIn, response=CommentOut,
           location="/orders/{order_id}/files/{file_id}/comments", status=201, idempotent=True)
def comment_on_order_file(call: Call, order_id: str, file_id: str) -> CommentOut:
    return _post(_party(call, order_id), file_id, call.body)


# -- the buyer's invitations -------------------------------------------------------------------------
@api.route("/orders/{order_id}/invitations", "POST",
           summary="Invite an e-mail address to review the seller's files; the link is shown once (F3)",
           request=InvitationIn, response=InvitationCreatedOut, status=201, idempotent=True,
           rate_limited=True)
def create_invitation(call: Call, order_id: str) -> InvitationCreatedOut:
    invitation, token = collab.invite(order_id, collab.Viewer(call.user.user_id, call.user.is_operator),
                                      call.body.email, runtime.clock(), buyer_name=call.user.username)
    return InvitationCreatedOut(**invitation_out(invitation).model_dump(), token=token,
                                link=f"/shared/{token}/files")


@api.route("/orders/{order_id}/invitations", "GET", summary="The buyer's invitations of the order (F3)",
           query=PageQuery, response=InvitationPage)
def list_invitations(call: Call, order_id: str) -> InvitationPage:
    items, cursor = collab.invitations(order_id, collab.Viewer(call.user.user_id, call.user.is_operator),
                                       call.query.limit, call.query.cursor)
    return InvitationPage(items=[invitation_out(i) for i in items], next_cursor=cursor)


@api.route("/orders/{order_id}/invitations/{invitation_id}", "DELETE",
           summary="Revoke an invitation: its link answers 404 from now on (F3)", status=204)
def revoke_invitation(call: Call, order_id: str, invitation_id: str) -> None:
    collab.revoke(order_id, collab.Viewer(call.user.user_id, call.user.is_operator), invitation_id,
                  runtime.clock())


# -- invitees, by link ---------------------------------------------------------------------------------
@api.route("/shared/{token}/files", "GET", summary="Invitee: the seller's files of the order (F3)",
           query=PageQuery, response=OrderFilePage, public=True)
def shared_files(call: Call, token: str) -> OrderFilePage:
    return _files(_invitee(token), call.query, token)


@api.route("/shared/{token}/files/{file_id}", "GET", summary="Invitee: a seller's file, its comments, a download "
           "link when clean (F2, F3)", response=FilePageOut, public=True)
def shared_file(call: Call, token: str, file_id: str) -> FilePageOut:
    return _page(_invitee(token), file_id, token)


@api.route("/shared/{token}/files/{file_id}/download", "GET",
           summary="Invitee: a short-lived link to a clean seller's file (F1, F3)", response=DownloadOut, public=True)
def shared_download(call: Call, token: str, file_id: str) -> DownloadOut:
    found = collab.download(_invitee(token), file_id, runtime.clock())
    return DownloadOut(url=found.url, expires_at=found.expires_at)


@api.route("/shared/{token}/files/{file_id}/comments", "GET",
           summary="Invitee: comments on a seller's file, oldest first (F3)", query=PageQuery,
           response=CommentPage, public=True)
def shared_comments(call: Call, token: str, file_id: str) -> CommentPage:
    return _comments(_invitee(token), file_id, call.query)


@api.route("/shared/{token}/files/{file_id}/comments", "POST",
           summary="Invitee: comment on a seller's file; the buyer sees it, the seller never (F2, F3, W2)",
           request=CommentIn, response=CommentOut,
           location="/shared/{token}/files/{file_id}/comments", status=201, public=True)
def shared_comment(call: Call, token: str, file_id: str) -> CommentOut:
    """Not idempotent by key: public callers share one key space."""
    return _post(_invitee(token), file_id, call.body)

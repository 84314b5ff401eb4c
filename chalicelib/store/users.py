"""Users: one item each, read by key.

Within one request the pipeline may read the caller's user for the W1 standing check
(``read_for_request``); a service of that request reading the same user again gets that read
(a fresh item with the same version) instead of a second GetItem. Saving the user forgets it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from chalicelib.domain.accounts import User
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.store.models import UserItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def _key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


# user id -> the raw item read in this request (None: read, and there is none)
_request_reads: ContextVar[dict[str, dict[str, Any] | None] | None] = ContextVar("user_reads", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Reads of users inside are remembered for the rest of the block (one request)."""
    token = _request_reads.set({})
    try:
        yield
    finally:
        _request_reads.reset(token)


def get(user_id: str) -> Record[User, UserItem] | None:
    reads = _request_reads.get()
    if reads is not None and user_id in reads:
        raw = reads[user_id]
        if raw is None:
            return None
        item = UserItem.from_raw_data(raw)
        return Record(from_primitive(User, item.data), item)
    try:
        item = UserItem.get(*_key(user_id), consistent_read=True)
    except UserItem.DoesNotExist:
        if reads is not None:
            reads[user_id] = None
        return None
    if reads is not None:
        reads[user_id] = item.serialize()
    return Record(from_primitive(User, item.data), item)


def _forget(user_id: str) -> None:
    reads = _request_reads.get()
    if reads is not None:
        reads.pop(user_id, None)


def get_many(user_ids: list[str]) -> dict[str, User]:
    """Users by id (missing ids are absent): one BatchGetItem for up to 100."""
    keys = list(dict.fromkeys(user_ids))
    if not keys:
        return {}
    users = (from_primitive(User, item.data) for item in UserItem.batch_get([_key(i) for i in keys]))
    return {u.id: u for u in users}


def get_or_new(user_id: str, username: str, email: str | None, now: datetime) -> Record[User, UserItem]:
    """A1: any registered user can buy; the profile item is made on the first write."""
    found = get(user_id)
    if found:
        return found
    pk, sk = _key(user_id)
    return Record(User(id=user_id, username=username, email=email, created_at=now), UserItem(pk, sk))


def stage_save(uow: UnitOfWork, record: Record[User, UserItem], user: User) -> None:
    record.item.data = to_primitive(user)
    record.value = user
    _forget(user.id)
    uow.save(record.item)

"""Users: one item each, read by key."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import User
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.store.models import UserItem
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def _key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


def get(user_id: str) -> Record[User, UserItem] | None:
    try:
        item = UserItem.get(*_key(user_id), consistent_read=True)
    except UserItem.DoesNotExist:
        return None
    return Record(from_primitive(User, item.data), item)


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
    uow.save(record.item)

"""My contacts (O19) and blocking buyers (O17), on the seller–buyer relationship items."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import NotFound
from chalicelib.domain.relationships import Relationship
from chalicelib.services import runtime
from chalicelib.store import contacts as contact_store
from chalicelib.store import relationships as relationship_store


def block(seller_id: str, buyer_id: str, clock: Clock) -> Relationship:
    """O17: only a buyer who ordered before, not while an order of theirs is active. Blocking a
    blocked buyer again changes nothing (PUT)."""
    record = relationship_store.get_or_new(seller_id, buyer_id)
    rel = record.value
    if rel.blocked:
        return rel
    now = clock.now()
    rel.block(now)
    uow = runtime.current().unit_of_work()
    relationship_store.stage_save(uow, record)
    contact_store.stage_blocked(uow, seller_id, buyer_id, now)
    uow.commit()
    return rel


def unblock(seller_id: str, buyer_id: str, clock: Clock) -> Relationship:
    record = relationship_store.get(seller_id, buyer_id)
    if record is None or not record.value.blocked:
        raise NotFound("This buyer is not on your blocked list.")
    record.value.unblock(clock.now())
    uow = runtime.current().unit_of_work()
    relationship_store.stage_save(uow, record)
    contact_store.stage_unblocked(uow, seller_id, buyer_id)
    uow.commit()
    return record.value


def blocked_buyers(seller_id: str, limit: int, cursor: str | None) -> tuple[list[tuple[str, datetime]], str | None]:
    return contact_store.blocked_page(seller_id, limit, cursor)


def contacts(user_id: str, side: str, limit: int, cursor: str | None) -> tuple[list[Relationship], str | None]:
    """O19: the caller's counterparts as a seller (their buyers) or as a buyer (their sellers),
    most recent activity first."""
    return contact_store.page(user_id, side, limit, cursor)

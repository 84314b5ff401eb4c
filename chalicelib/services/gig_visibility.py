"""A4 and W1 applied to gigs: while the seller is unavailable (away, A4; suspended or blocked,
W1) their published gigs are paused by the system (and so unlisted and take no orders); when the
seller takes work again, exactly those gigs are listed again. The one place that decides it."""
from __future__ import annotations

from datetime import datetime

from chalicelib.domain.accounts import User
from chalicelib.domain.gigs import Gig, GigState, PauseReason
from chalicelib.store import gigs as gig_store
from chalicelib.store.records import Record
from chalicelib.store.unit_of_work import UnitOfWork


def stage_reconcile(uow: UnitOfWork, seller: User, gigs: list[Record[Gig]], now: datetime) -> None:
    available = seller.takes_work(now)
    for record in gigs:
        gig = record.value
        if not available and gig.state == GigState.PUBLISHED:
            gig_store.stage_save(uow, record, gig.apply("hide", "system", now))
        elif available and gig.state == GigState.PAUSED and gig.pause_reason == PauseReason.AVAILABILITY:
            gig_store.stage_save(uow, record, gig.apply("unhide", "system", now))

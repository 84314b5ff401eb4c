"""Item types of the single table. Keys (see docs/data-model.md):

    user        USER#<user id>             PROFILE
    category    CATALOGUE                  CATEGORY#<slug>
    gig         GIG#<gig id>               GIG             gsi1: SELLER#<seller id> / GIG#<created>#<id>
    listing     LISTING#<facet>            <price:012d>#<gig id>     (facet: all, cat:x, sub:x/y, tag:t)
    deadline    DEADLINE#<kind>#<subject>  DEADLINE        due: DUE#<shard> / <due at>#<kind>#<subject>

Aggregates keep their contents in ``data`` (the domain codec's primitive form); the attributes
beside it are what keys, indexes, conditions and filters need.

Aggregates carry a ``version``: every save and delete is conditioned on the version read
(optimistic locking). Listings are projections rewritten with their gig, so they carry none."""
from __future__ import annotations

from typing import cast

from pynamodb.attributes import JSONAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.store.table import TableItem


class UserItem(TableItem, discriminator="user"):
    version = VersionAttribute()
    data = JSONAttribute()


class CategoryItem(TableItem, discriminator="category"):
    version = VersionAttribute()
    data = JSONAttribute()


class GigItem(TableItem, discriminator="gig"):
    version = VersionAttribute()
    seller_id = UnicodeAttribute()
    state = UnicodeAttribute()
    data = JSONAttribute()


class ListingItem(TableItem, discriminator="listing"):
    """One browse entry of a listed gig under one facet; written and removed with the gig."""

    gig_id = UnicodeAttribute()
    seller_id = UnicodeAttribute()
    category = UnicodeAttribute()
    subcategory = UnicodeAttribute()
    # PynamoDB types a list by its element *attribute* class; the values are str.
    tags = cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute))
    starting_price = NumberAttribute()
    min_delivery_days = NumberAttribute()
    summary = JSONAttribute()


class DeadlineItem(TableItem, discriminator="deadline"):
    version = VersionAttribute()
    kind = UnicodeAttribute()
    subject = UnicodeAttribute()
    ref = UnicodeAttribute()


class EventItem(TableItem, discriminator="event"):
    """A domain event: immutable history; the outbox attributes are removed once dispatched."""

    kind = UnicodeAttribute()
    data = JSONAttribute()
    # Reactions' bookkeeping (domain.reactions.OutboxStatus) once an attempt failed: attempts,
    # next attempt, failed handlers, dead-lettered at, replays. Absent on most events.
    status = JSONAttribute(null=True)


class RelationshipItem(TableItem, discriminator="relationship"):
    version = VersionAttribute()
    data = JSONAttribute()


class DevClockItem(TableItem, discriminator="dev_clock"):
    """The test clock's shift (domain/dev_clock.py): one item, only where the test clock is on."""

    version = VersionAttribute()
    data = JSONAttribute()


class LiveConnectionItem(TableItem, discriminator="live_connection"):
    """An open WebSocket of a user (domain/live.py): ``USER#<id> / LIVE#<connection id>``, found by
    its connection id through gsi1 (``LIVE#<connection id>``) when API Gateway says it closed; the
    TTL removes it once API Gateway would have closed it anyway."""

    user_id = UnicodeAttribute()
    data = JSONAttribute()

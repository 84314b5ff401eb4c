"""The single table. Every item type subclasses ``TableItem``; the GSIs and their key attributes
are declared here, on the base model, as PynamoDB requires for discriminated models.
Access patterns: docs/data-model.md."""
from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.config import settings


class Gsi1(GlobalSecondaryIndex):
    """Secondary lookups: a seller's gigs, a username's user..."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Sparse and sharded: only deadline items carry ``due_shard``; the sweeper queries each
    shard for ``due_at <= now`` and so reads only what is due."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    """A third access path where an item needs two besides its key (an order by buyer and by seller)."""

    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class OutboxIndex(GlobalSecondaryIndex):
    """Sparse and sharded like ``due``: only events not yet dispatched carry ``outbox_shard``;
    the dispatcher drains it and removes the attributes, so the index holds only pending work."""

    class Meta:
        index_name = "outbox"
        projection = AllProjection()

    outbox_shard = UnicodeAttribute(hash_key=True)
    outbox_at = UnicodeAttribute(range_key=True)


class TableItem(Model):
    class Meta:
        table_name = settings().table_name
        region = settings().aws_region

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    outbox_shard = UnicodeAttribute(null=True)
    outbox_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    due = DueIndex()
    outbox = OutboxIndex()


def create_table(wait: bool = True) -> None:
    """Creates the table where it is missing (local runs and tests; CDK owns it in AWS)."""
    if not TableItem.exists():
        TableItem.create_table(billing_mode="PAY_PER_REQUEST", wait=wait)

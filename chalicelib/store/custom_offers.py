"""Custom offers (C1): one item per offer, version-checked, so exactly one of accept, decline,
withdraw and expire commits.

    OFFER#<id> / OFFER      the offer (version)    gsi1 SELLER#<seller> / OFFER#<created>#<id>
                                                   gsi2 BUYER#<buyer>   / OFFER#<created>#<id>

Its expiry is a ``DeadlineItem`` (kind ``custom_offer_expiry``, subject and ref the offer id) in
the due index (store/deadlines.py)."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.domain.clock import iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.custom_offers import CustomOffer, OfferState
from chalicelib.store import cursors
from chalicelib.store.records import Record
from chalicelib.store.table import TableItem
from chalicelib.store.unit_of_work import UnitOfWork


class CustomOfferItem(TableItem, discriminator="custom_offer"):
    version = VersionAttribute()
    state = UnicodeAttribute()
    data = JSONAttribute()


def _key(offer_id: str) -> tuple[str, str]:
    return f"OFFER#{offer_id}", "OFFER"


def get(offer_id: str) -> Record[CustomOffer, CustomOfferItem] | None:
    try:
        item = CustomOfferItem.get(*_key(offer_id), consistent_read=True)
    except CustomOfferItem.DoesNotExist:
        return None
    return Record(from_primitive(CustomOffer, item.data), item)


def new_record(offer: CustomOffer) -> Record[CustomOffer, CustomOfferItem]:
    return Record(offer, CustomOfferItem(*_key(offer.id)))


def stage_save(uow: UnitOfWork, record: Record[CustomOffer, CustomOfferItem], offer: CustomOffer) -> None:
    """Saves the offer conditioned on the version read (a new one: on its absence)."""
    record.value = offer
    item = record.item
    item.state = offer.state.value
    created = f"OFFER#{iso(offer.created_at)}#{offer.id}"
    item.gsi1pk, item.gsi1sk = f"SELLER#{offer.seller_id}", created
    item.gsi2pk, item.gsi2sk = f"BUYER#{offer.buyer_id}", created
    item.data = to_primitive(offer)
    uow.save(item)


def page_of(user_id: str, as_seller: bool, state: OfferState | None, limit: int,
            cursor: str | None) -> tuple[list[CustomOffer], str | None]:
    """A party's offers, newest first (one Query on gsi1 or gsi2; a state filter reads past the
    offers it drops)."""
    items, next_cursor = cursors.party_page(CustomOfferItem, user_id, as_seller, "OFFER#",
                                            state.value if state else None, limit, cursor)
    return [from_primitive(CustomOffer, i.data) for i in items], next_cursor


def get_many(offer_ids: list[str]) -> dict[str, CustomOffer]:
    """Offers by id (missing ids are absent): one BatchGetItem (B3: the offers on a buyer request)."""
    keys = list(dict.fromkeys(offer_ids))
    if not keys:
        return {}
    return {o.id: o for o in (from_primitive(CustomOffer, i.data)
                              for i in CustomOfferItem.batch_get([_key(k) for k in keys], consistent_read=True))}

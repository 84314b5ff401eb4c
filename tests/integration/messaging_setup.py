"""Setting up what orders would leave behind (orders live on another branch): seller–buyer
relationships with past or active orders, written through the relationship store."""
from __future__ import annotations

from chalicelib.services import runtime
from chalicelib.store import relationships as relationship_store
from chalicelib.store.unit_of_work import UnitOfWork
from tests.integration.conftest import uid


def past_orders(seller: str, buyer: str, completed: int = 1, active: int = 0, paid: int = 10000):
    """``completed`` ended orders (each paid ``paid``) and ``active`` open ones between the pair."""
    record = relationship_store.get_or_new(uid(seller), uid(buyer))
    now = runtime.clock().now()
    for _ in range(completed):
        record.value.order_placed(now)
        record.value.order_ended(completed=True, paid=paid, now=now)
    for _ in range(active):
        record.value.order_placed(now)
    uow = UnitOfWork()
    relationship_store.stage_save(uow, record)
    uow.commit()
    return record.value


def end_order(seller: str, buyer: str, completed: bool = True, paid: int = 10000):
    """One active order of the pair ends (completed or cancelled), as the order service would."""
    record = relationship_store.get(uid(seller), uid(buyer))
    assert record is not None and record.value.active_orders > 0
    record.value.order_ended(completed=completed, paid=paid if completed else 0, now=runtime.clock().now())
    uow = UnitOfWork()
    relationship_store.stage_save(uow, record)
    uow.commit()
    return record.value


def messaging_world(api) -> dict:
    """For the access matrix: carol (buyer) wrote to dana (seller) — the owner of the conversation
    route rows is dana, bob is a stranger to it; carl ordered from dana before and is blocked;
    dana has a quick response."""
    first = api.post("/conversations", "carol", body={"seller_id": uid("dana"), "text": "Hi, can you do a kitchen?"})
    assert first.status_code == 201, first.json
    past_orders("dana", "carl")
    assert api.put(f"/me/blocked-buyers/{uid('carl')}", "dana").status_code == 200
    qr = api.post("/me/quick-responses", "dana", body={"title": "Thanks", "text": "Thanks for your order!"})
    assert qr.status_code == 201, qr.json
    return {"conversation_id": first.json["conversation_id"], "message_id": first.json["id"],
            "buyer_id": uid("carl"), "response_id": qr.json["id"]}

"""Quick responses (O18): a seller's saved reply templates."""
from __future__ import annotations

from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.messaging import QuickResponse
from chalicelib.services import runtime
from chalicelib.store import cursors
from chalicelib.store import quick_responses as store
from chalicelib.store import users as user_store


def page(seller_id: str, limit: int, cursor: str | None) -> tuple[list[QuickResponse], str | None]:
    """By title. At most 50 live in one item, so the page is cut in memory; the cursor carries the
    last (title, id) given, so a page boundary survives edits in between."""
    after = cursors.decode(cursor, expect={"owner": seller_id})
    items = store.get_or_new(seller_id).value.sorted()
    if after:
        mark = (after.get("title", {}).get("S", ""), after.get("id", {}).get("S", ""))
        items = [r for r in items if (r.title.casefold(), r.id) > mark]
    chunk = items[:limit]
    next_cursor = None
    if len(items) > limit:
        last = chunk[-1]
        next_cursor = cursors.encode({"owner": {"S": seller_id}, "title": {"S": last.title.casefold()},
                                      "id": {"S": last.id}})
    return chunk, next_cursor


def create(seller_id: str, title: str, text: str, clock: Clock) -> QuickResponse:
    seller = user_store.get(seller_id)
    if seller is None or not seller.value.is_seller:
        raise Forbidden("Quick responses are for sellers; activate a seller profile first.",
                        code="seller_profile_required", rule="O18")
    record = store.get_or_new(seller_id)
    value, response = record.value.add(title, text, clock.now())
    uow = runtime.current().unit_of_work()
    store.stage_save(uow, record, value)
    uow.commit()
    return response


def update(seller_id: str, response_id: str, title: str, text: str, clock: Clock) -> QuickResponse:
    record = store.get_or_new(seller_id)
    changed = record.value.update(response_id, title, text, clock.now())
    if changed is None:
        raise NotFound("No such quick response.")
    value, response = changed
    uow = runtime.current().unit_of_work()
    store.stage_save(uow, record, value)
    uow.commit()
    return response


def delete(seller_id: str, response_id: str) -> None:
    record = store.get_or_new(seller_id)
    value = record.value.remove(response_id)
    if value is None:
        raise NotFound("No such quick response.")
    uow = runtime.current().unit_of_work()
    store.stage_save(uow, record, value)
    uow.commit()

"""The audit log (W1): every operator action recorded with who, what, which object, why and when,
in the action's own transaction, and read by operators with filters and cursors."""
from __future__ import annotations

from unittest import mock

import pytest

from chalicelib.domain.errors import Conflict
from tests.integration.conftest import uid

OLGA, OMAR = "olga", "omar"


def log(api, query: str = "", as_user: str = OLGA):
    return api.op("GET", f"/operator/audit-log{query}", as_user)


def order_of(api, gig) -> str:
    placed = api.post("/orders", "alice", body={"gig_id": gig["id"], "tier": "basic"})
    assert placed.status_code == 201, placed.json
    return placed.json["id"]


def test_operator_actions_are_logged_with_who_what_which_object_why_and_when_W1(api, clock, published_gig):
    order_id = order_of(api, published_gig)
    clock.advance(minutes=1)
    cancelled = api.op("POST", f"/orders/{order_id}/operator-cancellation", OMAR,
                       body={"reason": "Ordered by mistake", "seller_at_fault": False})
    assert cancelled.status_code == 200, cancelled.json
    clock.advance(minutes=1)
    removed = api.op("POST", f"/gigs/{published_gig['id']}/remove", OLGA, body={"reason": "Counterfeit goods"})
    assert removed.status_code == 200, removed.json

    entries = log(api).json["items"]
    # newest first; the catalogue fixture's category is the oldest entry
    assert [(e["action"], e["object_kind"], e["object_id"]) for e in entries] == [
        ("gig.removed", "gig", published_gig["id"]),
        ("order.cancelled", "order", order_id),
        ("category.saved", "category", "renovation"),
    ]
    removal, cancellation, category = entries
    assert removal["operator_id"] == uid(OLGA) and removal["reason"] == "Counterfeit goods"
    assert cancellation["operator_id"] == uid(OMAR) and cancellation["reason"] == "Ordered by mistake"
    assert cancellation["details"] == {"seller_at_fault": "false"}
    assert cancellation["at"].startswith(clock.now().date().isoformat())
    assert category["details"] == {"created": "true"}


def test_filters_by_operator_object_action_and_time_each_one_query_W1(api, clock, published_gig):
    order_id = order_of(api, published_gig)
    clock.advance(seconds=1)  # the fixture's category was saved before ``start``; ``since`` includes it
    start = clock.now()
    clock.advance(minutes=5)
    api.op("POST", f"/orders/{order_id}/operator-cancellation", OMAR, body={"reason": "Fraud"})
    api.op("POST", f"/gigs/{published_gig['id']}/remove", OLGA, body={"reason": "Spam"})

    by_omar = log(api, f"?operator_id={uid(OMAR)}").json["items"]
    assert [e["action"] for e in by_omar] == ["order.cancelled"]
    on_gig = log(api, f"?object_kind=gig&object_id={published_gig['id']}").json["items"]
    assert [e["action"] for e in on_gig] == ["gig.removed"]
    on_gigs = log(api, "?object_kind=gig").json["items"]
    assert [e["object_id"] for e in on_gigs] == [published_gig["id"]]
    by_action = log(api, "?action=category.saved").json["items"]
    assert [e["object_id"] for e in by_action] == ["renovation"]
    since = start.isoformat().replace("+00:00", "Z")
    after_start = log(api, f"?since={since}").json["items"]
    assert {e["action"] for e in after_start} == {"order.cancelled", "gig.removed"}
    until_start = log(api, f"?until={since}").json["items"]
    assert [e["action"] for e in until_start] == ["category.saved"]
    # an operator filter with an action filter: omar never removed a gig
    assert log(api, f"?operator_id={uid(OMAR)}&action=gig.removed").json["items"] == []


def test_pages_follow_the_cursor_newest_first_without_repeats(api, clock, catalogue):
    for n in range(5):
        clock.advance(seconds=1)
        saved = api.op("PUT", f"/catalogue/categories/cat-{n}", OLGA,
                       body={"name": f"Category {n}", "subcategories": [{"slug": "general", "name": "General"}]})
        assert saved.status_code == 200, saved.json
    seen, cursor = [], None
    while True:
        page = log(api, "?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [e["object_id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["cat-4", "cat-3", "cat-2", "cat-1", "cat-0", "renovation"]
    foreign = log(api, f"?operator_id={uid(OLGA)}").json  # a cursor of one listing is refused on another
    assert foreign["items"]
    first = log(api, "?limit=1").json["next_cursor"]
    refused = log(api, f"?operator_id={uid(OLGA)}&cursor={first}")
    assert refused.status_code == 400 and refused.json["code"] == "invalid_cursor"


@pytest.mark.parametrize("query, field", [
    ("?object_id=gig_x", "object_kind"),
    ("?since=2026-01-02T00:00:00", "since"),  # no offset: which time zone?
    ("?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "since"),
    ("?action=order.exploded", "action"),
    ("?object_kind=planet", "object_kind"),
    ("?limit=0", "limit"),
])
def test_a_bad_filter_is_a_422_naming_the_field(api, catalogue, query, field):
    response = log(api, query)
    assert response.status_code == 422, response.json
    assert field in {e["field"] for e in response.json["errors"]}


def test_only_operators_read_the_log(api, catalogue):
    assert api.get("/operator/audit-log", "dana").status_code == 403
    assert api.get("/operator/audit-log").status_code == 401


def test_an_action_that_fails_records_nothing_and_a_log_write_that_fails_undoes_the_action_W1(
        api, clock, published_gig):
    order_id = order_of(api, published_gig)
    again = api.op("POST", f"/orders/{order_id}/operator-cancellation", OLGA, body={"reason": "One"})
    assert again.status_code == 200
    refused = api.op("POST", f"/orders/{order_id}/operator-cancellation", OLGA, body={"reason": "Two"})
    assert refused.status_code == 409
    assert [e["reason"] for e in log(api, "?action=order.cancelled").json["items"]] == ["One"]

    from chalicelib.store import audit as audit_store

    real_stage = audit_store.stage

    def stage_then_conflict(uow, entry):
        """The transaction holding the entry fails: had the action been committed apart from its
        entry, the gig would be gone with no entry."""
        real_stage(uow, entry)

        def failing_commit():
            raise Conflict("simulated")
        uow.commit = failing_commit

    with mock.patch.object(audit_store, "stage", stage_then_conflict):
        response = api.op("POST", f"/gigs/{published_gig['id']}/remove", OLGA, body={"reason": "Spam"})
    assert response.status_code == 409
    assert api.get(f"/gigs/{published_gig['id']}", "alice").status_code == 200  # still listed
    assert log(api, "?action=gig.removed").json["items"] == []

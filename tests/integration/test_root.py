"""The composition root against moto: payments fail closed in a deployed stage with no processor,
and the sweeper fires each deadline through the function the runtime registers for its kind."""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import boto3

from chalicelib.config import Settings, settings
from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.files import SCAN_DEADLINE
from chalicelib.root import build_runtime
from chalicelib.services import runtime, sweeper


def _all_items() -> list[dict]:
    table = boto3.resource("dynamodb", region_name=settings().aws_region).Table(settings().table_name)
    items, kwargs = [], {}
    while True:
        page = table.scan(ConsistentRead=True, **kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_placing_an_order_in_a_deployed_stage_without_payments_fails_closed(api, published_gig, clock,
                                                                           test_runtime):
    body = {"gig_id": published_gig["id"], "tier": "basic"}
    before = _all_items()
    with runtime.using(build_runtime(Settings(stage="prod"), clock=clock)):  # no PAYMENTS configured
        refused = api.post("/orders", "bob", body=body, headers={"Idempotency-Key": "k1"})
    assert refused.status_code == 503 and refused.json["code"] == "payments_unavailable"
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert _all_items() == before  # no order, no relationship, no timer, no event: nothing written
    assert api.get("/orders?role=buyer", "bob").json["items"] == []
    # The same request (same key: a failure is not stored) goes through once payments work.
    placed = api.post("/orders", "bob", body=body, headers={"Idempotency-Key": "k1"})
    assert placed.status_code == 201, placed.json
    [charge] = test_runtime.payments.charges.values()
    assert charge["order_id"] == placed.json["id"] and charge["voided"] is False


def test_the_sweeper_fires_a_deadline_through_the_function_registered_for_its_kind(api, clock):
    file_id = api.post("/uploads", "bob", body={"purpose": "message", "name": "plan.pdf",
                                                  "content_type": "application/pdf", "size": 1000}).json["file"]["id"]
    clock.advance(seconds=SCAN_DEADLINE.total_seconds() + 60)
    fired = []
    wired = runtime.current()
    recording = replace(wired, timers=MappingProxyType({
        **wired.timers, DeadlineKind.FILE_SCAN: lambda deadline, at: fired.append(deadline.value.subject)}))
    with runtime.using(recording):
        assert sweeper.sweep(clock).fired == 1
    assert fired == [file_id]
    assert api.get(f"/files/{file_id}", "bob").json["state"] == "awaiting_upload"  # the real fire did not run
    assert sweeper.sweep(clock).fired == 1  # the root's registration: files.fire_scan_deadline
    assert api.get(f"/files/{file_id}", "bob").json["state"] == "unscannable"

"""The test clock on the local run (`make run` turns it on): the README's walk through an
auto-completion, over HTTP, as a front-end developer would try it. An order is placed, started and
delivered; an operator moves the clock 3 days and a minute ahead; the sweeper and the reactions run
before the answer, so the order is completed and the seller's feed says so (O8). Only operators
may read or move the clock. (The committed document describes production, which has no such route,
so schemathesis never sends it; tests/infra proves the packaged API lacks it.)"""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from local.tokens import make_token

BUYER, SELLER, OPERATOR = "alice", "dana", "olga"


def call(base_url: str, method: str, path: str, user: str | None = None, body: dict | None = None,
         operator: bool = False) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if user:
        headers["Authorization"] = make_token(user, ("operators",) if operator else ())
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def answers_for(requirements: list[dict]) -> list[dict]:
    out = []
    for requirement in requirements:
        if not requirement["mandatory"]:
            continue
        if requirement["answer_type"] == "multiple_choice":
            out.append({"requirement_id": requirement["id"], "choices": requirement["options"][:1]})
        else:
            out.append({"requirement_id": requirement["id"], "text": "A kitchen of 12 square metres"})
    return out


def delivered_order(base_url: str) -> str:
    status, gigs = call(base_url, "GET", "/me/gigs?limit=50", SELLER)
    assert status == 200
    for gig in gigs["items"]:
        if gig["state"] != "published" or any(r["mandatory"] and r["answer_type"] == "file"
                                              for r in gig["requirements"]):
            continue
        status, placed = call(base_url, "POST", "/orders", BUYER, {"gig_id": gig["id"], "tier": "basic"})
        if status != 201:
            continue
        order_id = placed["id"]
        if placed["state"] == "awaiting_requirements":
            status, body = call(base_url, "POST", f"/orders/{order_id}/requirements", BUYER,
                                {"answers": answers_for(gig["requirements"])})
            assert status == 200, body
        status, body = call(base_url, "POST", f"/orders/{order_id}/deliveries", SELLER, {"message": "Here it is"})
        assert status == 201, body
        return order_id
    raise AssertionError(f"no demo gig of {SELLER} took an order")


def test_only_operators_read_or_move_the_clock(base_url):
    assert call(base_url, "GET", "/dev/clock")[0] == 401
    assert call(base_url, "POST", "/dev/clock", body={"by": "P1D"})[0] == 401
    for user in (BUYER, SELLER):
        status, problem = call(base_url, "POST", "/dev/clock", user, {"by": "P1D"})
        assert (status, problem["code"]) == (403, "operators_only")
        assert call(base_url, "GET", "/dev/clock", user)[0] == 403
    status, reading = call(base_url, "GET", "/dev/clock", OPERATOR, operator=True)
    assert status == 200 and {"now", "real_now", "offset_seconds", "advances"} <= reading.keys()


def test_bad_moves_are_422_and_move_nothing(base_url):
    _, before = call(base_url, "GET", "/dev/clock", OPERATOR, operator=True)
    for body in ({}, {"by": "P1D", "to": "2099-01-01T00:00:00Z"}, {"by": "-PT1H"}, {"by": "P900D"},
                 {"to": "2001-01-01T00:00:00Z"}, {"by": "soon"}, {"to": "2030-01-01T00:00:00"}):
        status, problem = call(base_url, "POST", "/dev/clock", OPERATOR, body, operator=True)
        assert status == 422, (body, problem)
    _, after = call(base_url, "GET", "/dev/clock", OPERATOR, operator=True)
    assert after["offset_seconds"] == before["offset_seconds"] and after["advances"] == before["advances"]


def test_an_auto_completion_in_one_call_O8(base_url):
    order_id = delivered_order(base_url)
    status, page = call(base_url, "GET", f"/orders/{order_id}", BUYER)
    assert page["state"] == "delivered" and any(t["kind"] == "order_auto_complete" for t in page["timers"])

    status, moved = call(base_url, "POST", "/dev/clock", OPERATOR, {"by": "P3DT1M"}, operator=True)

    assert status == 200, moved
    assert moved["caught_up"]["settled"] and moved["caught_up"]["fired"] >= 1
    assert moved["offset_seconds"] >= 3 * 86_400 + 60
    status, page = call(base_url, "GET", f"/orders/{order_id}", BUYER)
    assert page["state"] == "completed" and page["timers"] == []
    assert page["money"]["held"]["amount"] == 0 and page["money"]["seller_earnings"]["amount"] > 0
    _, feed = call(base_url, "GET", "/me/notifications?limit=100", SELLER)
    assert any(entry.get("order_id") == order_id or order_id in json.dumps(entry) for entry in feed["items"])

"""Figure 4: DynamoDB calls per order route, and one whole order lifecycle end to end.

Under moto with the demo data loaded, alice orders dana's kitchen gig (2 requirements) through
the real Chalice app (``local.gateway.ProblemTestClient``); each request is measured on its own
(``benchmarks.calls.measure``), with the Scenario of benchmarks/routes.py. The lifecycle
(place → requirements → deliver → revision → deliver → accept) is then run ``LIFECYCLES`` times
as a whole, each measured as one block."""
from __future__ import annotations

from datetime import UTC, datetime

from benchmarks import calls
from benchmarks.report import heading, line, ms, progress
from benchmarks.routes import Result, Scenario, print_lifecycles, print_route_calls

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "orders"
LIFECYCLES = 5


def _answers(gig: dict) -> list[dict]:
    return [{"requirement_id": r["id"], "text": "About 12 square metres"} if r["answer_type"] == "free_text"
            else {"requirement_id": r["id"], "choices": r["options"][:1]} for r in gig.get("requirements", [])]


def _id(body, key: str = "id") -> str:
    return body[key] if isinstance(body, dict) and key in body else f"{key}_missing"


def _place(s: Scenario, gig: dict, variant: str) -> str:
    return _id(s.call("POST", "/orders", user="alice", body={"gig_id": gig["id"], "tier": "basic"},
                      variant=variant, expect=201))


def _scenario(s: Scenario, gig: dict, clock) -> None:
    answers = {"answers": _answers(gig)}
    o = _place(s, gig, "basic, 2 requirements")
    path = f"/orders/{o}"
    s.call("GET", "/orders/{order_id}", path=path, user="alice", variant="buyer, awaiting requirements")
    s.call("POST", "/orders/{order_id}/requirements", path=f"{path}/requirements", user="alice", body=answers,
           variant="2 answers: the clock starts")
    s.call("GET", "/orders/{order_id}", path=path, user="dana", variant="seller, in progress")
    s.call("PUT", "/orders/{order_id}/private-note", path=f"{path}/private-note", user="dana",
           body={"text": "Call before the site visit."}, variant="first note")
    s.call("GET", "/orders/{order_id}/private-note", path=f"{path}/private-note", user="dana", variant="seller")
    s.call("PUT", "/orders/{order_id}/delivery-draft", path=f"{path}/delivery-draft", user="dana",
           body={"message": "Draft: the layout plan."}, variant="save draft")
    s.call("GET", "/orders/{order_id}/delivery-draft", path=f"{path}/delivery-draft", user="dana", variant="seller")
    s.call("POST", "/orders/{order_id}/deliveries", path=f"{path}/deliveries", user="dana", body={"from_draft": True},
           variant="the saved draft (cleared)", expect=201)
    s.call("GET", "/orders/{order_id}/deliveries", path=f"{path}/deliveries?limit=10", user="alice",
           variant="1 delivery")
    s.call("POST", "/orders/{order_id}/revision-requests", path=f"{path}/revision-requests", user="alice",
           body={"message": "Please add the pantry."}, variant="within 3 days, 1 revision left")
    s.call("POST", "/orders/{order_id}/deliveries", path=f"{path}/deliveries", user="dana",
           body={"message": "Pantry added."}, variant="second delivery, a message", expect=201)
    s.call("POST", "/orders/{order_id}/acceptance", path=f"{path}/acceptance", user="alice",
           variant="completes: settles 80/20 (M1)")
    s.call("GET", "/orders/{order_id}/ledger", path=f"{path}/ledger", user="dana", variant="3 entries")
    s.call("DELETE", "/orders/{order_id}/delivery-draft", path=f"{path}/delivery-draft", user="dana",
           variant="nothing saved", expect=404)

    # the resolution center on a second order
    o2 = _place(s, gig, "second order")
    p2 = f"/orders/{o2}"
    s.call("POST", "/orders/{order_id}/requirements", path=f"{p2}/requirements", user="alice", body=answers,
           variant="2 answers")
    opened = s.call("POST", "/orders/{order_id}/requests", path=f"{p2}/requests", user="dana",
                    body={"kind": "extension", "days": 2, "reason": "Tiles arrive late."},
                    variant="seller: extension 2 days", expect=201)
    rid = _id((opened or {}).get("request") if isinstance(opened, dict) else None)
    s.call("POST", "/orders/{order_id}/requests/{request_id}/acceptance", path=f"{p2}/requests/{rid}/acceptance",
           user="alice", variant="buyer accepts the extension (late timers re-armed)")
    opened = s.call("POST", "/orders/{order_id}/requests", path=f"{p2}/requests", user="alice",
                    body={"kind": "progress_update", "reason": "How is it going?"},
                    variant="buyer: progress update", expect=201)
    s.call("POST", "/orders/{order_id}/progress-updates", path=f"{p2}/progress-updates", user="dana",
           body={"message": "Half done."}, variant="answers the request")
    opened = s.call("POST", "/orders/{order_id}/requests", path=f"{p2}/requests", user="alice",
                    body={"kind": "cancellation", "reason": "Plans changed."}, variant="buyer: cancellation",
                    expect=201)
    rid = _id((opened or {}).get("request") if isinstance(opened, dict) else None)
    s.call("POST", "/orders/{order_id}/requests/{request_id}/decline", path=f"{p2}/requests/{rid}/decline",
           user="dana", variant="seller declines (O11)")
    opened = s.call("POST", "/orders/{order_id}/requests", path=f"{p2}/requests", user="dana",
                    body={"kind": "extras", "custom_lines": [{"description": "Pantry plan", "price":
                                                              {"amount": 5000, "currency": "USD"}}]},
                    variant="seller: extras offer", expect=201)
    rid = _id((opened or {}).get("request") if isinstance(opened, dict) else None)
    s.call("POST", "/orders/{order_id}/requests/{request_id}/withdrawal", path=f"{p2}/requests/{rid}/withdrawal",
           user="dana", variant="seller withdraws")
    opened = s.call("POST", "/orders/{order_id}/requests", path=f"{p2}/requests", user="alice",
                    body={"kind": "cancellation", "reason": "Plans changed again."}, variant="buyer: cancellation",
                    expect=201)
    rid = _id((opened or {}).get("request") if isinstance(opened, dict) else None)
    s.call("POST", "/orders/{order_id}/requests/{request_id}/acceptance", path=f"{p2}/requests/{rid}/acceptance",
           user="dana", variant="seller accepts: cancelled, refunded (M3)")

    # late cancellation (O9) and support (O13) on two more
    o3 = _place(s, gig, "third order")
    s.call("POST", "/orders/{order_id}/requirements", path=f"/orders/{o3}/requirements", user="alice", body=answers,
           variant="2 answers")
    o4 = _place(s, gig, "fourth order")
    clock.advance(days=9)  # basic is 7 days: 24 hours late and more
    s.call("POST", "/orders/{order_id}/late-cancellation", path=f"/orders/{o3}/late-cancellation", user="alice",
           body={"reason": "Too late."}, variant="24h+ late: cancelled, refunded")
    s.call("POST", "/orders/{order_id}/operator-cancellation", path=f"/orders/{o4}/operator-cancellation",
           user="olga", body={"reason": "Ordered by mistake.", "seller_at_fault": False},
           variant="operator, not the seller's fault")
    from chalicelib.services import reactions, runtime  # O13: the cancellation is counted by the outbox first

    reactions.dispatch(runtime.current().reactions, clock)
    s.call("POST", "/orders/{order_id}/cancellation-excuse", path=f"/orders/{o3}/cancellation-excuse",
           user="olga", body={"reason": "The buyer gave too little information."},
           variant="operator excuses a past cancellation (O13): marker, counter, audit entry")

    s.call("GET", "/orders", path="/orders?role=buyer&limit=20", user="alice", variant="buyer: 4 orders")
    s.call("GET", "/orders", path="/orders?role=seller&limit=20", user="dana", variant="seller: 4 orders")
    s.call("GET", "/orders", path="/orders?role=seller&state=completed&limit=20", user="dana",
           variant="seller, state filter")
    s.call("GET", "/me/earnings", path="/me/earnings?limit=20", user="dana", variant="1 settlement")


def _lifecycle(s: Scenario, gig: dict, clock) -> calls.Tally:
    answers = {"answers": _answers(gig)}
    with calls.measure() as tally:
        o = _place(s, gig, "lifecycle")
        path = f"/orders/{o}"
        s.call("POST", "/orders/{order_id}/requirements", path=f"{path}/requirements", user="alice", body=answers,
               variant="lifecycle")
        s.call("POST", "/orders/{order_id}/deliveries", path=f"{path}/deliveries", user="dana",
               body={"message": "The plan."}, variant="lifecycle", expect=201)
        s.call("POST", "/orders/{order_id}/revision-requests", path=f"{path}/revision-requests", user="alice",
               body={"message": "Add the pantry."}, variant="lifecycle")
        s.call("POST", "/orders/{order_id}/deliveries", path=f"{path}/deliveries", user="dana",
               body={"message": "Pantry added."}, variant="lifecycle", expect=201)
        s.call("POST", "/orders/{order_id}/acceptance", path=f"{path}/acceptance", user="alice", variant="lifecycle")
    return tally


def run() -> dict:
    from benchmarks.routes import demo_world
    from chalicelib.domain.clock import FixedClock

    clock = FixedClock(START)
    with demo_world(SECTION, clock) as s:
        order_routes = {(m, p) for m, p in s.routes if p.startswith("/orders") or p == "/me/earnings"}
        listing = s.call("GET", "/gigs", path="/gigs?category=renovation&subcategory=kitchen-remodel&limit=5",
                         variant="find dana's kitchen gig")
        gig_id = next(g["id"] for g in listing["items"] if "kitchen" in g["title"].lower())
        gig = s.call("GET", "/gigs/{gig_id}", path=f"/gigs/{gig_id}", variant="its requirements")
        s.results.clear()
        _scenario(s, gig, clock)
        per_route = list(s.results)
        s.results.clear()
        lifecycles = []
        for i in range(LIFECYCLES):
            lifecycles.append((_lifecycle(s, gig, clock), list(s.results)))
            s.results.clear()
            progress(SECTION, f"lifecycle {i + 1}/{LIFECYCLES}: {lifecycles[-1][0].ddb_total} DynamoDB calls "
                              f"in {ms(lifecycles[-1][0].seconds)} ms")
    _print(per_route, order_routes, lifecycles)
    return {"results": per_route, "lifecycles": lifecycles}


def _print(results: list[Result], order_routes: set, lifecycles: list) -> None:
    heading(f"4. Orders: DynamoDB calls per order route (moto, demo data, clock from {START.isoformat()})")
    print_route_calls(results, order_routes, "every order route")
    line()
    line(f"Whole lifecycle, {LIFECYCLES} runs: place -> requirements -> deliver -> revision -> deliver -> accept "
         "(6 requests)")
    print_lifecycles(lifecycles)

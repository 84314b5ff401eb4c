"""Figure 7: DynamoDB calls for milestone orders (C2–C5): the routes a milestone order adds or
changes, the sweeper's two milestone timers, and one whole milestone order end to end.

Under moto with the demo data loaded, omar sends bob (they have a conversation) a custom offer in
three milestones through the real Chalice app; each request is measured on its own
(``benchmarks.calls.measure``), with the Scenario of benchmarks/routes.py, and so is each sweep
that fires one timer. The whole lifecycle (send → accept → [deliver → approve → start next] × 2 →
deliver → approve: 10 requests) is then run ``LIFECYCLES`` times, each measured as one block."""
from __future__ import annotations

from datetime import UTC, datetime

from benchmarks import calls
from benchmarks.report import heading, line, ms, progress, table
from benchmarks.routes import Result, Scenario, print_lifecycles, print_route_calls

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "milestones"
LIFECYCLES = 3
MILESTONES = [
    {"name": "Interior photos", "description": "Thirty edited photos of every room", "delivery_days": 3,
     "amount": {"amount": 9_000, "currency": "USD"}, "revisions": 1},
    {"name": "Aerial photos", "description": "Ten drone photos of the house and the street", "delivery_days": 4,
     "amount": {"amount": 12_000, "currency": "USD"}, "revisions": 1},
    {"name": "Listing set", "description": "Every photo, resized for the listing sites", "delivery_days": 2,
     "amount": {"amount": 5_000, "currency": "USD"}, "revisions": 0},
]
MILESTONE_ROUTES = {("POST", "/conversations/{conversation_id}/custom-offers"), ("GET", "/custom-offers/{offer_id}"),
                    ("POST", "/custom-offers/{offer_id}/acceptance"), ("GET", "/orders/{order_id}"),
                    ("POST", "/orders/{order_id}/deliveries"), ("POST", "/orders/{order_id}/acceptance"),
                    ("POST", "/orders/{order_id}/revision-requests"), ("POST", "/orders/{order_id}/next-milestone"),
                    ("POST", "/orders/{order_id}/stop"), ("POST", "/orders/{order_id}/operator-cancellation")}


def _id(body, key: str = "id") -> str:
    return body[key] if isinstance(body, dict) and key in body else f"{key}_missing"


class Context:
    def __init__(self, s: Scenario, conversation_id: str, gig_id: str) -> None:
        self.s, self.conversation_id, self.gig_id = s, conversation_id, gig_id

    def offer(self, variant: str) -> str:
        return _id(self.s.call("POST", "/conversations/{conversation_id}/custom-offers",
                               path=f"/conversations/{self.conversation_id}/custom-offers", user="omar",
                               body={"gig_id": self.gig_id, "description": "Your listing shoot in three parts",
                                     "revisions": None, "requirements_asked": False, "milestones": MILESTONES},
                               variant=variant, expect=201))

    def accept(self, offer_id: str, variant: str) -> str:
        return _id(self.s.call("POST", "/custom-offers/{offer_id}/acceptance",
                               path=f"/custom-offers/{offer_id}/acceptance", user="bob", variant=variant,
                               expect=201))

    def deliver(self, order_id: str, variant: str) -> None:
        self.s.call("POST", "/orders/{order_id}/deliveries", path=f"/orders/{order_id}/deliveries", user="omar",
                    body={"message": "This milestone's photos."}, variant=variant, expect=201)

    def approve(self, order_id: str, variant: str) -> None:
        self.s.call("POST", "/orders/{order_id}/acceptance", path=f"/orders/{order_id}/acceptance", user="bob",
                    variant=variant)

    def start_next(self, order_id: str, variant: str) -> None:
        self.s.call("POST", "/orders/{order_id}/next-milestone", path=f"/orders/{order_id}/next-milestone",
                    user="bob", variant=variant)


def _sweep(clock, variant: str, sweeps: list) -> None:
    from chalicelib.services import sweeper

    with calls.measure() as tally:
        report = sweeper.sweep(clock)
    sweeps.append((variant, report.fired, tally))
    progress(SECTION, f"sweep [{variant}]: fired {report.fired}, {tally.ddb_total} DynamoDB calls")


def _scenario(c: Context, clock, sweeps: list) -> None:
    s = c.s
    offer_id = c.offer("3 milestones")
    s.call("GET", "/custom-offers/{offer_id}", path=f"/custom-offers/{offer_id}", user="bob",
           variant="buyer, 3 milestones")
    o = c.accept(offer_id, "places the plan, charges milestone 1")
    s.call("GET", "/orders/{order_id}", path=f"/orders/{o}", user="bob", variant="buyer, plan of 3, milestone 1 runs")
    c.deliver(o, "milestone 1")
    s.call("POST", "/orders/{order_id}/revision-requests", path=f"/orders/{o}/revision-requests", user="bob",
           body={"message": "Brighter kitchen, please."}, variant="milestone 1, within 8 days (C3)")
    c.deliver(o, "milestone 1, after the revision")
    c.approve(o, "approves milestone 1: settles it 80/20 (C5)")
    s.call("GET", "/orders/{order_id}", path=f"/orders/{o}", user="omar", variant="seller, awaiting the payment")
    c.start_next(o, "charges milestone 2, which starts (C2)")
    c.deliver(o, "milestone 2")
    c.approve(o, "approves milestone 2")
    s.call("POST", "/orders/{order_id}/stop", path=f"/orders/{o}/stop", user="bob",
           body={"reason": "The listing sold already."}, variant="buyer stops after milestone 2 (C4)")

    # the sweeper: C3's auto-approval on a second order, C2's lapse of the next payment on a third;
    # first the demo orders' timers are swept out of the way (unmeasured), so each sweep fires one
    from chalicelib.services import sweeper

    clock.advance(days=40)
    while sweeper.sweep(clock).fired:
        pass
    o2 = c.accept(c.offer("second offer"), "second order")
    c.deliver(o2, "second order, milestone 1")
    clock.advance(days=8, seconds=1)
    _sweep(clock, "C3: a milestone delivery unanswered for 8 days is approved", sweeps)
    o3 = c.accept(c.offer("third offer"), "third order")
    c.deliver(o3, "third order, milestone 1")
    c.approve(o3, "third order: approves milestone 1")
    clock.advance(days=10, seconds=1)
    _sweep(clock, "C2: the next milestone unpaid for 10 days; the order ends", sweeps)
    # C4/M3: an operator cancels the running milestone of a fourth
    o4 = c.accept(c.offer("fourth offer"), "fourth order")
    c.deliver(o4, "fourth order, milestone 1")
    c.approve(o4, "fourth order: approves milestone 1")
    c.start_next(o4, "fourth order: milestone 2 starts")
    s.call("POST", "/orders/{order_id}/operator-cancellation", path=f"/orders/{o4}/operator-cancellation",
           user="olga", body={"reason": "Seller unreachable.", "seller_at_fault": True},
           variant="cancels the running milestone: refunds it alone (M3)")


def _lifecycle(c: Context) -> calls.Tally:
    with calls.measure() as tally:
        o = c.accept(c.offer("lifecycle"), "lifecycle")
        for i in range(3):
            if i:
                c.start_next(o, "lifecycle")
            c.deliver(o, "lifecycle")
            c.approve(o, "lifecycle")
    return tally


def run() -> dict:
    from benchmarks.routes import demo_world
    from chalicelib.domain.clock import FixedClock

    clock = FixedClock(START)
    with demo_world(SECTION, clock) as s:
        inbox = s.call("GET", "/conversations", path="/conversations?limit=5", user="omar",
                       variant="omar's conversations")
        conversation_id = inbox["items"][0]["id"]
        gigs = s.call("GET", "/me/gigs", path="/me/gigs?limit=5", user="omar", variant="omar's gigs")
        gig_id = gigs["items"][-1]["id"]
        s.results.clear()
        c = Context(s, conversation_id, gig_id)
        sweeps: list = []
        _scenario(c, clock, sweeps)
        per_route = list(s.results)
        s.results.clear()
        lifecycles = []
        for i in range(LIFECYCLES):
            lifecycles.append((_lifecycle(c), list(s.results)))
            s.results.clear()
            progress(SECTION, f"lifecycle {i + 1}/{LIFECYCLES}: {lifecycles[-1][0].ddb_total} DynamoDB calls "
                              f"in {ms(lifecycles[-1][0].seconds)} ms")
    _print(per_route, sweeps, lifecycles)
    return {"results": per_route, "sweeps": sweeps, "lifecycles": lifecycles}


def _print(results: list[Result], sweeps: list, lifecycles: list) -> None:
    heading(f"7. Milestone orders (C2–C5): DynamoDB calls per request (moto, demo data, clock from "
            f"{START.isoformat()})")
    print_route_calls(results, MILESTONE_ROUTES, "every milestone route")
    line()
    table(["SWEEP", "FIRED", "DDB", "DYNAMODB CALLS BY OPERATION", "MS"],
          [[variant, fired, tally.ddb_total, tally.breakdown(), ms(tally.seconds)] for variant, fired, tally in sweeps],
          right=(1, 2, 4))
    line()
    line(f"Whole milestone order, {LIFECYCLES} runs: send -> accept -> [deliver -> approve -> start next] x 2 -> "
         "deliver -> approve (10 requests)")
    print_lifecycles(lifecycles)

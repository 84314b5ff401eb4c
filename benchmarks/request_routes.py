"""Figure 5: DynamoDB calls per buyer-request route (B1–B3), the reactions' fan-out and wrap-up,
and the seller feed's read against the number of categories the seller serves.

Under moto with the demo data loaded (alice's open request in real estate with omar's offer),
through the real Chalice app (``local.gateway.ProblemTestClient``), each request measured on its
own (``benchmarks.calls.measure``) with the Scenario of benchmarks/routes.py. Then a seller
``feedy`` with a published gig in each of 1 to ``MAX_CATEGORIES`` categories reads a feed holding
a request in each: the read's DynamoDB calls must not grow with the categories (at most 2)."""
from __future__ import annotations

from datetime import UTC, datetime

from benchmarks import calls
from benchmarks.report import heading, line, table
from benchmarks.routes import Result, Scenario, print_route_calls

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "buyer_requests"
MAX_CATEGORIES = 8  # a seller keeps at most 10 gigs (services/gigs.MAX_GIGS_PER_SELLER)
FEED_BOUND = 2


def _id(body, key: str = "id") -> str:
    return body[key] if isinstance(body, dict) and key in body else f"{key}_missing"


def _money(amount: int) -> dict:
    return {"amount": amount, "currency": "USD"}


def _drain(clock) -> calls.Tally:
    from chalicelib.services import reactions, runtime

    with calls.measure() as tally:
        for _ in range(5):
            if reactions.dispatch(runtime.current().reactions, clock).dispatched == 0:
                break
    return tally


def _scenario(s: Scenario, clock, reaction_tallies: list) -> None:
    kitchen = _id(next((g for g in s.call("GET", "/me/gigs", user="dana", variant="dana's gigs")["items"]
                        if g["category"] == "renovation"), {}))
    photo_gig = _id(next((g for g in s.call("GET", "/me/gigs", user="omar", variant="omar's gigs")["items"]), {}))
    s.results.clear()
    body = {"description": "Remodel a 12 m2 kitchen: new cabinets, worktop and tiling", "category": "renovation",
            "subcategory": "kitchen-remodel", "budget": _money(150_000), "delivery_days": 20}
    posted = s.call("POST", "/buyer-requests", user="bob", body=body, variant="request, count, deadline, event",
                    expect=201)
    rid = _id(posted)
    reaction_tallies.append(("fan-out of bob's request to renovation's sellers (1 seller)", _drain(clock)))
    s.call("GET", "/me/request-feed", path="/me/request-feed?limit=20", user="dana",
           variant="dana: 1 category, 1 request")
    s.call("GET", "/me/request-feed", path="/me/request-feed?limit=20", user="omar",
           variant="omar: 1 category (alice's demo request)")
    s.call("GET", "/buyer-requests/{request_id}", path=f"/buyer-requests/{rid}", user="bob", variant="the buyer")
    s.call("GET", "/buyer-requests/{request_id}", path=f"/buyer-requests/{rid}", user="dana",
           variant="a seller of the category")
    s.call("GET", "/me/buyer-requests", path="/me/buyer-requests?limit=20", user="bob", variant="1 request")
    offer = s.call("POST", "/buyer-requests/{request_id}/offers", path=f"/buyer-requests/{rid}/offers", user="dana",
                   body={"gig_id": kitchen, "description": "Full plan and site management", "price": _money(120_000),
                         "delivery_days": 18, "revisions": 2},
                   variant="offer, deadline, link, request check, event", expect=201)
    s.call("GET", "/buyer-requests/{request_id}/offers", path=f"/buyer-requests/{rid}/offers", user="bob",
           variant="1 offer")
    s.call("POST", "/custom-offers/{offer_id}/acceptance", path=f"/custom-offers/{_id(offer)}/acceptance",
           user="bob", variant="B3: the order placed, the request closed", expect=201)
    reaction_tallies.append(("wrap-up of bob's accepted request (no other offer)", _drain(clock)))
    alice_request = _id(s.call("GET", "/me/buyer-requests", path="/me/buyer-requests?limit=20", user="alice",
                               variant="alice's demo request")["items"][0])
    s.call("DELETE", "/me/request-feed/{request_id}", path=f"/me/request-feed/{alice_request}", user="lior",
           variant="lior dismisses alice's request", expect=204)
    s.call("POST", "/buyer-requests/{request_id}/closure", path=f"/buyer-requests/{alice_request}/closure",
           user="alice", variant="closed: omar's offer will lapse")
    reaction_tallies.append(("wrap-up of alice's closed request (1 offer lapses)", _drain(clock)))
    assert photo_gig


def _feed_by_categories(s: Scenario, clock) -> list[tuple[int, Result]]:
    """feedy sells in 1..MAX_CATEGORIES categories; each has one open request of frank's."""
    from chalicelib.domain.buyer_requests import RequestDraft
    from chalicelib.domain.catalogue import Category, Subcategory
    from chalicelib.domain.levels import SellerLevel
    from chalicelib.services import accounts, buyer_requests, catalogue, gigs
    from local.demo import SELLERS
    from local.media_seed import seed_gig_image, seed_profile_photo
    from local.tokens import make_token, user_id_for

    seller, buyer = user_id_for("feedy"), user_id_for("frank")
    photo = seed_profile_photo(seller, clock)
    from dataclasses import replace

    accounts.activate_seller(seller, "feedy", "feedy@example.test", replace(SELLERS["dana"], photo=photo), clock)
    accounts.set_seller_level(seller, SellerLevel.LEVEL_1)  # G9: publishes without review
    s.tokens["feedy"] = make_token("feedy")
    cover = seed_gig_image(seller, clock)
    out = []
    for n in range(1, MAX_CATEGORIES + 1):
        slug = f"bench-cat-{n}"
        category = Category(slug, f"Bench category {n}", (Subcategory("general", "General"),))
        catalogue.put_category(category, "seed", clock)
        gig = gigs.create_draft(seller, {
            "title": f"I will help with bench job {n}", "category": slug, "subcategory": "general",
            "tags": ["bench"], "description": "A gig for the feed benchmark.", "media": [cover],
            "packages": [{"tier": "basic", "name": "Basic", "description": "Basic", "delivery_days": 3,
                          "revisions": 1, "price": 5000}]}, clock)
        gigs.publish(seller, gig.id, clock)
        posted = buyer_requests.post(buyer, RequestDraft(description=f"A bench job in category {n}", category=slug,
                                                         subcategory="general", budget=5000, delivery_days=5), clock)
        buyer_requests.fan_out(posted.request.id)
        s.call("GET", "/me/request-feed", path="/me/request-feed?limit=20", user="feedy",
               variant=f"{n} categories, {n} requests")
        out.append((n, s.results[-1]))
    return out


def run() -> dict:
    from benchmarks.routes import demo_world
    from chalicelib.domain.clock import FixedClock

    clock = FixedClock(START)
    reaction_tallies: list[tuple[str, calls.Tally]] = []
    with demo_world(SECTION, clock) as s:
        request_routes = {(m, p) for m, p in s.routes if "buyer-requests" in p or "request-feed" in p}
        _drain(clock)
        _scenario(s, clock, reaction_tallies)
        per_route = list(s.results)
        s.results.clear()
        feeds = _feed_by_categories(s, clock)
    _print(per_route, request_routes, reaction_tallies, feeds)
    return {"results": per_route, "feeds": feeds}


def _print(results: list[Result], request_routes: set, reaction_tallies: list, feeds: list) -> None:
    heading(f"5. Buyer requests: DynamoDB calls per route (moto, demo data, clock from {START.isoformat()})")
    print_route_calls(results, request_routes, "every buyer-request route")
    line()
    line("Reactions (the dispatcher's whole run, outbox reads included):")
    table(["REACTION", "DDB", "DYNAMODB CALLS BY OPERATION"],
          [[what, t.ddb_total, t.breakdown()] for what, t in reaction_tallies], right=(1,))
    line()
    line(f"Seller feed read (GET /me/request-feed) by the number of categories served (bound: {FEED_BOUND}):")
    table(["CATEGORIES", "ITEMS", "STATUS", "DDB", "DYNAMODB CALLS BY OPERATION"],
          [[n, len(r.body.get("items", [])) if isinstance(r.body, dict) else "-", r.status, r.tally.ddb_total,
            r.tally.breakdown()] for n, r in feeds], right=(0, 1, 3))
    worst = max(r.tally.ddb_total for _, r in feeds)
    line(f"feed read: at most {worst} DynamoDB calls for 1..{len(feeds)} categories "
         f"({'within' if worst <= FEED_BOUND else 'OVER'} the bound of {FEED_BOUND})")

"""Figure 1: DynamoDB calls per request, for every route.

Under moto (``mock_aws``) with the demo data loaded (``local.demo.load``), each route is called
through the real Chalice app (``local.gateway.ProblemTestClient``) as the user who would call it,
with a realistic body. Every request is measured on its own (``benchmarks.calls.measure``).
Routes of the app that the scenario did not call are listed as NOT EXERCISED."""
from __future__ import annotations

import json
import statistics
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import calls
from benchmarks.report import heading, line, ms, progress, table

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SECTION = "routes"


@dataclass
class Result:
    method: str
    template: str
    variant: str
    user: str
    status: int
    expected: int
    tally: calls.Tally
    body: Any = field(repr=False, default=None)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == self.expected


class Scenario:
    """Issues requests and records one Result each."""

    def __init__(self, client, tokens: dict[str, str], routes: set[tuple[str, str]]) -> None:
        self.client = client
        self.tokens = tokens
        self.routes = routes
        self.results: list[Result] = []

    def call(self, method: str, template: str, path: str | None = None, user: str | None = None,
             body: Any = None, headers: dict | None = None, variant: str = "", expect: int = 200) -> Any:
        if (method, template) not in self.routes:  # still sent: the gateway's answer shows as unexpected
            progress(SECTION, f"WARNING: the app has no route {method} {template}; the bench is out of date")
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if user:
            all_headers["Authorization"] = self.tokens[user]
        payload = json.dumps(body).encode() if body is not None else b""
        with warnings.catch_warnings(record=True) as caught, calls.measure() as tally:
            warnings.simplefilter("always")
            response = self.client.http.request(method, path or template, headers=all_headers, body=payload)
        content_type = (response.headers or {}).get("Content-Type", "")
        parsed = json.loads(response.body) if response.body and "json" in content_type else response.body
        warned = [f"{w.category.__name__} ({Path(w.filename).name}:{w.lineno}): {' '.join(str(w.message).split())}"
                  for w in caught]
        result = Result(method, template, variant, user or "-", response.status_code, expect, tally, parsed, warned)
        self.results.append(result)
        flag = "" if result.ok else f"  <-- expected {expect}: {str(parsed)[:300]}"
        progress(SECTION, f"{method} {path or template} as {user or 'anonymous'} -> {response.status_code}, "
                          f"{tally.ddb_total} DynamoDB calls{flag}")
        return parsed


ERIN_PROFILE = {
    "display_name": "Erin Paints",
    "description": "Interior painter: walls, ceilings and trim, careful prep and clean lines.",
    "photo": "file_bench_erin",  # replaced by erin's clean profile photo before the routes run (A1)
    "skills": ["painting", "drywall repair"],
    "languages": [{"language": "English", "level": "native"}],
    "portfolio": [{"client": "Elm Court condos", "description": "Repainted 30 units in a month."}],
}


def _money(amount: int) -> dict:
    return {"amount": amount, "currency": "USD"}


ERIN_MEDIA: list[str] = []  # erin's cover image, uploaded and scanned when the demo data is loaded


def erin_gig(title: str) -> dict:
    """A complete gig (every G rule satisfied), so it can be published as it is."""
    return {
        "media": list(ERIN_MEDIA),
        "title": title, "category": "renovation", "subcategory": "painting", "service_type": "interior",
        "tags": ["painting", "interior", "walls"],
        "description": "Two coats on walls and ceilings, with prep, patching and clean-up included.",
        "packages": [
            {"tier": "basic", "name": "One room", "description": "Walls of one room", "delivery_days": 2,
             "revisions": 1, "price": _money(30000)},
            {"tier": "standard", "name": "Three rooms", "description": "Walls and ceilings of three rooms",
             "delivery_days": 5, "revisions": 2, "price": _money(80000)},
            {"tier": "premium", "name": "Whole flat", "description": "Every room, trim and doors",
             "delivery_days": 10, "revisions": None, "price": _money(200000)},
        ],
        "extras": {"fast_delivery": [{"tier": "basic", "days": 1, "price": _money(5000)}],
                   "additional_revision": {"price": _money(3000), "added_days": 1},
                   "custom": [{"title": "Paint the front door", "price": _money(4000), "added_days": 1}]},
        "faq": [{"question": "Do you bring the paint?", "answer": "Yes, low-VOC paint is included."}],
        "requirements": [{"question": "How many rooms?", "answer_type": "free_text", "mandatory": True}],
    }


def _id(answer: Any) -> str:
    return answer.get("id", "missing") if isinstance(answer, dict) else "missing"


def _run_scenario(s: Scenario, ids: dict[str, str]) -> None:
    today = START.date()
    future = {"start_date": (today + timedelta(days=3)).isoformat(),
              "end_date": (today + timedelta(days=10)).isoformat(),
              "reason": "vacation", "message": "Back in a week.", "allow_new_clients_contact": False}
    starts_today = {"start_date": today.isoformat(), "end_date": (today + timedelta(days=7)).isoformat(),
                    "reason": "overbooked", "message": "Fully booked this week.", "allow_new_clients_contact": True}

    # --- public and buyer reads -------------------------------------------------------------
    s.call("GET", "/health", variant="liveness")
    s.call("GET", "/openapi.json", variant="not in OPERATIONS")
    s.call("GET", "/docs", variant="not in OPERATIONS")
    s.call("GET", "/catalogue", variant="3 categories")
    s.call("GET", "/gigs", path="/gigs?limit=20", variant="no filter")
    page = s.call("GET", "/gigs", path="/gigs?category=renovation&subcategory=kitchen-remodel&min_price=10000"
                                       "&max_price=100000&max_delivery_days=10&sort=price_asc&limit=10",
                  variant="category+subcategory, price range, delivery filter")
    s.call("GET", "/gigs", path="/gigs?tag=listing&category=real-estate&sort=price_desc&limit=5",
           variant="tag + category filter, price_desc")
    kitchen = page["items"][0]["id"] if isinstance(page, dict) and page.get("items") else "gig_missing"
    gig = s.call("GET", "/gigs/{gig_id}", path=f"/gigs/{kitchen}", variant="dana's kitchen gig")
    extra_id = gig["extras"]["custom"][0]["id"] if isinstance(gig, dict) and "extras" in gig else "extra_missing"
    s.call("POST", "/gigs/{gig_id}/quote", path=f"/gigs/{kitchen}/quote", user="alice",
           body={"tier": "basic", "quantity": 2, "fast_delivery": True, "extra_revisions": 1,
                 "custom_extras": [{"id": extra_id, "quantity": 1}]},
           variant="basic x2, fast delivery, revision, custom extra")
    s.call("GET", "/sellers/{seller_id}", path=f"/sellers/{ids['dana']}", variant="dana")
    s.call("GET", "/me/metrics", user="dana", variant="90 days of buckets (O13-O15)")
    s.call("GET", "/me", user="alice", variant="existing buyer")
    s.call("GET", "/me", user="frank", variant="first visit (no profile item yet)")
    s.call("PUT", "/me/preferences", user="alice",
           body={"preferences": {"order_message": {"push": True, "email": False},
                                 "order_late": {"push": True, "email": True}}},
           variant="two kinds")

    # --- a new seller: profile, gig lifecycle -----------------------------------------------
    s.call("PUT", "/me/seller-profile", user="erin", body=ERIN_PROFILE, variant="first activation")
    s.call("PUT", "/me/seller-profile", user="erin", body={**ERIN_PROFILE, "skills": ["painting", "trim"]},
           headers={"If-Match": "*"}, variant="update of an active profile")
    draft = s.call("POST", "/gigs", user="erin", body=erin_gig("I will paint the interior of your home"),
                   variant="complete draft, no Idempotency-Key", expect=201)
    gig_id = draft["id"] if isinstance(draft, dict) and "id" in draft else "gig_missing"
    s.call("PATCH", "/gigs/{gig_id}", path=f"/gigs/{gig_id}", user="erin",
           body={"title": "I will paint your rooms with care", "tags": ["painting", "interior", "ceilings"]},
           variant="draft: title + tags")
    s.call("GET", "/me/gigs", path="/me/gigs?limit=20", user="erin", variant="1 gig")
    s.call("GET", "/me/gigs", path="/me/gigs?limit=20", user="dana", variant="2 gigs")
    s.call("GET", "/me/gigs/{gig_id}", path=f"/me/gigs/{gig_id}", user="erin", variant="draft")
    # erin is a new seller (A2): publishing sends the gig to the operators' review queue (G9).
    s.call("POST", "/gigs/{gig_id}/publish", path=f"/gigs/{gig_id}/publish", user="erin",
           variant="new seller: complete draft -> pending approval (G9)")
    s.call("GET", "/gig-approvals", path="/gig-approvals?limit=20", user="olga", variant="queue, 1 gig (G9)")
    s.call("GET", "/operator/gigs/{gig_id}", path=f"/operator/gigs/{gig_id}", user="olga",
           variant="pending approval")
    s.call("POST", "/gigs/{gig_id}/approval", path=f"/gigs/{gig_id}/approval", user="olga",
           body={"note": "Checked the photos."},
           variant="pending -> published (5 listings, audit entry, event)")
    s.call("PATCH", "/gigs/{gig_id}", path=f"/gigs/{gig_id}", user="erin",
           body={"tags": ["painting", "interior", "trim"]}, variant="published: one tag swapped (listings)")
    s.call("PATCH", "/gigs/{gig_id}", path=f"/gigs/{gig_id}", user="erin",
           body={"title": "I will paint every room of your home"},
           variant="published, new seller: title -> pending revision (G9)")
    s.call("POST", "/gigs/{gig_id}/rejection", path=f"/gigs/{gig_id}/rejection", user="olga",
           body={"reason": "The title promises more than the packages offer."},
           variant="revision rejected, live gig unchanged (audit entry, event)")
    s.call("POST", "/gigs/{gig_id}/pause", path=f"/gigs/{gig_id}/pause", user="erin", variant="published -> paused")
    s.call("POST", "/gigs/{gig_id}/resume", path=f"/gigs/{gig_id}/resume", user="erin",
           variant="paused -> published")

    # --- availability (A4) -------------------------------------------------------------------
    s.call("PUT", "/me/availability", user="erin", body=future, variant="future period, 1 gig (2 deadlines)")
    s.call("DELETE", "/me/availability", user="erin", variant="drop the planned period")
    s.call("PUT", "/me/availability", user="dana", body=starts_today,
           variant="starts today: hides 2 published gigs")
    s.call("DELETE", "/me/availability", user="dana", variant="back early: relists 2 gigs")

    # --- operators ----------------------------------------------------------------------------
    s.call("PUT", "/catalogue/categories/{slug}", path="/catalogue/categories/moving", user="olga",
           body={"name": "Moving", "subcategories": [{"slug": "packing", "name": "Packing"},
                                                      {"slug": "van-hire", "name": "Van hire"}]},
           variant="new category")
    s.call("PUT", "/catalogue/categories/{slug}", path="/catalogue/categories/renovation", user="olga",
           body={"name": "Renovation & Repairs", "subcategories": [
               {"slug": "kitchen-remodel", "name": "Kitchen remodel"},
               {"slug": "bathroom-remodel", "name": "Bathroom remodel"},
               {"slug": "painting", "name": "Painting",
                "service_types": [{"slug": "interior", "name": "Interior"},
                                  {"slug": "exterior", "name": "Exterior"}]},
               {"slug": "flooring", "name": "Flooring"}]},
           variant="replace existing (adds a subcategory)")
    s.call("DELETE", "/catalogue/categories/{slug}", path="/catalogue/categories/moving", user="olga",
           variant="unused category", expect=204)
    s.call("POST", "/gigs/{gig_id}/remove", path=f"/gigs/{gig_id}/remove", user="olga",
           body={"reason": "Duplicate of another listing."}, variant="published -> removed (listings dropped)")

    # --- messaging (O5, O17, O18, O19) ---------------------------------------------------------
    dana_id, alice_id, bob_id = ids["dana"], ids["alice"], ids["bob"]
    first = s.call("POST", "/conversations", user="alice", body={"seller_id": dana_id, "text": "Hi, is May free?"},
                   variant="buyer opens a conversation (6 items)", expect=201)
    conversation = first.get("conversation_id", "conv_missing") if isinstance(first, dict) else "conv_missing"
    message = first.get("id", "msg_missing") if isinstance(first, dict) else "msg_missing"
    s.call("POST", "/conversations", user="dana", body={"buyer_id": alice_id, "text": "Yes, it is."},
           variant="seller answers by buyer id", expect=201)
    s.call("POST", "/conversations/{conversation_id}/messages", path=f"/conversations/{conversation}/messages",
           user="alice", body={"text": "Great, see you then."}, variant="continue by id", expect=201)
    s.call("POST", "/conversations", user="dana", body={"buyer_id": bob_id, "text": "Need a kitchen?"},
           variant="seller to a new buyer: refused (O5)", expect=403)
    s.call("GET", "/conversations", path="/conversations?limit=20", user="dana", variant="inbox, 1 conversation")
    s.call("GET", "/conversations/{conversation_id}", path=f"/conversations/{conversation}", user="dana",
           variant="one conversation")
    s.call("GET", "/conversations/{conversation_id}/messages", path=f"/conversations/{conversation}/messages?limit=20",
           user="dana", variant="3 messages")
    s.call("POST", "/conversations/{conversation_id}/read", path=f"/conversations/{conversation}/read", user="dana",
           variant="mark read")
    s.call("POST", "/messages/{message_id}/spam-reports", path=f"/messages/{message}/spam-reports", user="dana",
           body={"reason": "bench"}, variant="report a message", expect=201)
    s.call("GET", "/spam-reports", path="/spam-reports?limit=20", user="olga", variant="1 report")
    made = s.call("POST", "/me/quick-responses", user="dana", body={"title": "Thanks", "text": "Thanks for writing!"},
                  variant="first quick response", expect=201)
    response_id = made.get("id", "qr_missing") if isinstance(made, dict) else "qr_missing"
    s.call("GET", "/me/quick-responses", user="dana", variant="1 quick response")
    s.call("PUT", "/me/quick-responses/{response_id}", path=f"/me/quick-responses/{response_id}", user="dana",
           body={"title": "Thanks!", "text": "Thank you for writing."}, variant="replace")
    s.call("DELETE", "/me/quick-responses/{response_id}", path=f"/me/quick-responses/{response_id}", user="dana",
           variant="delete", expect=204)
    s.call("PUT", "/me/blocked-buyers/{buyer_id}", path=f"/me/blocked-buyers/{alice_id}", user="dana",
           variant="never ordered: refused (O17)", expect=409)
    s.call("DELETE", "/me/blocked-buyers/{buyer_id}", path=f"/me/blocked-buyers/{alice_id}", user="dana",
           variant="not blocked", expect=404)
    s.call("GET", "/me/blocked-buyers", user="dana", variant="none")
    s.call("GET", "/me/contacts", path="/me/contacts?role=seller", user="dana", variant="1 contact")

    # --- custom offers (C1) --------------------------------------------------------------------
    offer_body = {"gig_id": kitchen, "description": "Your kitchen and the pantry, one plan", "price": _money(23_456),
                  "delivery_days": 9, "revisions": 2}
    offers = []
    for variant in ("send (offer, deadline, message, conversation, relationship check)", "second offer",
                    "third offer"):
        sent = s.call("POST", "/conversations/{conversation_id}/custom-offers",
                      path=f"/conversations/{conversation}/custom-offers", user="dana", body=offer_body,
                      variant=variant, expect=201)
        offers.append(sent.get("id", "cof_missing") if isinstance(sent, dict) else "cof_missing")
    s.call("GET", "/custom-offers/{offer_id}", path=f"/custom-offers/{offers[0]}", user="alice", variant="the buyer")
    s.call("GET", "/me/custom-offers", path="/me/custom-offers?role=buyer&limit=20", user="alice",
           variant="3 offers received")
    s.call("POST", "/custom-offers/{offer_id}/acceptance", path=f"/custom-offers/{offers[0]}/acceptance",
           user="alice", variant="accept: the order placed in the offer's transaction", expect=201)
    s.call("POST", "/custom-offers/{offer_id}/decline", path=f"/custom-offers/{offers[1]}/decline", user="alice",
           body={"reason": "One is enough"}, variant="decline with a reason")
    s.call("POST", "/custom-offers/{offer_id}/withdrawal", path=f"/custom-offers/{offers[2]}/withdrawal",
           user="dana", variant="withdraw")
    s.call("POST", "/gigs/{gig_id}/offer-requests", path=f"/gigs/{kitchen}/offer-requests", user="bob",
           body={"text": "Could you plan a small kitchen too?"}, variant="opens the pair's conversation", expect=201)

    # --- reviews (R1) ---------------------------------------------------------------------------
    reviewed = s.call("POST", "/conversations/{conversation_id}/custom-offers",
                      path=f"/conversations/{conversation}/custom-offers", user="dana",
                      body={**offer_body, "requirements_asked": False}, variant="an offer to review", expect=201)
    placed = s.call("POST", "/custom-offers/{offer_id}/acceptance",
                    path=f"/custom-offers/{_id(reviewed)}/acceptance", user="alice",
                    variant="accept, no requirements: in progress", expect=201)
    order_id = _id(placed)
    s.call("POST", "/orders/{order_id}/deliveries", path=f"/orders/{order_id}/deliveries", user="dana",
           body={"message": "Plans attached"}, variant="deliver, to complete for a review", expect=201)
    s.call("POST", "/orders/{order_id}/acceptance", path=f"/orders/{order_id}/acceptance", user="alice",
           variant="complete, for a review")
    reviews = f"/orders/{order_id}/reviews"
    s.call("GET", "/orders/{order_id}/reviews", path=reviews, user="dana", variant="no window stored yet: the order")
    s.call("POST", "/orders/{order_id}/reviews", path=reviews, user="alice", expect=201,
           body={"overall": 5, "communication": 5, "service_as_described": 4, "would_recommend": 5,
                 "text": "Clear plans and quick answers."},
           variant="the buyer's, blind (opens the window: window, review, deadline, event)")
    s.call("GET", "/orders/{order_id}/reviews", path=reviews, user="dana", variant="the seller, blind")
    s.call("POST", "/orders/{order_id}/reviews", path=reviews, user="dana", expect=201,
           body={"overall": 5, "text": "A clear brief."},
           variant="the seller's: both publish (reviews, counters, deadlines, event)")
    s.call("POST", "/orders/{order_id}/reviews/reply", path=f"{reviews}/reply", user="dana", expect=201,
           body={"text": "Thank you!"}, variant="the seller's one reply")
    s.call("GET", "/gigs/{gig_id}/reviews", path=f"/gigs/{kitchen}/reviews?limit=20", variant="1 review")
    s.call("GET", "/sellers/{seller_id}/reviews", path=f"/sellers/{ids['dana']}/reviews?limit=20",
           variant="1 review")
    s.call("POST", "/orders/{order_id}/reviews/{author}/hide", path=f"{reviews}/buyer/hide", user="olga",
           body={"reason": "Bench: hidden"}, variant="hide: review, counters, audit entry, event")

    # --- coupons (M2): alice just completed an order with dana -----------------------------------
    s.call("PUT", "/sellers/{seller_id}/membership", path=f"/sellers/{ids['dana']}/membership", user="olga",
           body={"member": True, "reason": "Bench: member plan"}, variant="user, audit entry")
    coupon = s.call("POST", "/coupons", user="dana", body={"buyer_id": ids["alice"], "percent": 15,
                                                            "note": "Thanks, see you again"},
                    variant="seller, pair, month's count; coupon, count ADD, event", expect=201)
    s.call("GET", "/me/coupons", path="/me/coupons?limit=20", user="alice", variant="2 (the demo's, this one)")
    s.call("GET", "/me/coupons/issued", path="/me/coupons/issued?limit=20", user="dana",
           variant="2 (the demo's, this one)")
    s.call("POST", "/orders", user="alice", body={"gig_id": kitchen, "tier": "basic", "coupon_id": _id(coupon)},
           variant="with a coupon: the placement plus the coupon read and saved used", expect=201)

    # --- Idempotency-Key ----------------------------------------------------------------------
    body = erin_gig("I will paint your hallway and stairs")
    key = {"Idempotency-Key": "bench-create-0001"}
    s.call("POST", "/gigs", user="erin", body=body, headers=key, variant="Idempotency-Key: first", expect=201)
    s.call("POST", "/gigs", user="erin", body=body, headers=key, variant="Idempotency-Key: replay", expect=201)
    s.call("POST", "/gigs", user="erin", body={**body, "title": "Another title"}, headers=key,
           variant="Idempotency-Key: same key, other body", expect=422)


def _prewarm_clients() -> None:
    """Creates the clients a warm Lambda already holds (one PynamoDB connection per model class,
    the Powertools idempotency client), so 'new clients' counts what every request pays."""
    from chalicelib.handlers import idempotency
    from chalicelib.store.table import TableItem

    pending = [TableItem]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        _ = cls._get_connection().connection.client
    _ = idempotency._persistence().client


def _client_creation_cost(samples: int = 7) -> list[float]:
    """What UnitOfWork pays per multi-item commit: a fresh PynamoDB Connection (a new botocore
    session and DynamoDB client)."""
    from pynamodb.connection import Connection

    out = []
    for _ in range(samples):
        t = time.perf_counter()
        _ = Connection(region="us-east-1").client
        out.append(time.perf_counter() - t)
    return out


@contextmanager
def demo_world(section: str, clock: Any) -> Iterator[Scenario]:
    """What the route sections share: ``clock`` installed, moto with the tables and the demo data,
    warmed clients, and a Scenario on the app's test client. The clock is put back after."""
    from moto import mock_aws

    from chalicelib.services import runtime
    from local import demo
    from local.gateway import ProblemTestClient
    from local.resources import create_all

    progress(section, "importing app")
    from app import app

    routes = {(m, path) for path, by_method in app.routes.items() for m in by_method}
    previous = runtime.use_clock(clock)
    try:
        with mock_aws():
            create_all()
            tokens = demo.load(progress=lambda msg: progress(section, f"demo data: {msg}"))
            _prewarm_clients()
            with ProblemTestClient(app) as client:
                yield Scenario(client, tokens, routes)
    finally:
        runtime.use_clock(previous)


def run() -> dict:
    from moto import mock_aws

    from chalicelib.domain.clock import FixedClock
    from chalicelib.services import runtime
    from local import demo
    from local.gateway import ProblemTestClient
    from local.resources import create_all
    from local.tokens import make_token, user_id_for

    progress(SECTION, "importing app")
    from app import app
    from chalicelib.handlers.api import OPERATIONS

    operations = {(op.method, op.path) for op in OPERATIONS}
    chalice_routes = {(m, path) for path, by_method in app.routes.items() for m in by_method}

    previous = runtime.use_clock(FixedClock(START))
    try:
        with mock_aws():
            progress(SECTION, "creating tables under moto")
            create_all()
            with calls.measure() as load_tally:
                tokens = demo.load(progress=lambda msg: progress(SECTION, f"demo data: {msg}"))
            for name in ("erin", "frank"):
                tokens[name] = make_token(name)
            ids = {name: user_id_for(name) for name in tokens}
            from local.media_seed import seed_gig_image

            ERIN_MEDIA[:] = [seed_gig_image(user_id_for("erin"), runtime.clock())]
            from local.media_seed import seed_profile_photo

            ERIN_PROFILE["photo"] = seed_profile_photo(user_id_for("erin"), runtime.clock())  # A1
            _prewarm_clients()
            creation = _client_creation_cost()
            with ProblemTestClient(app) as client:
                scenario = Scenario(client, tokens, chalice_routes)
                _run_scenario(scenario, ids)
    finally:
        runtime.use_clock(previous)

    _print(scenario.results, operations, chalice_routes, load_tally, creation)
    return {"results": scenario.results}


def _print(results: list[Result], operations: set, chalice_routes: set, load_tally: calls.Tally,
           creation: list[float]) -> None:
    heading("1. DynamoDB calls per request (moto, demo data loaded, clock fixed at "
            f"{START.isoformat()})")
    line("Counted with a botocore 'before-call' hook registered on every client any botocore session creates")
    line("(PynamoDB's per-connection sessions, boto3's default session, Powertools' idempotency client),")
    line("cross-checked against botocore BaseClient._make_api_call. 'new clients' = botocore clients created")
    line("during the request after the long-lived ones (one per PynamoDB model, idempotency) were warmed.")
    line("MS is the whole request in-process; 'of which client' is spent creating botocore clients, 'of which")
    line("calls' inside botocore _make_api_call (here: moto answering). Relative cost only, not AWS latency.")
    line()
    rows = []
    for i, r in enumerate(results, 1):
        mark = "" if r.ok else f" (expected {r.expected})"
        check = "" if r.tally.consistent else " !"
        rows.append([i, r.method, r.template, r.variant, r.user, f"{r.status}{mark}", f"{r.tally.ddb_total}{check}",
                     r.tally.breakdown(), sum(r.tally.clients.values()), ms(r.tally.seconds),
                     ms(r.tally.client_seconds), ms(r.tally.call_seconds)])
    table(["#", "METHOD", "PATH", "REQUEST", "AS", "STATUS", "DDB", "DYNAMODB CALLS BY OPERATION",
           "NEW CLIENTS", "MS", "OF WHICH CLIENT", "OF WHICH CALLS"], rows, right=(0, 6, 8, 9, 10, 11))

    line()
    line("Per route (the most expensive request of the route above):")
    worst: dict[tuple[str, str], Result] = {}
    for r in results:
        key = (r.method, r.template)
        if key not in worst or r.tally.ddb_total > worst[key].tally.ddb_total:
            worst[key] = r
    rows = []
    for method, path in sorted(chalice_routes, key=lambda k: (k[1], k[0])):
        r = worst.get((method, path))
        where = "" if (method, path) in operations else "  (chalice route, not in OPERATIONS)"
        if r is None:
            rows.append([f"{method} {path}", "NOT EXERCISED", "-", "-" + where])
        else:
            rows.append([f"{method} {path}", r.status, r.tally.ddb_total, r.tally.breakdown() + where])
    table(["ROUTE", "STATUS", "MAX DDB", "BREAKDOWN"], rows, right=(2,))

    missing = sorted((operations | chalice_routes) - {(r.method, r.template) for r in results})
    unexpected = [r for r in results if not r.ok]
    inconsistent = [r for r in results if not r.tally.consistent]
    line()
    line(f"Routes in OPERATIONS: {len(operations)}; Chalice routes: {len(chalice_routes)}; "
         f"requests made: {len(results)}")
    if missing:
        line("NOT EXERCISED: " + ", ".join(f"{m} {p}" for m, p in missing))
    else:
        line("NOT EXERCISED: none (every route in OPERATIONS and every Chalice route was called)")
    only_in_ops = sorted(operations - chalice_routes)
    if only_in_ops:
        line("In OPERATIONS but not registered with Chalice: " + ", ".join(f"{m} {p}" for m, p in only_in_ops))
    if unexpected:
        line("UNEXPECTED STATUS:")
        for r in unexpected:
            line(f"  {r.method} {r.template} [{r.variant}] -> {r.status}, expected {r.expected}: {str(r.body)[:400]}")
    if inconsistent:
        line("COUNTER MISMATCH (hook vs _make_api_call):")
        for r in inconsistent:
            line(f"  {r.method} {r.template} [{r.variant}]: hook {dict(r.tally.hooked)} made {dict(r.tally.made)} "
                 f"unhooked {r.tally.unhooked}")
    else:
        line(f"Counter cross-check: the event hook and _make_api_call agree on all {len(results)} requests "
             f"({sum(r.tally.ddb_total for r in results)} DynamoDB calls, none from an unhooked client).")

    seen: dict[str, list[str]] = {}
    for r in results:
        for w in r.warnings:
            seen.setdefault(w, []).append(f"{r.method} {r.template}")
    if seen:
        line()
        line("Warnings raised while handling requests (each once, with the routes that raised it):")
        for w, where in seen.items():
            routes = sorted(set(where))
            line(f"  - {w[:300]}")
            line(f"    from {len(where)} request(s): {', '.join(routes[:6])}{' ...' if len(routes) > 6 else ''}")

    by_key = {r.variant: r for r in results if r.variant.startswith("Idempotency-Key")}
    plain = next((r for r in results if r.method == "POST" and r.template == "/gigs" and not
                  r.variant.startswith("Idempotency-Key")), None)
    line()
    line("Idempotency-Key on POST /gigs (Powertools DynamoDB persistence, table marketplace-idempotency):")
    rows = []
    for label, r in [("without key", plain), *[(k.split(": ", 1)[1], v) for k, v in by_key.items()]]:
        if r is None:
            continue
        extra = r.tally.ddb_total - plain.tally.ddb_total if plain else 0
        rows.append([label, r.status, r.tally.ddb_total, f"{extra:+d}", r.tally.breakdown(), ms(r.tally.seconds)])
    table(["REQUEST", "STATUS", "DDB", "VS NO KEY", "BREAKDOWN", "MS"], rows, right=(2, 3, 5))

    transactions = sum(r.tally.ddb().get("TransactWriteItems", 0) for r in results)
    created = sum(r.tally.clients.get("dynamodb", 0) for r in results)
    line()
    line(f"New botocore DynamoDB clients created during requests: {created} "
         f"(TransactWriteItems calls: {transactions}). chalicelib/store/unit_of_work.py builds a new")
    line(f"pynamodb Connection per multi-item commit; creating one costs median {ms(statistics.median(creation))} ms "
         f"here (min {ms(min(creation))}, max {ms(max(creation))}, n={len(creation)}).")
    line("Under moto, TransactWriteItems deep-copies the whole table once per item in the transaction (rollback")
    line("backup in moto's transact_write_items), so 'of which calls' of transactions grows with table size and")
    line("transaction size: a moto artefact, not DynamoDB latency. Client creation is the app's own cost.")
    line(f"Demo data load: {load_tally.ddb_total} DynamoDB calls ({load_tally.breakdown()}), "
         f"{ms(load_tally.seconds)} ms.")


def print_route_calls(results: list[Result], routes: set, every: str) -> None:
    """The per-request table of a route section (orders, buyer requests, milestones): calls by
    operation, the routes of ``routes`` no request called, and any unexpected status."""
    rows = []
    for i, r in enumerate(results, 1):
        mark = "" if r.ok else f" (expected {r.expected})"
        rows.append([i, r.method, r.template, r.variant, r.user, f"{r.status}{mark}",
                     f"{r.tally.ddb_total}{'' if r.tally.consistent else ' !'}", r.tally.breakdown(),
                     ms(r.tally.seconds)])
    table(["#", "METHOD", "PATH", "REQUEST", "AS", "STATUS", "DDB", "DYNAMODB CALLS BY OPERATION", "MS"], rows,
          right=(0, 6, 8))
    missing = sorted(routes - {(r.method, r.template) for r in results})
    line()
    line("NOT EXERCISED: " + (", ".join(f"{m} {p}" for m, p in missing) if missing else f"none ({every})"))
    for r in results:
        if not r.ok:
            line(f"UNEXPECTED: {r.method} {r.template} [{r.variant}] -> {r.status}: {str(r.body)[:300]}")


def print_lifecycles(lifecycles: list) -> None:
    """Whole lifecycles run several times: (tally of the run, the steps' results) each."""
    rows = []
    for tally, steps in lifecycles:
        rows.append([ms(tally.seconds), ms(tally.call_seconds), tally.ddb_total, tally.breakdown(),
                     " / ".join(f"{r.tally.ddb_total}" for r in steps),
                     "ok" if all(r.ok for r in steps) else "UNEXPECTED STATUS"])
    table(["MS", "OF WHICH CALLS", "DDB", "BREAKDOWN", "DDB PER STEP", "STATUS"], rows, right=(0, 1, 2))
    secs = [t.seconds for t, _ in lifecycles]
    line(f"median {ms(statistics.median(secs))} ms (min {ms(min(secs))}, max {ms(max(secs))}); "
         "in-process under moto: relative only.")

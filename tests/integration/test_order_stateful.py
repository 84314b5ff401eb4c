"""A stateful property test of the order lifecycle through the services (O1–O12, O17, M1, M3, and
milestone orders placed by accepted custom offers, C2–C5), on moto in-process: random buyers, the
seller, strangers, an operator and the clock (with the sweeper) act on a few orders; domain
refusals are fine outcomes, anything else fails. After every step the stored data must hold
together:

- one state at a time: the order item's state, its data and its latest history event agree; a
  milestone order's milestones have one state each (the ones before the running one approved);
- money is conserved per order and per milestone, and the ledger entries stored under it add up
  to its balance (per milestone too);
- timers: the due index holds exactly the timers the orders run (none for a finished order but
  an open request's lapse on a completed one);
- history is complete: every transition a service applied is there once, in order;
- the seller's earnings totals equal the sum of the earnings entries (M1); the seller–buyer
  relationships count what the orders say (O17, O19).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from moto import mock_aws

from chalicelib.config import settings as app_settings
from chalicelib.domain.accounts import (
    Language,
    LanguageLevel,
    PortfolioEntry,
    SellerProfile,
)
from chalicelib.domain.clock import FixedClock, iso
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.domain.custom_offers import OfferDraft
from chalicelib.domain.deadlines import DeadlineKind, shard_of
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.events import Event
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.orders import (
    ACTIVE,
    FINISHED,
    Milestone,
    MilestoneState,
    Order,
    OrderState,
    RequestKind,
    plan,
)
from chalicelib.domain.preconditions import IfMatch
from chalicelib.domain.pricing import Selection
from chalicelib.domain.requirements import Answer
from chalicelib.services import accounts, catalogue, conversations, custom_offers, gigs, orders, runtime, sweeper
from chalicelib.services.orders import CustomLine, Viewer
from chalicelib.store import orders as order_store
from chalicelib.store import relationships as relationship_store
from chalicelib.store.models import EventItem
from chalicelib.store.orders import LedgerItem, OrderItem, OrderTimerItem
from chalicelib.store.table import TableItem
from local.media_seed import seed_gig_image, seed_profile_photo
from local.resources import create_all
from tests.unit.gig_factory import demo_catalogue, valid_gig

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SELLER, BUYERS, STRANGER, OPERATOR = "usr_st_seller", ("usr_st_buyer1", "usr_st_buyer2"), "usr_st_stranger", "usr_st_op"
PROFILE = SellerProfile("Dana", "Kitchens and bathrooms.", "file_1", ("tiling",),
                        (Language("English", LanguageLevel.NATIVE),), (PortfolioEntry("Oak St", "A kitchen."),))
ANSWERS = (Answer("address", text="12 Elm Street"), Answer("kind", choices=("House",)))
# Refusals an invalid attempt may get. NotFound only for whom the order is not theirs to see.
REFUSALS = (Conflict, Forbidden, InvalidInput)
GIG_FIELDS = ("title", "category", "subcategory", "service_type", "tags", "description", "packages", "extras",
              "faq", "requirements", "physical")

# Mostly the party whose move it is, sometimes the other one or a stranger (who gets a 404).
buyer_moves = st.sampled_from(["buyer"] * 5 + ["seller", "stranger"])
seller_moves = st.sampled_from(["seller"] * 5 + ["buyer", "stranger"])
parties = st.sampled_from(["right"] * 5 + ["wrong", "stranger"])
texts = st.sampled_from(["Please look at the kitchen again"] * 4 + ["", "  ", "long"]).map(
    lambda t: "x" * 2_600 if t == "long" else t)  # "long": over TEXT_MAX
request_kinds = st.sampled_from(list(RequestKind))
# C2: plans of two or three milestones ($60 + $50 [+ $70]), each of 1–3 days, 0–1 revisions.
MILESTONE_NAMES = ("Plans", "Renders", "Final set")
milestone_plans = st.lists(st.tuples(st.integers(1, 3), st.sampled_from([0, 1, None])), min_size=2, max_size=3)


@st.composite
def selections(draw) -> Selection:
    tier = draw(st.sampled_from(["basic", "standard", "premium"]))
    return Selection(tier, quantity=draw(st.integers(1, 3)),
                     fast_delivery=tier != "standard" and draw(st.booleans()),  # none for standard
                     extra_revisions=draw(st.integers(0, 2)),
                     custom_extras=draw(st.sampled_from([(), (("twilight", 1),), (("drone", 2),)])))


advances = st.one_of(st.builds(lambda m: timedelta(minutes=m), st.integers(1, 59)),
                     st.builds(lambda h: timedelta(hours=h), st.integers(1, 30)),
                     st.builds(lambda d: timedelta(days=d), st.integers(1, 3)))


@pytest.fixture(scope="module", autouse=True)
def aws_for_the_module():
    """One moto account for all examples (each starts from an empty table): creating the
    resources for every example would be most of the run time."""
    with mock_aws():
        create_all()
        yield


def _empty_table() -> None:
    """Deletes every item, read raw: the seller's earnings totals are written by an update and
    carry no item_type, so a polymorphic scan does not return them."""
    table = boto3.resource("dynamodb", region_name=app_settings().aws_region).Table(app_settings().table_name)
    with table.batch_writer() as batch:
        for page in table.meta.client.get_paginator("scan").paginate(
                TableName=table.name, ProjectionExpression="pk, sk"):
            for key in page["Items"]:
                batch.delete_item(Key={"pk": key["pk"], "sk": key["sk"]})


class OrderLifecycle(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        _empty_table()
        self.clock = FixedClock(START)
        self.previous_clock = runtime.use_clock(self.clock)
        self.expected_events: Counter[str] = Counter()  # order id → transitions applied
        self.placed: dict[str, str] = {}  # order id → buyer id
        self.gig_ids: dict[bool, str] = {}  # with requirements? → gig id
        self.conversation_ids: dict[str, str] = {}  # buyer → the pair's conversation (C1: the buyer wrote first)
        self.seller_with_published_gigs()

    def teardown(self) -> None:
        runtime.use_clock(self.previous_clock)

    # -- set-up through the services --------------------------------------------------------------
    def seller_with_published_gigs(self) -> None:
        for category in demo_catalogue().categories:
            catalogue.put_category(category, "seed", self.clock)
        photo = seed_profile_photo(SELLER, self.clock)  # A1: the seller's own clean photo
        accounts.activate_seller(SELLER, "dana", None, replace(PROFILE, photo=photo), self.clock)
        accounts.set_seller_level(SELLER, SellerLevel.LEVEL_1)  # G9: publishes without review
        for with_requirements in (True, False):
            gig = valid_gig(requirements=valid_gig().requirements if with_requirements else ())
            fields = {name: to_primitive(getattr(gig, name)) for name in GIG_FIELDS}
            fields["media"] = [seed_gig_image(SELLER, self.clock)]  # G8: a clean image to publish
            draft = gigs.create_draft(SELLER, fields, self.clock)
            published = gigs.publish(SELLER, draft.id, self.clock)
            assert published.is_listed
            self.gig_ids[with_requirements] = draft.id
        for buyer in BUYERS:
            conversation, _ = conversations.write_to(buyer, SELLER, None, "Could you plan my house?", [], None,
                                                     self.clock)
            self.conversation_ids[buyer] = conversation.id
        try:  # O2
            orders.place(SELLER, self.gig_ids[True], Selection("basic"), self.clock)
        except Forbidden as refused:
            assert refused.code == "own_gig"
        else:
            raise AssertionError("the seller ordered their own gig")

    # -- helpers ------------------------------------------------------------------------------------
    def viewer(self, order_id: str, who: str) -> Viewer:
        return Viewer({"buyer": self.placed[order_id], "seller": SELLER, "stranger": STRANGER}[who])

    def attempt(self, order_id: str | None, who: str, label: str, call: Callable[[], object]) -> bool:
        """Runs one service call; a refusal is a fine outcome, anything else fails the test.
        A call that succeeds applied exactly one transition to ``order_id`` (when given)."""
        try:
            call()
        except NotFound:
            assert who == "stranger", f"the {who} got a 404 from {label}"
            return False
        except REFUSALS:
            return False
        if order_id is not None:
            self.expected_events[order_id] += 1
        event(f"applied: {label}")
        return True

    def act(self, order_id: str, who: str, name: str, *args: Any) -> bool:
        """``orders.<name>(order_id, viewer, *args, clock)``: the shape of most order services."""
        service = getattr(orders, name)
        return self.attempt(order_id, who, name,
                            lambda: service(order_id, self.viewer(order_id, who), *args, self.clock))

    def request_id(self, order_id: str) -> str:
        record = order_store.get(order_id)
        return record.value.request.id if record and record.value.request else "req_none"

    # -- rules: placing -----------------------------------------------------------------------------
    @initialize(target=orders, with_requirements=st.booleans(), buyer=st.sampled_from(BUYERS),
                selection=selections())
    def first_order(self, with_requirements, buyer, selection):
        return self.place(with_requirements, buyer, selection)

    @rule(target=orders, with_requirements=st.booleans(), buyer=st.sampled_from(BUYERS), selection=selections())
    def place(self, with_requirements, buyer, selection):
        try:
            order = orders.place(buyer, self.gig_ids[with_requirements], selection, self.clock)
        except InvalidInput:
            return multiple()  # a selection the gig does not offer (fast delivery on standard)
        self.placed[order.id] = buyer
        self.expected_events[order.id] += 1
        event("applied: place")
        return order.id

    @rule(target=orders, with_requirements=st.booleans(), buyer=st.sampled_from(BUYERS), steps=milestone_plans,
          ahead=st.integers(0, 5))
    def place_milestone_order(self, with_requirements, buyer, steps, ahead):
        """C2: the seller sends a custom offer in milestones in the buyer's conversation; the buyer
        accepts it, which places the order and charges the first milestone; then ``ahead`` moves
        the order waits for (``next_step``), so runs reach later milestones within their steps."""
        amounts = (6_000, 5_000, 7_000)
        milestones = tuple(Milestone(MILESTONE_NAMES[i], f"Part {i + 1} of the project", days, amounts[i], revisions)
                           for i, (days, revisions) in enumerate(steps))
        draft = OfferDraft(gig_id=self.gig_ids[with_requirements], description="Your house, in parts",
                           price=sum(m.amount for m in milestones),
                           delivery_days=sum(m.delivery_days for m in milestones),
                           revisions=None, requirements_asked=with_requirements, milestones=milestones)
        offer, _ = custom_offers.send(self.conversation_ids[buyer], SELLER, draft, self.clock)
        _, order = custom_offers.accept(offer.id, Viewer(buyer), self.clock)
        self.placed[order.id] = buyer
        self.expected_events[order.id] += 1
        event("applied: place a milestone order")
        for _ in range(ahead):
            self.milestone_step(order.id)
        return order.id

    def milestone_step(self, order: str) -> None:
        """The move a milestone order waits for, each with valid input: requirements, a delivery
        (a message), the approval, the next milestone's payment."""
        state = order_store.get(order).value.state
        if state is OrderState.AWAITING_REQUIREMENTS:
            self.act(order, "buyer", "submit_requirements", ANSWERS)
        elif state in (OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED):
            self.act(order, "seller", "deliver", "This milestone's work", (), False)
        elif state is OrderState.DELIVERED:
            self.act(order, "buyer", "accept")
        elif state is OrderState.AWAITING_NEXT_MILESTONE:
            self.act(order, "buyer", "start_next_milestone")

    @rule(order=orders)
    def next_milestone_step(self, order):
        """Runs reach later milestones: the move a milestone order waits for (a gig order: the same)."""
        self.milestone_step(order)

    # -- rules: the buyer and the seller --------------------------------------------------------------
    @rule(order=orders, who=buyer_moves, move=st.sampled_from(["requirements", "accept", "revision", "cancel_late",
                                                                "next_milestone", "stop"]),
          complete=st.sampled_from([True] * 4 + [False]), message=texts)
    def buyer_acts(self, order, who, move, complete, message):
        if move == "requirements":
            self.act(order, who, "submit_requirements", ANSWERS if complete else ANSWERS[:1])
        elif move == "accept":
            self.act(order, who, "accept")
        elif move == "revision":
            self.act(order, who, "request_revision", message)
        elif move == "next_milestone":
            self.act(order, who, "start_next_milestone")
        elif move == "stop":
            self.act(order, who, "stop", message)
        else:
            self.act(order, who, "cancel_late", "too late")

    @rule(order=orders, who=seller_moves, message=texts, files=st.sampled_from([(), ("file_a",)]),
          move=st.sampled_from(["deliver", "deliver from draft", "progress update"]))
    def seller_acts(self, order, who, message, files, move):
        if move == "progress update":
            self.act(order, who, "send_progress_update", message)
            return
        from_draft = move == "deliver from draft"
        if from_draft and who == "seller":
            self.attempt(None, who, "save draft", lambda: orders.put_doc(
                order, self.viewer(order, who), orders.DRAFT, {"message": message, "files": list(files)},
                IfMatch()))  # the service without HTTP: no precondition
        self.act(order, who, "deliver", message, files, from_draft)

    @rule(order=orders, revise=st.sampled_from([False, False, True]))
    def next_step(self, order, revise):
        """The move the order waits for, so runs get past the first states: requirements, a
        delivery, then acceptance or a revision."""
        state = order_store.get(order).value.state
        if state is OrderState.AWAITING_REQUIREMENTS:
            self.act(order, "buyer", "submit_requirements", ANSWERS)
        elif state in (OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED):
            self.act(order, "seller", "deliver", "Here it is", ("file_a",), False)
        elif state is OrderState.DELIVERED and revise:
            self.act(order, "buyer", "request_revision", "Brighter please")
        elif state is OrderState.DELIVERED:
            self.act(order, "buyer", "accept")
        elif state is OrderState.AWAITING_NEXT_MILESTONE and revise:
            self.act(order, "buyer", "stop", "")
        elif state is OrderState.AWAITING_NEXT_MILESTONE:
            self.act(order, "buyer", "start_next_milestone")

    @rule(order=orders, revise=st.sampled_from([False, False, True]))
    def next_step_again(self, order, revise):
        """The same as ``next_step``, listed twice so that runs go deeper more often."""
        self.next_step(order, revise)

    # -- rules: the resolution center ---------------------------------------------------------------
    # ``who``: "right" is the party the rules expect (an allowed opener, the other party to answer,
    # the opener to withdraw); "wrong" the other party; or a stranger.
    @rule(order=orders, who=parties, kind=request_kinds, reason=texts, days=st.integers(-1, 32),
          price=st.integers(0, 5_000), added_days=st.integers(-3, 3), added_revisions=st.integers(0, 2),
          from_gig=st.booleans())
    def open_request(self, order, who, kind, reason, days, price, added_days, added_revisions, from_gig):
        opener = "buyer" if kind in (RequestKind.PROGRESS_UPDATE, RequestKind.CANCELLATION) else "seller"
        who = self.resolve(who, right=opener)
        custom = (CustomLine("Changed scope", price),) if price else ()
        gig_extras = (("twilight", 1),) if from_gig else ()
        self.attempt(order, who, f"open_request {kind}", lambda: orders.open_request(
            order, self.viewer(order, who), kind, self.clock, reason=reason, days=days, custom=custom,
            gig_extras=gig_extras, added_days=added_days, added_revisions=added_revisions))

    @rule(order=orders, who=parties, accept_it=st.booleans(), stale=st.sampled_from([False] * 4 + [True]))
    def answer_request(self, order, who, accept_it, stale):
        opener = self.request_opener(order)
        who = self.resolve(who, right="seller" if opener == "buyer" else "buyer")
        self.act(order, who, "answer_request", "req_stale" if stale else self.request_id(order), accept_it)

    @rule(order=orders, who=parties)
    def withdraw_request(self, order, who):
        who = self.resolve(who, right=self.request_opener(order) or "buyer")
        self.act(order, who, "withdraw_request", self.request_id(order))

    @staticmethod
    def resolve(who: str, right: str) -> str:
        if who == "right":
            return right
        if who == "wrong":
            return "seller" if right == "buyer" else "buyer"
        return who

    def request_opener(self, order_id: str) -> str | None:
        request = order_store.get(order_id).value.request
        return request.opened_by.value if request else None

    # -- rules: support and the clock ---------------------------------------------------------------
    @rule(order=orders, at_fault=st.booleans(), act=st.sampled_from([False] * 3 + [True]))
    def operator_cancel(self, order, at_fault, act):
        if act and self.attempt(order, "operator", "operator_cancel", lambda: orders.operator_cancel(
                order, OPERATOR, "support decision", at_fault, self.clock)):
            cancellation = order_store.get(order).value.cancellation
            assert cancellation.by == "operator" and cancellation.seller_at_fault is at_fault

    @rule(delta=advances)
    def time_passes(self, delta):
        self.clock.advance(seconds=delta.total_seconds())
        self.sweep()

    @rule()
    def until_the_next_timer(self):
        dues = [t.due_at for o in self.stored_orders() for t in o.value.timers.values()]
        if dues:
            self.clock.advance(seconds=max(0.0, (min(dues) - self.clock.now()).total_seconds()) + 1)
        self.sweep()
        self.check_due_index()

    def sweep(self) -> None:
        before = {o.value.id: o.value.seq for o in self.stored_orders()}
        report = sweeper.sweep(self.clock)
        assert report.failed == 0, report
        for o in self.stored_orders():
            applied = o.value.seq - before[o.value.id]
            assert applied >= 0
            self.expected_events[o.value.id] += applied
            if applied:
                event("applied: a timer")
        # A sweep leaves nothing due behind that can still fire.
        now = self.clock.now()
        for o in self.stored_orders():
            for kind, timer in o.value.timers.items():
                assert timer.due_at > now or o.value.fire(kind, timer.ref, now) is None, (kind, o.value.state)

    # -- reading the stored data ----------------------------------------------------------------------
    def stored_orders(self):
        return [order_store.get(order_id) for order_id in self.placed]

    def partition(self, order_id: str) -> dict[type, list]:
        """Everything stored under the order, in one Query: the order, its timers, its ledger, its
        events, its deliveries."""
        items: dict[type, list] = defaultdict(list)
        for item in TableItem.query(f"ORDER#{order_id}", consistent_read=True):
            items[type(item)].append(item)
        return items

    # -- invariants (one read of each partition per step) ---------------------------------------------
    @invariant()
    def stored_data_holds_together(self):
        records = []
        for order_id in self.placed:
            items = self.partition(order_id)
            [item] = items[OrderItem]
            order = from_primitive(Order, item.data)
            records.append(order)
            self.check_state_and_history(order, item, [from_primitive(Event, e.data) for e in items[EventItem]])
            self.check_money(order, [i.data for i in items[LedgerItem]])
            self.check_milestones(order)
            self.check_timers(order, items[OrderTimerItem])
        self.check_earnings_and_relationships(records)

    def check_state_and_history(self, order: Order, item: OrderItem, history: list[Event]) -> None:
        """One state at a time; every transition a service applied is in the history once, in order."""
        assert isinstance(order.state, OrderState) and order.state is not OrderState.NEW
        assert item.state == order.state.value
        assert len(history) == self.expected_events[order.id] == order.seq, (
            [e.kind for e in history], self.expected_events[order.id], order.seq)
        assert [e.seq for e in history] == list(range(1, order.seq + 1))
        assert len({e.id for e in history}) == len(history)
        assert history[-1].data["state"] == order.state.value
        assert history[0].kind == "order.place" and history[0].recipients == (SELLER,)

    @staticmethod
    def check_money(order: Order, entries: list[dict]) -> None:
        """M1/M3: paid = refunded + earnings + fees + held, and the stored entries say the same."""
        b = order.balance
        assert b.held >= 0
        assert b.paid == b.refunded + b.seller_earnings + b.platform_fees + b.held
        sums: Counter[str] = Counter()
        per_stage: dict[int, Counter[str]] = defaultdict(Counter)
        for entry in entries:
            assert entry["amount"] >= 0
            sums[entry["kind"]] += entry["amount"]
            per_stage[entry["stage"]][entry["kind"]] += entry["amount"]
        for i, money in enumerate(b.stages):  # C2: per milestone too
            assert money.held >= 0
            assert money.paid == money.refunded + money.seller_earnings + money.platform_fees + money.held
            assert (per_stage[i][EntryKind.PAYMENT], per_stage[i][EntryKind.REFUND],
                    per_stage[i][EntryKind.SELLER_EARNING], per_stage[i][EntryKind.PLATFORM_FEE]) == (
                money.paid, money.refunded, money.seller_earnings, money.platform_fees)
        assert set(per_stage) <= set(range(len(b.stages)))
        assert sums[EntryKind.PAYMENT] == b.paid
        assert sums[EntryKind.REFUND] == b.refunded
        assert sums[EntryKind.SELLER_EARNING] == b.seller_earnings
        assert sums[EntryKind.PLATFORM_FEE] == b.platform_fees
        assert sorted(e["seq"] for e in entries) == list(range(1, b.entries + 1))
        if order.state in FINISHED:
            assert b.held == 0  # a finished order holds nothing
        if order.is_milestone_order:  # C2: the milestones started so far were paid, none after them
            assert b.paid >= sum(stage.amount for stage in order.stages[: order.stage + 1])
            assert all(money.paid == 0 for money in b.stages[order.stage + 1:])
        else:
            assert b.paid >= order.total  # every line of the order was paid for

    @staticmethod
    def check_milestones(order: Order) -> None:
        """C2–C5: one state per milestone: the ones before the running one approved and settled, at
        most one running (and only while the order works on it), none waiting on a finished order."""
        if not order.is_milestone_order:
            assert plan(order) == []
            return
        views = plan(order)
        states = [v.state for v in views]
        event(f"seen: a milestone order {order.state.value}, milestone {order.stage + 1}")
        running = {MilestoneState.AWAITING_REQUIREMENTS, MilestoneState.IN_PROGRESS, MilestoneState.DELIVERED,
                   MilestoneState.REVISION_REQUESTED}
        assert states[: order.stage] == [MilestoneState.APPROVED] * order.stage
        works = order.state in ACTIVE and order.state is not OrderState.AWAITING_NEXT_MILESTONE
        assert sum(s in running for s in states) == (1 if works else 0), (order.state, states)
        if order.state in FINISHED:
            assert not {MilestoneState.PENDING, MilestoneState.AWAITING_PAYMENT} & set(states)
        for view in views:
            if view.state is MilestoneState.APPROVED:
                assert view.held == 0 and view.paid > 0 and view.seller_earnings > 0
            if view.state in (MilestoneState.PENDING, MilestoneState.AWAITING_PAYMENT, MilestoneState.NOT_STARTED):
                assert view.paid == 0
        assert order.counts_as_completed == (order.state is OrderState.COMPLETED or (
            order.state is OrderState.CANCELLED and (order.reopened_at is not None
                                                     or MilestoneState.APPROVED in states)))

    @staticmethod
    def check_timers(order: Order, items: list[OrderTimerItem]) -> None:
        """Every running timer has its item in the due index, and no other timer item exists; a
        finished order runs none (but the lapse of a request on a completed one); between two
        milestones only the next payment's window runs (C2)."""
        if order.state is OrderState.CANCELLED:
            assert order.timers == {}
        if order.state is OrderState.COMPLETED:
            assert set(order.timers) <= {DeadlineKind.ORDER_REQUEST}
        assert (DeadlineKind.ORDER_REQUEST in order.timers) == (order.request is not None)
        next_payment = order.state is OrderState.AWAITING_NEXT_MILESTONE
        assert (DeadlineKind.ORDER_NEXT_MILESTONE in order.timers) == next_payment
        if next_payment:
            assert set(order.timers) == {DeadlineKind.ORDER_NEXT_MILESTONE}
        stored = {(i.kind, i.ref, i.due_shard, i.due_at) for i in items}
        shard = f"DUE#{shard_of(order.id, app_settings().due_shards):02d}"
        assert stored == {(k.value, t.ref, shard, f"{iso(t.due_at)}#{k.value}#{order.id}")
                          for k, t in order.timers.items()}

    def check_earnings_and_relationships(self, records: list[Order]) -> None:
        """M1: the seller's totals are the sum of the earnings entries; O17/O19: each pair's
        relationship counts what its orders say."""
        earned = sum(o.balance.seller_earnings for o in records)
        totals = order_store.earnings_totals(SELLER)
        assert (int(totals.earned) if totals else 0) == earned
        page, _ = order_store.earnings_page(SELLER, 1000, None)
        assert sum(e["amount"] for e in page) == earned
        by_buyer = defaultdict(list)
        for o in records:
            by_buyer[o.buyer_id].append(o)
        for buyer, mine in by_buyer.items():
            rel = relationship_store.get(SELLER, buyer)
            assert rel is not None
            assert rel.value.orders_placed == len(mine)
            assert rel.value.active_orders == sum(o.state in ACTIVE for o in mine)
            assert rel.value.completed_orders == sum(o.counts_as_completed for o in mine)  # C4 included
            assert rel.value.total_spent == sum(o.balance.seller_earnings + o.balance.platform_fees for o in mine)

    def check_due_index(self) -> None:
        """The due index holds exactly the timers the orders run (after each sweep)."""
        expected = {(o.value.id, k.value, t.ref) for o in self.stored_orders() for k, t in o.value.timers.items()}
        in_index = set()
        for shard in range(app_settings().due_shards):
            for item in TableItem.due.query(f"DUE#{shard:02d}"):
                assert isinstance(item, OrderTimerItem), item
                in_index.add((item.subject, item.kind, item.ref))
        assert in_index == expected


OrderLifecycle.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None,
                                            phases=[p for p in Phase if p is not Phase.explain],
                                            suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
test_order_lifecycle = OrderLifecycle.TestCase

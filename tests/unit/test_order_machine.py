"""The shape of the order machine (O1–O12, milestone orders C2–C4): a breadth-first search over actions from placement,
on the domain alone with a clock the search advances, must use every row of ORDER_TRANSITIONS,
reach every state, and find a way to a finished state (completed or cancelled) from every state
it reaches. Timers are data: every order timer has its action and a row that arms it."""
from __future__ import annotations

import copy
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from chalicelib.domain.deadlines import DeadlineKind
from chalicelib.domain.errors import DomainError
from chalicelib.domain.events import Actor
from chalicelib.domain.orders import (
    ACTIVE,
    FINISHED,
    ORDER_TRANSITIONS,
    REQUEST_RULES,
    TIMER_ACTIONS,
    Accept,
    AcceptRequest,
    CancelLate,
    ChangeOffer,
    DeclineRequest,
    Deliver,
    MilestoneState,
    OpenResolutionRequest,
    OperatorCancel,
    Order,
    OrderAction,
    OrderCommand,
    OrderLine,
    OrderState,
    RequestKind,
    RequestRevision,
    SendProgressUpdate,
    StartNextMilestone,
    Stop,
    SubmitRequirements,
    Transition,
    WithdrawRequest,
    plan,
)

from .gig_factory import NOW, published_gig
from .order_factory import (
    MILESTONES,
    OP,
    SYS,
    VALID_ANSWERS,
    A,
    B,
    K,
    S,
    actor_id,
    assert_money_conserved,
    place,
    place_milestones,
)

SECOND = timedelta(seconds=1)
MAX_NODES = 20_000


@dataclass
class Node:
    order: Order
    now: datetime


def row_for(order: Order, action: OrderAction, role: Actor) -> int | None:
    """The index of the row ``Order.apply`` picks (the first that matches), without applying."""
    for i, t in enumerate(ORDER_TRANSITIONS):
        if t.action is action and role in t.actors and order.state in t.sources \
                and (t.when is None or t.when(order)):
            return i
    return None


def _offer(kind: RequestKind) -> ChangeOffer:
    return ChangeOffer((OrderLine("offer", "More", 1_000, 1, 1_000),), added_days=1,
                 added_revisions=1 if kind is not RequestKind.EXTRAS else 0)


def _moves(order: Order) -> list[tuple[str, OrderAction, Actor, OrderCommand]]:
    """Every action a party or an operator could take now, with valid input."""
    rid = order.request.id if order.request else ""
    moves: list[tuple[str, Actor, OrderCommand]] = [
        ("submit", B, SubmitRequirements(VALID_ANSWERS)),
        ("deliver", S, Deliver(message="done")),
        ("accept", B, Accept()),
        ("revise", B, RequestRevision("again")),
        ("cancel_late", B, CancelLate()),
        ("operator_cancel", OP, OperatorCancel("support", seller_at_fault=False)),
        ("progress_update", S, SendProgressUpdate("half way")),
        ("start_next_milestone", B, StartNextMilestone()),
        ("stop", B, Stop("enough")),
    ]
    for kind, rule in REQUEST_RULES.items():
        for role in rule.openers:
            moves.append((f"open_{kind}_{role}", role,
                          OpenResolutionRequest(kind, reason="because", days=1, offer=_offer(kind))))
    for role in (B, S):
        for name, command in (("withdraw", WithdrawRequest(rid)), ("decline", DeclineRequest(rid)),
                              ("accept_request", AcceptRequest(rid))):
            moves.append((f"{name}_{role}", role, command))
    return [(name, command.ACTION, role, command) for name, role, command in moves]


def _key(order: Order, now: datetime) -> tuple:
    """What tells states of the search apart (times and ids left out, so it stays finite)."""
    left = order.revisions_left
    return (order.state, order.request.kind if order.request else None,
            order.request.opened_by if order.request else None, tuple(sorted(order.timers)),
            order.started_at is not None, min(left, 2) if left is not None else None,
            order.balance.seller_earnings > 0, _days_to_timers(order, now),
            len(order.stages), order.stage, order.approved_at is not None)


def _days_to_timers(order: Order, now: datetime) -> tuple[int, ...]:
    """Whole days (at most 8) until each timer, by kind: which timer fires first matters."""
    return tuple(min(8, (order.timers[k].due_at - now) // timedelta(days=1)) for k in sorted(order.timers))


def _successors(node: Node) -> list[tuple[int | None, Node]]:
    out: list[tuple[int | None, Node]] = []
    for _, action, role, command in _moves(node.order):
        row = row_for(node.order, action, role)
        if row is None:
            continue
        order = copy.deepcopy(node.order)
        try:
            order.apply(command, role, actor_id(role), node.now)
        except DomainError:
            continue
        out.append((row, Node(order, node.now)))
    # the clock: a day passes with nothing due, so requests can be opened later on
    if node.order.timers and min(t.due_at for t in node.order.timers.values()) > node.now + timedelta(days=1):
        out.append((None, Node(copy.deepcopy(node.order), node.now + timedelta(days=1))))
    # the clock: jump just past the earliest timer and let it fire, as the sweeper would
    if node.order.timers:
        kind, timer = min(node.order.timers.items(), key=lambda kv: (kv[1].due_at, kv[0]))
        now = max(node.now, timer.due_at + SECOND)
        order = copy.deepcopy(node.order)
        row = row_for(order, TIMER_ACTIONS[kind], SYS)
        outcome = order.fire(kind, timer.ref, now)
        assert outcome is not None, (kind, order.state)
        assert row is not None
        out.append((row, Node(order, now)))
    return out


def explore() -> tuple[set[int], dict[tuple, Node], dict[tuple, set[tuple]]]:
    used: set[int] = set()
    nodes: dict[tuple, Node] = {}
    edges: dict[tuple, set[tuple]] = {}
    queue: deque[Node] = deque()
    for gig in (published_gig(), published_gig(requirements=())):
        order, _ = place(gig, now=NOW)
        used.add(row_for_place(gig))
        nodes.setdefault(_key(order, NOW), Node(order, NOW))
        queue.append(Node(order, NOW))
    order, _ = place_milestones(milestones=MILESTONES[:2], now=NOW)  # C2: a plan of two milestones
    nodes.setdefault(_key(order, NOW), Node(order, NOW))
    queue.append(Node(order, NOW))
    while queue:
        node = queue.popleft()
        key = _key(node.order, node.now)
        for row, nxt in _successors(node):
            if row is not None:
                used.add(row)
            assert_money_conserved(nxt.order)
            nkey = _key(nxt.order, nxt.now)
            edges.setdefault(key, set()).add(nkey)
            if nkey not in nodes:
                nodes[nkey] = nxt
                queue.append(nxt)
                assert len(nodes) < MAX_NODES, "the search does not close; the key is too fine"
    return used, nodes, edges


def row_for_place(gig) -> int:
    placing = SimpleNamespace(requirements=tuple(gig.requirements))  # what PLACE's conditions read
    return next(i for i, t in enumerate(ORDER_TRANSITIONS) if t.action is A.PLACE
                and t.when is not None and t.when(placing))


_EXPLORED: tuple | None = None


def _explored():
    global _EXPLORED
    if _EXPLORED is None:
        _EXPLORED = explore()
    return _EXPLORED


def _describe(t: Transition) -> str:
    when = getattr(t.when, "__name__", None)
    return f"{t.action} by {sorted(t.actors)} from {sorted(t.sources)} when={when} → {t.target}"


def test_every_transition_is_reachable() -> None:
    used, _, _ = _explored()
    missing = [_describe(ORDER_TRANSITIONS[i]) for i in range(len(ORDER_TRANSITIONS)) if i not in used]
    assert missing == []


def test_every_state_is_reachable() -> None:
    _, nodes, _ = _explored()
    reached = {key[0] for key in nodes} | {OrderState.NEW}  # NEW is where placement starts
    assert reached == set(OrderState)


def test_a_finished_state_is_reachable_from_every_reachable_state() -> None:
    _, nodes, edges = _explored()
    done = {key for key in nodes if key[0] in FINISHED}
    reverse: dict[tuple, set[tuple]] = {}
    for src, dsts in edges.items():
        for dst in dsts:
            reverse.setdefault(dst, set()).add(src)
    can_finish = set(done)
    queue = deque(done)
    while queue:
        for src in reverse.get(queue.popleft(), ()):
            if src not in can_finish:
                can_finish.add(src)
                queue.append(src)
    stuck = [key for key in nodes if key not in can_finish]
    assert stuck == []


def test_finished_orders_hold_no_money_and_run_no_timer_but_a_request_lapse() -> None:
    _, nodes, _ = _explored()
    for node in nodes.values():
        order = node.order
        assert_money_conserved(order)
        if order.state is OrderState.CANCELLED:
            assert order.timers == {} and order.request is None and order.balance.held == 0
        if order.state is OrderState.COMPLETED:
            assert order.balance.held == 0
            assert set(order.timers) <= {K.ORDER_REQUEST}
            assert (K.ORDER_REQUEST in order.timers) == (order.request is not None)


def test_timers_match_the_state_everywhere_the_search_went() -> None:
    """A timer runs only in the states whose rows can fire it, and the request timer runs
    exactly while a request is open."""
    _, nodes, _ = _explored()
    for node in nodes.values():
        order = node.order
        for kind in order.timers:
            action = TIMER_ACTIONS[kind]
            assert any(t.action is action and order.state in t.sources for t in ORDER_TRANSITIONS), \
                (kind, order.state)
        assert (K.ORDER_REQUEST in order.timers) == (order.request is not None), order
        if order.request is not None:
            assert order.timers[K.ORDER_REQUEST].due_at == order.request.expires_at


def test_every_order_timer_has_an_action_and_a_row_that_sets_it() -> None:
    order_kinds = {k for k in DeadlineKind if k.value.startswith("order_")}
    assert set(TIMER_ACTIONS) == order_kinds
    for kind in order_kinds:
        assert any(kind in t.sets for t in ORDER_TRANSITIONS), kind
        action = TIMER_ACTIONS[kind]
        rows = [t for t in ORDER_TRANSITIONS if t.action is action]
        assert rows and all(t.actors == frozenset({SYS}) for t in rows), kind


def test_the_system_takes_only_timer_actions_and_people_never_do() -> None:
    system_actions = {t.action for t in ORDER_TRANSITIONS if SYS in t.actors}
    assert system_actions == set(TIMER_ACTIONS.values())
    for t in ORDER_TRANSITIONS:
        if t.action in system_actions:
            assert t.actors == frozenset({SYS})


def test_rows_of_one_action_never_overlap() -> None:
    """For each action and role, at most one row may match any state and condition: the
    ``when`` conditions of rows sharing a source state are mutually exclusive on the search."""
    _, nodes, _ = _explored()
    for node in nodes.values():
        order = node.order
        for action in OrderAction:
            for role in Actor:
                matching = [t for t in ORDER_TRANSITIONS if t.action is action and role in t.actors
                            and order.state in t.sources and (t.when is None or t.when(order))]
                assert len(matching) <= 1, [_describe(t) for t in matching]


def test_every_milestone_has_one_state_and_its_own_money_everywhere_the_search_went() -> None:
    """C2–C5: milestones before the running one are approved and settled; at most one milestone
    runs, and only while the order works on it; one that never started holds no money; a
    finished order leaves no milestone waiting; money is conserved per milestone (M1, M3)."""
    _, nodes, _ = _explored()
    running = {MilestoneState.AWAITING_REQUIREMENTS, MilestoneState.IN_PROGRESS, MilestoneState.DELIVERED,
               MilestoneState.REVISION_REQUESTED}
    seen: set[MilestoneState] = set()
    for node in nodes.values():
        order = node.order
        if not order.is_milestone_order:
            assert plan(order) == []
            continue
        views = plan(order)
        states = [view.state for view in views]
        seen |= set(states)
        assert states[: order.stage] == [MilestoneState.APPROVED] * order.stage
        assert sum(s in running for s in states) == (1 if order.state in ACTIVE - {OrderState.AWAITING_NEXT_MILESTONE}
                                                       else 0), (order.state, states)
        if order.state in FINISHED:
            assert not {MilestoneState.PENDING, MilestoneState.AWAITING_PAYMENT} & set(states)
        for view in views:
            assert view.paid == view.refunded + view.seller_earnings + view.platform_fees + view.held
            if view.state in (MilestoneState.PENDING, MilestoneState.AWAITING_PAYMENT, MilestoneState.NOT_STARTED):
                assert view.paid == 0
            if view.state is MilestoneState.APPROVED:
                assert view.held == 0 and view.refunded == 0 and view.seller_earnings == view.paid * 80 // 100
            if view.state is MilestoneState.CANCELLED:
                assert view.held == 0 and view.seller_earnings == 0
        assert order.counts_as_completed == (order.state is OrderState.COMPLETED or (
            order.state is OrderState.CANCELLED and MilestoneState.APPROVED in states))
    assert seen == set(MilestoneState) - {MilestoneState.AWAITING_REQUIREMENTS}  # its gig has no requirements

"""The resolution center on the domain alone: extras offers (O10), mutual cancellation (O11),
extensions, progress updates, modifications and additional revisions (O12)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import (
    REQUEST_RULES,
    Accept,
    AcceptRequest,
    ChangeOffer,
    DeclineRequest,
    Deliver,
    OperatorCancel,
    OrderLine,
    OrderState,
    RequestKind,
    RequestRevision,
    SendProgressUpdate,
    SubmitRequirements,
    WithdrawRequest,
)
from chalicelib.domain.pricing import Selection, price_extras

from .gig_factory import NOW, SELLER_ID, published_gig
from .order_factory import (
    BUYER_ID,
    OP,
    SYS,
    VALID_ANSWERS,
    A,
    B,
    K,
    S,
    actor_id,
    assert_money_conserved,
    completed,
    delivered,
    fire_due,
    in_progress,
    open_request,
    place,
)

DAY = timedelta(days=1)
R = RequestKind


def _line(price: int, qty: int = 1, description: str = "More photos") -> OrderLine:
    return OrderLine("offer", description, price, qty, price * qty)


def _answer(order, role, accept: bool, at):
    command = AcceptRequest(order.request.id) if accept else DeclineRequest(order.request.id)
    return order.apply(command, role, actor_id(role), at)


def _snapshot(order):
    return (order.state, order.lines, order.delivery_days, order.revisions_allowed, order.balance.paid,
            order.due_at, order.cancellation)


# -- O10 extras during an order -------------------------------------------------------------------
def test_o10_extras_from_the_gigs_list_are_priced_as_at_ordering() -> None:
    quote = price_extras(published_gig(), 2, (("twilight", 1), ("drone", 2)))
    assert [(line.kind, line.amount) for line in quote.lines] == [
        ("additional_revision", 3_000), ("custom_extra", 4_000), ("custom_extra", 12_000)]
    assert quote.added_days == 2 + 1 + 4 and quote.added_revisions == 2
    with pytest.raises(InvalidInput) as caught:
        price_extras(published_gig(), 0, (("castle", 1), ("twilight", 0)))
    assert {f.field for f in caught.value.fields} == {"custom_extras.0.id", "custom_extras.1.quantity"}
    assert all(f.rule == "O10" for f in caught.value.fields)


def test_o10_accepted_extras_are_paid_and_move_the_due_time() -> None:
    order = in_progress()
    due = order.due_at
    offer = ChangeOffer((_line(4_000), _line(1_500, 2)), added_days=2, added_revisions=1)
    opened = open_request(order, S, R.EXTRAS, NOW + DAY, offer=offer)
    assert opened.event.recipients == (BUYER_ID,)
    assert opened.event.notification is NotificationKind.RESOLUTION_REQUEST
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE, K.ORDER_REQUEST}
    outcome = _answer(order, B, True, NOW + DAY)
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.PAYMENT, 7_000)]
    assert order.balance.paid == 5_000 + 7_000 == order.total
    assert order.lines[-2:] == offer.lines
    assert order.due_at == due + timedelta(days=2)
    assert order.timers[K.ORDER_LATE].due_at == order.due_at
    assert order.revisions_allowed == 2
    assert order.request is None and K.ORDER_REQUEST not in order.timers
    assert order.state is OrderState.IN_PROGRESS


def test_o10_declined_extras_change_nothing() -> None:
    order = in_progress()
    before = _snapshot(order)
    open_request(order, S, R.EXTRAS, NOW, offer=ChangeOffer((_line(4_000),), added_days=2))
    outcome = _answer(order, B, False, NOW + DAY)
    assert outcome.ledger == []
    assert _snapshot(order) == before
    assert order.request is None and K.ORDER_REQUEST not in order.timers


def test_o10_only_the_seller_offers_extras_and_the_offer_must_hold_something() -> None:
    order = in_progress()
    with pytest.raises(Forbidden) as caught:
        open_request(order, B, R.EXTRAS, NOW, offer=ChangeOffer((_line(100),)))
    assert caught.value.rule == "O10"
    for bad, field in [(ChangeOffer(()), "offer.lines"), (ChangeOffer((_line(-1),)), "offer.lines.0"),
                       (ChangeOffer((_line(100, 0),)), "offer.lines.0"),
                       (ChangeOffer((_line(100),), added_days=-1), "offer.added_days"),
                       (ChangeOffer((_line(100),) * 11), "offer.lines")]:
        with pytest.raises(InvalidInput) as caught:
            open_request(order, S, R.EXTRAS, NOW, offer=bad)
        assert field in {f.field for f in caught.value.fields}, bad
    with pytest.raises(InvalidInput):
        open_request(order, S, R.EXTRAS, NOW)  # no offer at all
    assert order.request is None


def test_o10_no_extras_on_a_finished_order() -> None:
    order = completed()
    with pytest.raises(Conflict) as caught:
        open_request(order, S, R.EXTRAS, NOW + 5 * DAY, offer=ChangeOffer((_line(100),)))
    assert caught.value.code == "invalid_transition"


# -- O11 mutual cancellation ----------------------------------------------------------------------
@pytest.mark.parametrize("opener", [B, S])
def test_o11_either_party_asks_and_the_other_accepts(opener) -> None:
    order = delivered()
    other = S if opener is B else B
    open_request(order, opener, R.CANCELLATION, NOW + DAY, reason="We do not agree on the scope")
    assert order.request.expires_at == NOW + DAY + timedelta(hours=48)
    outcome = _answer(order, other, True, NOW + 2 * DAY)
    assert order.state is OrderState.CANCELLED
    assert order.cancellation.mutual and order.cancellation.by is other
    assert order.cancellation.reason == "We do not agree on the scope"
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.REFUND, 5_000)]
    assert order.timers == {}
    assert outcome.event.notification is NotificationKind.ORDER_CANCELLED


def test_o11_a_cancellation_needs_a_reason() -> None:
    order = in_progress()
    with pytest.raises(InvalidInput):
        open_request(order, B, R.CANCELLATION, NOW, reason="  ")
    assert order.request is None


@pytest.mark.parametrize("state", ["awaiting", "in_progress", "delivered", "revision"])
@pytest.mark.parametrize("close", ["decline", "withdraw"])
def test_o11_decline_or_withdraw_returns_to_the_previous_state(state, close) -> None:
    if state == "awaiting":
        order, _ = place()
    elif state == "in_progress":
        order = in_progress()
    else:
        order = delivered()
        if state == "revision":
            order.apply(RequestRevision(message="again"), B, BUYER_ID, NOW + DAY)
    before = _snapshot(order)
    timers = {k: t for k, t in order.timers.items()}
    open_request(order, B, R.CANCELLATION, NOW + DAY)
    if close == "decline":
        _answer(order, S, False, NOW + DAY)
    else:
        order.apply(WithdrawRequest(request_id=order.request.id), B, BUYER_ID, NOW + DAY)
    assert _snapshot(order) == before
    assert order.request is None
    assert {k: t.due_at for k, t in order.timers.items()} == {k: t.due_at for k, t in timers.items()}


def test_o11_unanswered_for_48_hours_the_order_is_cancelled_as_mutual() -> None:
    order = in_progress(selection=Selection("standard"))
    open_request(order, B, R.CANCELLATION, NOW + timedelta(hours=1))
    assert fire_due(order, NOW + timedelta(hours=49) - timedelta(seconds=1)) == []
    outcomes = fire_due(order, NOW + timedelta(hours=49))
    assert [o.action for o in outcomes] == [A.EXPIRE_REQUEST]
    assert order.state is OrderState.CANCELLED
    assert order.cancellation.mutual and order.cancellation.by is SYS
    assert order.balance.refunded == 10_000 and order.timers == {}
    assert set(outcomes[0].event.recipients) == {BUYER_ID, SELLER_ID}


def test_o11_no_cancellation_request_after_completion() -> None:
    order = completed()
    for role in (B, S):
        with pytest.raises(Conflict) as caught:
            open_request(order, role, R.CANCELLATION, NOW + 5 * DAY)
        assert caught.value.rule == "O11"


# -- O12 who opens, who answers, one at a time ----------------------------------------------------
@pytest.mark.parametrize("kind", list(R))
def test_o12_only_the_allowed_party_opens_each_kind(kind) -> None:
    rule = REQUEST_RULES[kind]
    for role in (B, S):
        if role in rule.openers:
            continue
        order = completed() if kind is R.ADDITIONAL_REVISIONS else in_progress()
        with pytest.raises(Forbidden) as caught:
            open_request(order, role, kind, NOW + 3 * DAY,
                         offer=ChangeOffer((_line(100),), added_revisions=1))
        assert caught.value.code == "not_your_request"
    for role in (OP, SYS):
        with pytest.raises(Forbidden):
            open_request(in_progress(), role, kind, NOW, offer=ChangeOffer((_line(100),), added_revisions=1))


def test_o12_one_open_request_at_a_time() -> None:
    order = in_progress()
    open_request(order, S, R.EXTENSION, NOW, days=2)
    first = order.request
    with pytest.raises(Conflict) as caught:
        open_request(order, B, R.CANCELLATION, NOW)
    assert caught.value.code == "request_open"
    with pytest.raises(Conflict):
        open_request(order, S, R.EXTRAS, NOW, offer=ChangeOffer((_line(100),)))
    assert order.request == first


def test_o12_answers_come_only_from_the_other_party_and_only_the_opener_withdraws() -> None:
    order = in_progress()
    open_request(order, S, R.EXTENSION, NOW, days=2)
    rid = order.request.id
    for command in (AcceptRequest(rid), DeclineRequest(rid)):
        with pytest.raises(Forbidden) as caught:
            order.apply(command, S, SELLER_ID, NOW)
        assert caught.value.code == "not_request_answerer"
    with pytest.raises(Forbidden) as caught:
        order.apply(WithdrawRequest(request_id=rid), B, BUYER_ID, NOW)
    assert caught.value.code == "not_request_opener"
    with pytest.raises(Forbidden):
        order.apply(AcceptRequest(request_id=rid), OP, None, NOW)  # support is not involved
    with pytest.raises(Conflict) as caught:
        order.apply(AcceptRequest(request_id="req_other"), B, BUYER_ID, NOW)
    assert caught.value.code == "request_not_open"
    assert order.request.id == rid
    order.apply(WithdrawRequest(request_id=rid), S, SELLER_ID, NOW)
    with pytest.raises(Conflict):
        order.apply(AcceptRequest(request_id=rid), B, BUYER_ID, NOW)
    with pytest.raises(Conflict) as caught:
        order.apply(DeclineRequest(request_id=rid), B, BUYER_ID, NOW)
    assert caught.value.code == "no_open_request"


# -- O12 extension --------------------------------------------------------------------------------
def test_o12_extension_accepted_moves_the_due_time() -> None:
    order = in_progress()
    due = order.due_at
    open_request(order, S, R.EXTENSION, NOW + DAY, days=3, reason="The weather")
    _answer(order, B, True, NOW + DAY)
    assert order.due_at == due + timedelta(days=3)


def test_o12_extension_lapses_after_4_days_and_nothing_changes() -> None:
    order = in_progress(selection=Selection("premium"))  # 7 days: not late before the lapse
    before = _snapshot(order)
    open_request(order, S, R.EXTENSION, NOW, days=3)
    assert order.request.expires_at == NOW + timedelta(days=4)
    outcomes = fire_due(order, NOW + timedelta(days=4))
    assert [o.action for o in outcomes] == [A.EXPIRE_REQUEST]
    assert _snapshot(order) == before and order.request is None
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE}


@pytest.mark.parametrize("days", [0, -1, 31, "3", True, None])
def test_o12_extension_days_from_1_to_30(days) -> None:
    order = in_progress()
    with pytest.raises(InvalidInput) as caught:
        open_request(order, S, R.EXTENSION, NOW, days=days)
    assert caught.value.fields[0].field == "days"


def test_o12_no_extension_after_the_delivery() -> None:
    with pytest.raises(Conflict):
        open_request(delivered(), S, R.EXTENSION, NOW + 2 * DAY)


# -- O12 progress update --------------------------------------------------------------------------
def test_o12_progress_update_answers_the_request() -> None:
    order = in_progress()
    open_request(order, B, R.PROGRESS_UPDATE, NOW, reason="")
    assert order.request.expires_at == NOW + 2 * DAY
    with pytest.raises(InvalidInput):
        order.apply(SendProgressUpdate(message=""), S, SELLER_ID, NOW + DAY)
    outcome = order.apply(SendProgressUpdate(message="Half done"), S, SELLER_ID, NOW + DAY)
    assert order.request is None and K.ORDER_REQUEST not in order.timers
    assert outcome.event.data["message"] == "Half done" and outcome.event.recipients == (BUYER_ID,)
    with pytest.raises(Conflict) as caught:  # nothing asked any more
        order.apply(SendProgressUpdate(message="again"), S, SELLER_ID, NOW + DAY)
    assert caught.value.code == "no_progress_request"


def test_o12_no_progress_update_within_2_days_cancels_the_order() -> None:
    order = in_progress(selection=Selection("premium"))
    open_request(order, B, R.PROGRESS_UPDATE, NOW)
    outcomes = fire_due(order, NOW + 2 * DAY)
    assert [o.action for o in outcomes] == [A.EXPIRE_REQUEST]
    assert order.state is OrderState.CANCELLED and not order.cancellation.mutual
    assert order.balance.refunded == order.total and order.timers == {}


def test_o12_a_delivery_answers_a_progress_request() -> None:
    order = in_progress()
    open_request(order, B, R.PROGRESS_UPDATE, NOW)
    order.apply(Deliver(message="Done"), S, SELLER_ID, NOW + DAY)
    assert order.request is None and set(order.timers) == {K.ORDER_AUTO_COMPLETE}
    assert fire_due(order, NOW + 2 * DAY) == []
    assert order.state is OrderState.DELIVERED


def test_o12_progress_update_only_while_work_is_under_way() -> None:
    order, _ = place()
    with pytest.raises(Conflict):
        open_request(order, B, R.PROGRESS_UPDATE, NOW)
    with pytest.raises(Conflict):
        open_request(delivered(), B, R.PROGRESS_UPDATE, NOW + 2 * DAY)


# -- O12 modification -----------------------------------------------------------------------------
def test_o12_modification_may_charge_more_and_change_the_delivery_time() -> None:
    order = in_progress(selection=Selection("premium"))
    due = order.due_at
    open_request(order, S, R.MODIFICATION, NOW + DAY, offer=ChangeOffer((_line(2_500),), added_days=-3))
    _answer(order, B, True, NOW + DAY)
    assert order.due_at == due - timedelta(days=3)
    assert order.balance.paid == 20_000 + 2_500
    assert order.timers[K.ORDER_LATE].due_at == order.due_at


def test_o12_modification_may_not_move_the_due_time_into_the_past() -> None:
    order = in_progress()
    with pytest.raises(InvalidInput) as caught:
        open_request(order, S, R.MODIFICATION, NOW + 3 * DAY, offer=ChangeOffer((), added_days=-4))
    assert caught.value.fields[0].field == "offer.added_days"


def test_o12_a_shortening_accepted_too_late_is_refused() -> None:
    """Opened in time, answered after the shortened due time has passed: accepting would make the
    order late at once, so it is refused and nothing is paid."""
    order = in_progress()  # due NOW + 5 days
    open_request(order, S, R.MODIFICATION, NOW + DAY, offer=ChangeOffer((_line(1_000),), added_days=-3))
    with pytest.raises(Conflict) as caught:
        _answer(order, B, True, NOW + 2 * DAY + timedelta(hours=1))
    assert caught.value.code == "offer_outdated" and order.balance.paid == 5_000 and order.request is not None


def test_o3_o12_modification_before_the_clock_starts_leaves_at_least_one_day() -> None:
    """Regression: accepted while awaiting requirements, a -30 days modification made the
    delivery days negative, so the order was 24 hours late (cancellable alone) at submission."""
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        open_request(order, S, R.MODIFICATION, NOW, offer=ChangeOffer((), added_days=-5))  # 5 days − 5
    assert caught.value.fields[0].field == "offer.added_days"
    open_request(order, S, R.MODIFICATION, NOW, offer=ChangeOffer((), added_days=-4))
    _answer(order, B, True, NOW)
    order.apply(SubmitRequirements(answers=VALID_ANSWERS), B, BUYER_ID, NOW + DAY)
    assert order.due_at == NOW + 2 * DAY and not order.is_late(NOW + DAY)


def test_o12_modification_accepted_after_delivery_changes_no_state() -> None:
    order = delivered()
    open_request(order, S, R.MODIFICATION, NOW + DAY, offer=ChangeOffer((_line(1_000),)))
    _answer(order, B, True, NOW + DAY)
    assert order.state is OrderState.DELIVERED and order.balance.paid == 6_000
    assert set(order.timers) == {K.ORDER_AUTO_COMPLETE}


# -- O12 additional revisions after completion ----------------------------------------------------
def test_o12_additional_revisions_reopen_a_completed_order() -> None:
    order = completed()
    earned = order.balance.seller_earnings
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((_line(1_500),), added_revisions=1))
    outcome = _answer(order, B, True, NOW + 3 * DAY)
    assert order.state is OrderState.REVISION_REQUESTED and order.completed_at is None
    assert order.revisions_allowed == 2
    assert [(e.kind, e.amount) for e in outcome.ledger] == [(EntryKind.PAYMENT, 1_500)]
    order.apply(Deliver(message="revised"), S, SELLER_ID, NOW + 4 * DAY)
    order.apply(Accept(), B, BUYER_ID, NOW + 4 * DAY)
    assert order.state is OrderState.COMPLETED
    assert order.balance.seller_earnings == earned + 1_200
    assert_money_conserved(order)


def test_o12_additional_revisions_only_after_completion_and_at_least_one() -> None:
    with pytest.raises(Conflict):
        open_request(delivered(), S, R.ADDITIONAL_REVISIONS, NOW + DAY, offer=ChangeOffer((), added_revisions=1))
    with pytest.raises(InvalidInput):
        open_request(completed(), S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((_line(100),)))


def test_o12_declined_additional_revisions_leave_the_order_completed() -> None:
    order = completed()
    before = _snapshot(order)
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((), added_revisions=2))
    _answer(order, B, False, NOW + 3 * DAY)
    assert _snapshot(order) == before and order.state is OrderState.COMPLETED


def test_o12_unanswered_additional_revisions_lapse() -> None:
    order = completed()
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((), added_revisions=2))
    outcomes = fire_due(order, NOW + 7 * DAY)
    assert [o.action for o in outcomes] == [A.EXPIRE_REQUEST]
    assert order.state is OrderState.COMPLETED and order.request is None and order.timers == {}


def test_o12_requests_on_an_order_still_waiting_for_requirements() -> None:
    order, _ = place()
    open_request(order, S, R.EXTRAS, NOW, offer=ChangeOffer((_line(1_000),), added_days=1))
    _answer(order, B, True, NOW)
    assert order.state is OrderState.AWAITING_REQUIREMENTS and order.balance.paid == 6_000
    assert set(order.timers) == {K.ORDER_REQUIREMENTS}
    order.apply(SubmitRequirements(answers=VALID_ANSWERS), B, BUYER_ID, NOW + DAY)
    assert order.due_at == NOW + DAY + timedelta(days=6)


# -- defects found when the product was tried ---------------------------------------------------
def test_o12_a_progress_update_request_cannot_be_declined() -> None:
    """Only a progress update or a delivery answers it; declined, the order would never end."""
    order = in_progress()
    open_request(order, B, R.PROGRESS_UPDATE, NOW)
    with pytest.raises(Conflict) as caught:
        _answer(order, S, False, NOW + DAY)
    assert caught.value.code == "answer_with_update" and caught.value.rule == "O12"
    assert order.request is not None and K.ORDER_REQUEST in order.timers
    assert A.DECLINE_REQUEST not in order.allowed_actions(S, NOW + DAY)
    fire_due(order, NOW + 2 * DAY + timedelta(seconds=1))
    assert order.state is OrderState.CANCELLED  # unanswered, it still cancels the order (O12)


@pytest.mark.parametrize("kind", [R.CANCELLATION, R.PROGRESS_UPDATE])
@pytest.mark.parametrize("opener", [B, S])
def test_o11_o19_a_reopened_order_takes_no_cancelling_request(kind, opener) -> None:
    order = completed()
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((_line(1_500),), added_revisions=1))
    _answer(order, B, True, NOW + 3 * DAY)
    assert order.reopened_at is not None
    if opener not in REQUEST_RULES[kind].openers:
        return
    with pytest.raises(Conflict) as caught:
        open_request(order, opener, kind, NOW + 3 * DAY)
    assert caught.value.code == "completed_before"
    assert order.request is None and order.state is OrderState.REVISION_REQUESTED


def test_o11_o19_support_may_still_cancel_a_reopened_order_which_counts_as_completed() -> None:
    order = completed()
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((_line(1_500),), added_revisions=1))
    _answer(order, B, True, NOW + 3 * DAY)
    order.apply(OperatorCancel("dispute"), OP, "usr_op", NOW + 4 * DAY)
    assert order.state is OrderState.CANCELLED and order.counts_as_completed


def test_o7_an_accepted_additional_revision_after_completion_is_the_revision_it_buys() -> None:
    """One revision bought reopens the order into that revision: after its delivery, none is left."""
    order = completed()  # the basic package: its revisions are all still there
    used_before = order.revisions_used
    open_request(order, S, R.ADDITIONAL_REVISIONS, NOW + 3 * DAY, offer=ChangeOffer((_line(1_000),), added_revisions=1))
    _answer(order, B, True, NOW + 3 * DAY)
    assert order.state is OrderState.REVISION_REQUESTED
    assert order.revisions_used == used_before + 1
    left = order.revisions_left
    order.apply(Deliver(message="revised"), S, SELLER_ID, NOW + 4 * DAY)
    for _ in range(left or 0):  # the package's own revisions, if any were left
        order.apply(RequestRevision("again"), B, BUYER_ID, NOW + 4 * DAY)
        order.apply(Deliver(message="revised"), S, SELLER_ID, NOW + 4 * DAY)
    with pytest.raises(Conflict) as caught:
        order.apply(RequestRevision("one more for free"), B, BUYER_ID, NOW + 4 * DAY)
    assert caught.value.code == "no_revisions_left"

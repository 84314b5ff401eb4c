"""Placing an order (O1, O2, A4, O17) and its requirements (O3), on the domain alone."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from chalicelib.domain.accounts import NotificationKind
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.gigs import Requirement, RequirementType
from chalicelib.domain.ledger import EntryKind
from chalicelib.domain.orders import REQUIREMENTS_WAIT, AcceptRequest, OrderState, RequestKind, SubmitRequirements
from chalicelib.domain.pricing import Selection, price_selection
from chalicelib.domain.relationships import Relationship
from chalicelib.domain.requirements import Answer

from .gig_factory import NOW, SELLER_ID, published_gig, valid_gig
from .order_factory import (
    BUYER_ID,
    SYS,
    VALID_ANSWERS,
    A,
    B,
    K,
    S,
    assert_money_conserved,
    fire_due,
    no_requirements_gig,
    open_request,
    place,
)


# -- O1 placement ---------------------------------------------------------------------------------
def test_o1_price_comes_from_packages_extras_and_quantity() -> None:
    selection = Selection("basic", quantity=2, fast_delivery=True, extra_revisions=2,
                          custom_extras=(("twilight", 1), ("drone", 2)))
    order, outcome = place(selection=selection)
    # basic $50 ×2, fast delivery $20 ×2, 2 revisions × $15, twilight $40, drone $60 ×2
    assert order.total == 10_000 + 4_000 + 3_000 + 4_000 + 12_000
    assert [(line.kind, line.amount) for line in order.lines] == [
        ("package", 10_000), ("fast_delivery", 4_000), ("additional_revision", 3_000),
        ("custom_extra", 4_000), ("custom_extra", 12_000)]
    assert order.total == price_selection(published_gig(), selection).total.amount
    # fast delivery replaces the 5 days by 2; revisions +1 day each; twilight +1, drone +2 ×2
    assert order.delivery_days == 2 + 2 + 1 + 4
    assert order.revisions_allowed == 1 + 2
    assert order.quantity == 2 and order.tier == "basic"
    assert [e.kind for e in outcome.ledger] == [EntryKind.PAYMENT]
    assert outcome.ledger[0].amount == order.total == order.balance.paid
    assert order.balance.held == order.total


def test_o1_unlimited_revisions_stay_unlimited() -> None:
    order, _ = place(selection=Selection("premium", extra_revisions=3))
    assert order.revisions_allowed is None and order.revisions_left is None


def test_o1_order_number_is_random_and_readable() -> None:
    numbers = [place()[0].number for _ in range(30)]
    assert all(re.fullmatch(r"FO-[0-9A-Z]{5}-[0-9A-Z]{5}", n) for n in numbers)
    assert len(set(numbers)) == len(numbers)
    ids = [place()[0].id for _ in range(5)]
    assert len(set(ids)) == 5


def test_o1_a3_seller_is_notified_of_a_new_order() -> None:
    order, outcome = place()
    event = outcome.event
    assert event is not None
    assert event.recipients == (SELLER_ID,)
    assert event.notification is NotificationKind.ORDER_PLACED
    assert event.actor_id == BUYER_ID and event.actor_role is B
    assert event.stream == f"order:{order.id}"
    assert order.number in event.summary
    assert event.data["state"] == order.state.value


def test_o1_o3_placement_waits_for_requirements_when_the_gig_has_some() -> None:
    order, _ = place()
    assert order.state is OrderState.AWAITING_REQUIREMENTS
    assert order.started_at is None and order.due_at is None
    assert set(order.timers) == {K.ORDER_REQUIREMENTS}
    assert order.timers[K.ORDER_REQUIREMENTS].due_at == NOW + REQUIREMENTS_WAIT


def test_o1_o3_without_requirements_the_clock_starts_at_placement() -> None:
    order, _ = place(no_requirements_gig())
    assert order.state is OrderState.IN_PROGRESS
    assert order.started_at == NOW
    assert order.due_at == NOW + timedelta(days=5)
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE}
    assert order.timers[K.ORDER_LATE].due_at == order.due_at
    assert order.timers[K.ORDER_LATE_CANCELLABLE].due_at == order.due_at + timedelta(hours=24)


def test_o1_bad_selection_is_refused_with_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        place(selection=Selection("gold", quantity=0))
    assert {f.field for f in caught.value.fields} == {"tier", "quantity"}


# -- O2 refusals ----------------------------------------------------------------------------------
def test_o2_no_order_on_ones_own_gig() -> None:
    with pytest.raises(Forbidden) as caught:
        place(buyer_id=SELLER_ID)
    assert caught.value.code == "own_gig" and caught.value.rule == "O2"


@pytest.mark.parametrize("gig", [valid_gig(), published_gig().apply(
    "pause", "seller", NOW)], ids=["draft", "paused"])
def test_o2_no_order_on_an_unpublished_gig(gig) -> None:
    with pytest.raises(Conflict) as caught:
        place(gig)
    assert caught.value.code == "gig_not_published" and caught.value.rule == "O2"


def test_o2_a4_no_order_while_the_seller_is_unavailable() -> None:
    with pytest.raises(Conflict) as caught:
        place(seller_available=False)
    assert caught.value.code == "seller_unavailable" and caught.value.rule == "A4"


def test_o2_o17_no_order_from_a_blocked_buyer() -> None:
    rel = Relationship(SELLER_ID, BUYER_ID, orders_placed=1)
    rel.block(NOW)
    with pytest.raises(Forbidden) as caught:
        place(relationship=rel)
    assert caught.value.code == "blocked_by_seller"
    rel.unblock(NOW)
    order, _ = place(relationship=rel)  # O17: the seller may unblock
    assert order.state is OrderState.AWAITING_REQUIREMENTS


# -- O3 requirements ------------------------------------------------------------------------------
def _submit(order, answers, at=NOW + timedelta(hours=5)):
    return order.apply(SubmitRequirements(answers=tuple(answers)), B, BUYER_ID, at)


def _fields(exc: InvalidInput) -> dict[str, str]:
    return {f.field: f.code for f in exc.fields}


def test_o3_submission_starts_the_clock() -> None:
    order, _ = place()
    at = NOW + timedelta(hours=5)
    outcome = _submit(order, VALID_ANSWERS, at)
    assert order.state is OrderState.IN_PROGRESS
    assert order.started_at == at
    assert order.due_at == at + timedelta(days=5)
    assert set(order.timers) == {K.ORDER_LATE, K.ORDER_LATE_CANCELLABLE}
    assert order.answers == VALID_ANSWERS
    assert outcome.event.recipients == (SELLER_ID,)


def test_o3_mandatory_questions_must_be_answered() -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text="12 Elm Street")])
    assert _fields(caught.value) == {"answers": "required"}
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text="   "), Answer("kind", choices=("House",))])
    assert _fields(caught.value) == {"answers.0": "required"}
    assert order.state is OrderState.AWAITING_REQUIREMENTS and order.started_at is None


def test_o3_optional_questions_may_be_left_out_or_blank() -> None:
    order, _ = place()
    _submit(order, [*VALID_ANSWERS, Answer("plan")])
    assert [a.requirement_id for a in order.answers] == ["address", "kind"]


def test_o3_choices_must_be_among_the_options() -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text="x"), Answer("kind", choices=("Castle",))])
    assert _fields(caught.value) == {"answers.1.choices.0": "not_an_option"}


def test_o3_one_choice_unless_the_question_allows_several() -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text="x"), Answer("kind", choices=("House", "Office"))])
    assert _fields(caught.value) == {"answers.1.choices": "one_choice_only"}

    several = Requirement("rooms", "Which rooms?", RequirementType.MULTIPLE_CHOICE, True,
                          options=("Kitchen", "Bath", "Living"), multiple=True)
    order, _ = place(published_gig(requirements=(several,)))
    _submit(order, [Answer("rooms", choices=("Kitchen", "Bath"))])
    assert order.answers[0].choices == ("Kitchen", "Bath")
    order, _ = place(published_gig(requirements=(several,)))
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("rooms", choices=("Bath", "Bath"))])
    assert _fields(caught.value) == {"answers.0.choices": "duplicate"}


def test_o3_unknown_and_repeated_questions_are_refused() -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [*VALID_ANSWERS, Answer("budget", text="1000")])
    assert _fields(caught.value) == {"answers.2.requirement_id": "unknown_requirement"}
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [*VALID_ANSWERS, Answer("address", text="again")])
    assert _fields(caught.value) == {"answers.2.requirement_id": "duplicate"}


def test_o3_answers_of_the_wrong_type_are_refused() -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text="x", choices=("House",)), Answer("kind", choices=("House",)),
                        Answer("plan", text="no file")])
    assert _fields(caught.value) == {"answers.0.choices": "not_expected", "answers.2.text": "not_expected"}


def test_o3_requirements_are_those_at_placement() -> None:
    order, _ = place()
    assert [r.id for r in order.requirements] == ["address", "kind", "plan"]


def test_o3_requirements_only_once() -> None:
    order, _ = place()
    _submit(order, VALID_ANSWERS)
    with pytest.raises(Conflict) as caught:
        _submit(order, VALID_ANSWERS)
    assert caught.value.code == "invalid_transition"


def test_o3_only_the_buyer_submits_requirements() -> None:
    order, _ = place()
    with pytest.raises(Forbidden):
        order.apply(SubmitRequirements(answers=VALID_ANSWERS), S, SELLER_ID, NOW)


def test_o3_due_time_fast_delivery_replaces_days_and_extras_add() -> None:
    gig = no_requirements_gig()
    order, _ = place(gig, Selection("premium", fast_delivery=True, custom_extras=(("twilight", 2),)))
    assert order.due_at == NOW + timedelta(days=3 + 2)  # premium is 7 days; fast delivery 3
    order, _ = place(gig, Selection("standard", custom_extras=(("drone", 1),)))
    assert order.due_at == NOW + timedelta(days=5 + 2)


def test_o3_o12_due_time_adds_extensions_and_accepted_extras() -> None:
    order, _ = place()
    at = NOW + timedelta(days=1)
    _submit(order, VALID_ANSWERS, at)
    ext = open_request(order, S, RequestKind.EXTENSION, at, days=3)
    order.apply(AcceptRequest(request_id=ext.event.data["request_id"]), B, BUYER_ID, at)
    assert order.due_at == at + timedelta(days=5 + 3)
    assert order.timers[K.ORDER_LATE].due_at == order.due_at  # the late timers follow the due time


def test_o3_extension_before_submission_counts_once_the_clock_starts() -> None:
    order, _ = place()
    open_request(order, S, RequestKind.EXTENSION, NOW, days=2)
    order.apply(AcceptRequest(request_id=order.request.id), B, BUYER_ID, NOW)
    assert order.due_at is None and K.ORDER_LATE not in order.timers
    at = NOW + timedelta(days=1)
    _submit(order, VALID_ANSWERS, at)
    assert order.due_at == at + timedelta(days=5 + 2)


def test_o3_unanswered_requirements_cancel_the_order_with_a_full_refund() -> None:
    order, _ = place(selection=Selection("standard", extra_revisions=1))
    assert fire_due(order, NOW + REQUIREMENTS_WAIT - timedelta(seconds=1)) == []
    outcomes = fire_due(order, NOW + REQUIREMENTS_WAIT)
    assert [o.action for o in outcomes] == [A.EXPIRE_REQUIREMENTS]
    assert order.state is OrderState.CANCELLED
    assert order.cancellation.by is SYS and not order.cancellation.mutual
    assert order.balance.refunded == order.balance.paid == order.total
    assert [(e.kind, e.amount) for e in outcomes[0].ledger] == [(EntryKind.REFUND, order.total)]
    assert order.timers == {}
    assert set(outcomes[0].event.recipients) == {BUYER_ID, SELLER_ID}  # the system acted: both hear
    assert_money_conserved(order)


def test_o3_submitted_requirements_disarm_the_cleanup() -> None:
    order, _ = place()
    stale = order.timers[K.ORDER_REQUIREMENTS]
    _submit(order, VALID_ANSWERS)
    assert order.fire(K.ORDER_REQUIREMENTS, stale.ref, NOW + REQUIREMENTS_WAIT) is None
    assert order.state is OrderState.IN_PROGRESS



def test_o3_f1_a_file_answer_must_be_scanned_clean() -> None:
    """A file answering a requirement is one the scan found clean; pending or blocked files are
    refused with the answer's path, and nothing changes."""
    order, _ = place()
    answers = (*VALID_ANSWERS, Answer("plan", files=("file_plan",)))
    with pytest.raises(InvalidInput) as caught:
        order.apply(SubmitRequirements(answers, clean_files=frozenset()), B, BUYER_ID, NOW + timedelta(hours=1))
    assert _fields(caught.value) == {"answers.2.files": "file_not_clean"}
    assert order.state is OrderState.AWAITING_REQUIREMENTS and order.answers == ()
    order.apply(SubmitRequirements(answers, clean_files=frozenset({"file_plan"})), B, BUYER_ID,
                NOW + timedelta(hours=2))
    assert order.state is OrderState.IN_PROGRESS


@pytest.mark.parametrize("text", ["write me at jo@example.com", "call +1 415 555 0134", "my telegram @jo_builds"])
def test_o3_w2_free_text_answers_carry_no_contact_details(text) -> None:
    order, _ = place()
    with pytest.raises(InvalidInput) as caught:
        _submit(order, [Answer("address", text=text), Answer("kind", choices=("House",))])
    assert _fields(caught.value) == {"answers.0.text": "contact_details"}
    assert order.state is OrderState.AWAITING_REQUIREMENTS

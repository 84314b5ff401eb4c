"""W1 on the domain alone: the ladder searched exhaustively over sequences of warnings (types,
severity, time between them), the standing it leaves, lapses and suspension ends; W1/W2: the
refusal counter; and the report's actions."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.reports import Report, ReportAction, ReportKind, ReportState
from chalicelib.domain.warnings import (
    LADDER,
    SUSPENSION_AT_ACTIVE,
    SUSPENSION_DAYS,
    W2_REFUSALS_FOR_REPORT,
    WARNING_ACTIVE_DAYS,
    AccountRestricted,
    LadderOutcome,
    RefusalCounter,
    Standing,
    ViolationType,
    climb,
    is_w2_refusal,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TYPES = tuple(ViolationType)
# Three types are enough to tell "same type" from "another type" in every position.
FEW = TYPES[:3]


def expected(active: tuple[ViolationType, ...], new: ViolationType, severe: bool, seller: bool) -> LadderOutcome:
    """W1 as rules.md says it, written independently of the table."""
    if severe:
        return LadderOutcome.BLOCK
    if len(active) + 1 >= 3 or new in active:
        return LadderOutcome.SUSPENSION
    if active and seller:
        return LadderOutcome.DEMOTION
    return LadderOutcome.REMINDER


def test_w1_the_ladder_over_every_sequence_of_up_to_four_warnings():
    """Every sequence of (type, severe) of length 1..4 over three types, for a seller and a buyer,
    each warning issued a day after the last: each outcome is the rule's, every row of LADDER
    is used, and the standing the sequence leaves matches the outcomes."""
    used: set[LadderOutcome] = set()
    cases = 0
    steps = list(itertools.product(FEW, (False, True)))
    for length in range(1, 5):
        for sequence in itertools.product(steps, repeat=length):
            for seller in (True, False):
                standing, now = Standing(), NOW
                for i, (kind, severe) in enumerate(sequence):
                    active = standing.active_types(now)
                    standing, warning = standing.warn(user_id="u", type=kind, reason="r", severe=severe,
                                                      is_seller=seller, operator_id="op", now=now)
                    assert warning.outcome == expected(active, kind, severe, seller), (sequence, i, seller)
                    used.add(warning.outcome)
                    cases += 1
                    if warning.outcome is LadderOutcome.BLOCK:
                        assert standing.restricted(now) is not None and standing.restriction.blocked
                    elif warning.outcome is LadderOutcome.SUSPENSION:
                        assert standing.restricted(now) is not None
                    now += timedelta(days=1)
                blocked = any(severe for _, severe in sequence)
                assert (standing.restriction is not None and standing.restriction.blocked) == blocked
    assert used == set(LadderOutcome)
    assert cases > 10_000


def test_w1_every_row_of_the_ladder_is_reachable_and_the_last_always_applies():
    reached = {r.when for r in LADDER
               for active in itertools.chain.from_iterable(itertools.product(FEW, repeat=n) for n in range(3))
               for new in FEW for severe in (False, True) for seller in (False, True)
               if next(x for x in LADDER if x.applies(active, new, severe, seller)) is r}
    assert reached == {r.when for r in LADDER}
    assert LADDER[-1].applies((), TYPES[0], False, False)


def test_w1_three_active_warnings_of_any_type_suspend():
    assert climb(tuple(FEW[:SUSPENSION_AT_ACTIVE - 1]), FEW[2], False, False) is LadderOutcome.SUSPENSION


def test_w1_a_buyer_has_no_level_to_lose():
    assert climb((FEW[0],), FEW[1], False, is_seller=False) is LadderOutcome.REMINDER
    assert climb((FEW[0],), FEW[1], False, is_seller=True) is LadderOutcome.DEMOTION


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(TYPES), st.booleans(), st.integers(0, 120)), min_size=1, max_size=8))
def test_w1_only_active_warnings_count(steps):
    """Random sequences with random gaps (0–120 days): a warning counts exactly while it is
    younger than WARNING_ACTIVE_DAYS, whether or not its lapse deadline has fired."""
    standing, now, issued = Standing(), NOW, []
    for kind, severe, gap in steps:
        now += timedelta(days=gap)
        active = tuple(k for k, at in issued if now < at + timedelta(days=WARNING_ACTIVE_DAYS))
        assert standing.active_types(now) == active
        standing, warning = standing.warn(user_id="u", type=kind, reason="r", severe=severe, is_seller=True,
                                          operator_id="op", now=now)
        assert warning.outcome == expected(active, kind, severe, True)
        issued.append((kind, now))
        if gap % 2:  # the lapse deadline fired for the expired ones
            for w in standing.active:
                if now >= w.expires_at:
                    standing = standing.lapse(w.id)


def test_w1_a_suspension_lasts_14_days_and_ends_only_then():
    standing, _ = Standing().warn(user_id="u", type=FEW[0], reason="r", severe=False, is_seller=True,
                                  operator_id="op", now=NOW)
    standing, second = standing.warn(user_id="u", type=FEW[0], reason="r", severe=False, is_seller=True,
                                     operator_id="op", now=NOW)
    assert second.outcome is LadderOutcome.SUSPENSION
    r = standing.restriction
    assert r is not None and r.until == NOW + timedelta(days=SUSPENSION_DAYS)
    with pytest.raises(AccountRestricted) as refused:
        standing.ensure_may_write(NOW)
    assert refused.value.code == "account_suspended" and refused.value.rule == "W1"
    assert refused.value.extensions == {"until": "2026-12-07T09:00:00.000000Z"}
    assert standing.end_suspension(r.id, r.until - timedelta(seconds=1)) is None  # not yet
    assert standing.end_suspension("another", r.until) is None  # set for another restriction
    ended = standing.end_suspension(r.id, r.until)
    assert ended is not None and ended.restriction is None
    ended.ensure_may_write(r.until)
    standing.ensure_may_write(r.until)  # past its end it restricts nothing, even before the sweeper


def test_w1_a_block_has_no_end_and_a_suspension_does_not_shorten_it():
    standing, _ = Standing().warn(user_id="u", type=FEW[0], reason="r", severe=True, is_seller=False,
                                  operator_id="op", now=NOW)
    standing, again = standing.warn(user_id="u", type=FEW[0], reason="r", severe=False, is_seller=False,
                                    operator_id="op", now=NOW)
    assert again.outcome is LadderOutcome.SUSPENSION and standing.restriction.blocked
    with pytest.raises(AccountRestricted) as refused:
        standing.ensure_may_write(NOW + timedelta(days=3650))
    assert refused.value.code == "account_blocked" and refused.value.extensions == {"until": None}
    with pytest.raises(Conflict):
        standing.lift()
    assert standing.unblock().restriction is None
    with pytest.raises(Conflict):
        Standing().unblock()
    with pytest.raises(Conflict):
        Standing().lift()


def test_w1_a_warning_needs_a_reason():
    with pytest.raises(InvalidInput):
        Standing().warn(user_id="u", type=FEW[0], reason="  ", severe=False, is_seller=True, operator_id="op", now=NOW)


# -- W1/W2: the refusal counter ---------------------------------------------------------------------
def test_w1_w2_the_fifth_refusal_in_24_hours_crosses_once():
    counter, crossings, now = RefusalCounter(), [], NOW
    for _ in range(W2_REFUSALS_FOR_REPORT + 3):
        counter, crossed = counter.add(now)
        crossings.append(crossed)
        now += timedelta(minutes=30)
    assert crossings.index(True) == W2_REFUSALS_FOR_REPORT - 1 and crossings.count(True) == 1
    assert len(counter.buckets) <= 24


def test_w1_w2_refusals_older_than_a_day_do_not_count():
    counter, now = RefusalCounter(), NOW
    for _ in range(W2_REFUSALS_FOR_REPORT - 1):
        counter, _ = counter.add(now)
    later = now + timedelta(hours=25)
    counter, crossed = counter.add(later)
    assert not crossed and counter.total(later) == 1 and len(counter.buckets) == 1


def test_w1_w2_a_refusal_is_a_w2_rule_on_the_error_or_a_field():
    assert is_w2_refusal("W2", [])
    assert is_w2_refusal("A1", [None, "W2"])
    assert not is_w2_refusal("O5", ["O5"])


# -- reports -----------------------------------------------------------------------------------------
def _report(kind: ReportKind = ReportKind.SPAM) -> Report:
    return Report.new(kind, "msg_1", "seller", "buyer", "spam", "Buy now", NOW)


@pytest.mark.parametrize("action,state", [(ReportAction.DISMISS, ReportState.DISMISSED),
                                          (ReportAction.WARN, ReportState.ACTIONED),
                                          (ReportAction.REMOVE_CONTENT, ReportState.ACTIONED)])
def test_w1_a_report_is_acted_on_once(action, state):
    done = _report().resolve(action, "op", "why", NOW)
    assert done.state is state and done.allowed_actions() == ()
    with pytest.raises(Conflict) as again:
        done.resolve(ReportAction.DISMISS, "op", "why", NOW)
    assert again.value.code == "report_resolved" and again.value.rule == "W1"


def test_w1_a_contact_details_report_has_no_content_to_remove():
    report = _report(ReportKind.CONTACT_DETAILS)
    assert ReportAction.REMOVE_CONTENT not in report.allowed_actions()
    with pytest.raises(Conflict) as refused:
        report.resolve(ReportAction.REMOVE_CONTENT, "op", "why", NOW)
    assert refused.value.code == "nothing_to_remove"


def test_w1_the_reporter_is_told_the_outcome_not_the_sanction():
    assert "nothing" in _report().resolve(ReportAction.DISMISS, "op", "x", NOW).outcome_summary()
    told = _report().resolve(ReportAction.WARN, "op", "x", NOW, warning_id="warn_1").outcome_summary()
    assert "took action" in told and "warn" not in told

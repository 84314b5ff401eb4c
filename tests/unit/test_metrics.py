"""Seller metrics (O13, O14, O15, on-time delivery): daily buckets and totals → figures, with the
time passed in; the windows at their edges."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.metrics import (
    COMPLETION_WINDOW_DAYS,
    READ_DAYS,
    RESPONSE_WINDOW_DAYS,
    Counter,
    Total,
    day_of,
    delivered,
    figures,
    finished,
    first_reply,
    read_from,
    window_start,
)

NOW = datetime(2026, 12, 2, 23, 59, tzinfo=UTC)
TODAY = date(2026, 12, 2)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_windows_include_today_and_end_n_days_back():
    assert window_start(NOW, 60) == days_ago(59)
    assert window_start(NOW, 1) == TODAY
    assert read_from(NOW) == days_ago(READ_DAYS - 1)
    assert READ_DAYS == 90  # a read is at most 90 day buckets (and the totals)
    assert day_of(datetime(2026, 12, 2, 23, 59, 59, tzinfo=UTC)) == TODAY


def test_o13_completion_rate_counts_finishes_inside_the_60_days_only():
    buckets = {
        days_ago(0): {Counter.COMPLETED: 3},
        days_ago(COMPLETION_WINDOW_DAYS - 1): {Counter.CANCELLED: 1},  # the window's first day: in
        days_ago(COMPLETION_WINDOW_DAYS): {Counter.CANCELLED: 5},  # one day before: out
        TODAY + timedelta(days=1): {Counter.CANCELLED: 7},  # after today: out
    }
    rate = figures(buckets, {}, NOW).completion_rate
    assert rate.value == 3 / 4
    assert rate.counts == {"completed": 3, "cancelled": 1, "excused": 0}
    assert rate.window_days == 60 and rate.since == days_ago(59)


def test_o13_excused_cancellations_leave_the_rate():
    buckets = {days_ago(3): {Counter.COMPLETED: 1, Counter.CANCELLED: 2, Counter.EXCUSED: 1}}
    assert figures(buckets, {}, NOW).completion_rate.value == 1 / 2
    buckets = {days_ago(3): {Counter.CANCELLED: 1, Counter.EXCUSED: 1}}
    assert figures(buckets, {}, NOW).completion_rate.value is None  # nothing counts: no figure


def test_o13_what_a_finish_adds_c4_and_seller_at_fault():
    assert finished(counts_as_completed=True, seller_at_fault=True) == {Counter.COMPLETED: 1}
    assert finished(counts_as_completed=False, seller_at_fault=True) == {Counter.CANCELLED: 1}
    assert finished(counts_as_completed=False, seller_at_fault=False) == {Counter.CANCELLED: 1, Counter.EXCUSED: 1}


def test_no_counts_no_figures():
    m = figures({}, {}, NOW)
    assert (m.completion_rate.value, m.unresponsiveness_rate.value, m.response_rate.value,
            m.response_time_seconds.value, m.on_time_delivery_rate.value) == (None,) * 5


def test_o14_active_orders_are_placed_minus_those_finished_before_the_window():
    # 10 orders ever; 4 finished long ago, 2 inside the window: 6 were active in the window.
    buckets = {days_ago(1): {Counter.COMPLETED: 1, Counter.UNRESPONDED: 3},
               days_ago(59): {Counter.CANCELLED: 1},
               days_ago(60): {Counter.COMPLETED: 9, Counter.UNRESPONDED: 9}}  # outside the window
    m = figures(buckets, {Total.PLACED: 10, Total.FINISHED: 6}, NOW).unresponsiveness_rate
    assert m.counts == {"unresponded": 3, "active": 6}
    assert m.value == 3 / 6


def test_o15_response_rate_and_mean_time_over_90_days():
    buckets = {days_ago(RESPONSE_WINDOW_DAYS - 1): {Counter.CONVERSATIONS: 2, Counter.REPLIED: 1,
                                                     Counter.ANSWERED: 2, Counter.RESPONSE_SECONDS: 3600 + 90000},
               days_ago(RESPONSE_WINDOW_DAYS): {Counter.CONVERSATIONS: 10}}  # out
    m = figures(buckets, {}, NOW)
    assert m.response_rate.value == 1 / 2
    assert m.response_rate.counts == {"conversations": 2, "replied_within_24h": 1}
    assert m.response_time_seconds.value == (3600 + 90000) / 2


def test_o15_a_reply_at_24_hours_counts_one_second_later_does_not():
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert first_reply(start, start + timedelta(hours=24))[Counter.REPLIED] == 1
    late = first_reply(start, start + timedelta(hours=24, seconds=1))
    assert late == {Counter.ANSWERED: 1, Counter.REPLIED: 0, Counter.RESPONSE_SECONDS: 86401}


def test_on_time_delivery_is_by_the_due_time():
    due = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert delivered(due, due) == {Counter.DELIVERIES: 1, Counter.ON_TIME: 1}
    assert delivered(due + timedelta(seconds=1), due) == {Counter.DELIVERIES: 1, Counter.ON_TIME: 0}
    buckets = {days_ago(2): {Counter.DELIVERIES: 4, Counter.ON_TIME: 3}}
    assert figures(buckets, {}, NOW).on_time_delivery_rate.value == 3 / 4

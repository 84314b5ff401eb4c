"""Scheduled functions. Chalice turns ``schedule`` into an EventBridge rule in the package."""
from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Rate

from chalicelib.observability import metrics
from chalicelib.services import notifications, runtime, sweeper

blueprint = Blueprint(__name__)

# The dispatcher stops taking new events when less than this remains of the invocation.
DISPATCH_RESERVE_MS = 5_000


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="sweeper")
def sweep(event) -> dict:
    report = sweeper.sweep(runtime.clock())
    metrics.add_metric(name="DeadlinesFired", unit=MetricUnit.Count, value=report.fired)
    metrics.add_metric(name="DeadlinesLostRaces", unit=MetricUnit.Count, value=report.lost_races)
    metrics.add_metric(name="DeadlinesFailed", unit=MetricUnit.Count, value=report.failed)
    metrics.flush_metrics()
    metrics.clear_metrics()
    return report.as_dict()


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="notifications")
def dispatch_notifications(event) -> dict:
    """Drains the outbox: feed, e-mail and push for every pending event (its own function, so a
    slow provider cannot hold up the deadlines)."""
    context = getattr(event, "context", None)

    def keep_going() -> bool:
        return context is None or context.get_remaining_time_in_millis() > DISPATCH_RESERVE_MS

    report = notifications.dispatch(runtime.clock(), keep_going=keep_going)
    metrics.add_metric(name="Dispatched", unit=MetricUnit.Count, value=report.dispatched)
    metrics.add_metric(name="Failed", unit=MetricUnit.Count, value=report.failed)
    metrics.add_metric(name="Deferred", unit=MetricUnit.Count, value=report.deferred)
    metrics.add_metric(name="Undeliverable", unit=MetricUnit.Count, value=report.undeliverable)
    metrics.flush_metrics()
    metrics.clear_metrics()
    return report.as_dict()

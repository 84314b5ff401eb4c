"""Scheduled functions. Chalice turns ``schedule`` into an EventBridge rule in the package."""
from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Rate

from chalicelib.observability import metrics
from chalicelib.services import reactions, runtime, sweeper

blueprint = Blueprint(__name__)

# The dispatcher stops taking new events when less than this remains of the invocation.
DISPATCH_RESERVE_MS = 5_000
# Events given up after too many failed attempts; infra/ alarms on any (the name is shared with it).
DEAD_LETTERED_METRIC = "DeadLettered"


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
    """Drains the outbox: every reaction (feed, e-mail and push; invitation e-mail...) of every
    due event (its own function, so a slow provider cannot hold up the deadlines). A dead-lettered
    event counts in ``DeadLettered``, which has an alarm."""
    context = getattr(event, "context", None)

    def keep_going() -> bool:
        return context is None or context.get_remaining_time_in_millis() > DISPATCH_RESERVE_MS

    report = reactions.dispatch(runtime.current().reactions, runtime.clock(), keep_going=keep_going)
    metrics.add_metric(name="Dispatched", unit=MetricUnit.Count, value=report.dispatched)
    metrics.add_metric(name="Failed", unit=MetricUnit.Count, value=report.failed)
    metrics.add_metric(name="Deferred", unit=MetricUnit.Count, value=report.deferred)
    metrics.add_metric(name="Undeliverable", unit=MetricUnit.Count, value=report.undeliverable)
    metrics.add_metric(name=DEAD_LETTERED_METRIC, unit=MetricUnit.Count, value=report.dead_lettered)
    metrics.flush_metrics()
    metrics.clear_metrics()
    return report.as_dict()

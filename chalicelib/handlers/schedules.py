"""Scheduled functions. Chalice turns ``schedule`` into an EventBridge rule in the package."""
from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from chalice import Blueprint, Rate

from chalicelib.observability import metrics
from chalicelib.services import runtime, sweeper

blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="sweeper")
def sweep(event) -> dict:
    report = sweeper.sweep(runtime.clock())
    metrics.add_metric(name="DeadlinesFired", unit=MetricUnit.Count, value=report.fired)
    metrics.add_metric(name="DeadlinesLostRaces", unit=MetricUnit.Count, value=report.lost_races)
    metrics.add_metric(name="DeadlinesFailed", unit=MetricUnit.Count, value=report.failed)
    metrics.flush_metrics()
    metrics.clear_metrics()
    return report.as_dict()

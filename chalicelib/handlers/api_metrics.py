"""Seller metrics (O13, O14, O15): the seller's own figures, and an operator's excuse of a
cancellation. Thin: each view calls one service function."""
from __future__ import annotations

from chalicelib.domain.metrics import Figure, SellerMetrics
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas.metrics import ExcuseIn, ExcuseOut, FigureOut, MetricsOut, PublicResponseOut
from chalicelib.services import metrics, runtime

api = Api(__name__, tag="metrics")


def figure_out(figure: Figure) -> FigureOut:
    return FigureOut(value=figure.value, window_days=figure.window_days, since=figure.since,
                     counts=dict(figure.counts))


def metrics_out(m: SellerMetrics) -> MetricsOut:
    return MetricsOut(completion_rate=figure_out(m.completion_rate),
                      unresponsiveness_rate=figure_out(m.unresponsiveness_rate),
                      response_rate=figure_out(m.response_rate),
                      response_time_seconds=figure_out(m.response_time_seconds),
                      on_time_delivery_rate=figure_out(m.on_time_delivery_rate))


def public_response_out(m: SellerMetrics) -> PublicResponseOut:
    return PublicResponseOut(response_rate=m.response_rate.value, response_time_seconds=m.response_time_seconds.value,
                             conversations=m.response_rate.counts.get("conversations", 0))


@api.route("/me/metrics", "GET", summary="One's seller metrics: completion (O13), unresponsiveness (O14), "
           "response rate and time (O15), on-time delivery, each with its window and counts", response=MetricsOut)
def my_metrics(call: Call) -> MetricsOut:
    """Seen by the seller alone (O13, O14). One DynamoDB Query."""
    return metrics_out(metrics.of_seller(call.user.user_id, runtime.clock()))


@api.route("/orders/{order_id}/cancellation-excuse", "POST",
           summary="Mark a cancellation as not the seller's fault, with a reason (operators, O13, W1)",
           request=ExcuseIn, response=ExcuseOut, operator_only=True, idempotent=True)
def excuse_cancellation(call: Call, order_id: str) -> ExcuseOut:
    """The cancellation leaves the seller's completion rate (O13), at any time after it; the
    operator's action is in the audit log."""
    return ExcuseOut(**metrics.excuse_cancellation(order_id, call.user.user_id, call.body.reason, runtime.clock()))

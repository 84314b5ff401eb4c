"""Chalice middleware: correlation id, structured request log, metrics, and problem+json for the
errors Chalice answers by itself (wrong method, wrong content type...)."""
from __future__ import annotations

import time
import uuid

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.handlers.problems import problem_response, rewrite_chalice_error
from chalicelib.observability import logger, metrics, tracer

CORRELATION_HEADER = "X-Correlation-Id"


def http_middleware(event, get_response):
    context = event.context or {}
    correlation_id = (event.headers.get(CORRELATION_HEADER.lower()) or context.get("requestId")
                      or str(uuid.uuid4()))
    logger.set_correlation_id(correlation_id)
    route = context.get("resourcePath", "?")
    started = time.perf_counter()
    try:
        response = rewrite_chalice_error(get_response(event))
    except Exception:  # middleware is the last line: nothing escapes as a bare 500
        logger.exception("unhandled error outside a view")
        response = problem_response(500, "internal_error", "Something went wrong on our side.")
    tracer.put_annotation(key="route", value=route)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    response.headers[CORRELATION_HEADER] = correlation_id
    logger.info("request", extra={"method": event.method, "route": route, "status": response.status_code,
                                  "duration_ms": elapsed_ms})
    metrics.add_dimension(name="route", value=f"{event.method} {route}")
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if response.status_code >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    metrics.flush_metrics()
    metrics.clear_metrics()  # flush leaves them in place when metrics are disabled (local, tests)
    return response

"""The environment of tests and benchmarks: fake credentials and a region, so nothing can reach
real AWS, and Powertools' metrics and tracing off."""
from __future__ import annotations

import os

SETTINGS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
UNSET = ("AWS_ENDPOINT_URL", "AWS_PROFILE")


def apply() -> None:
    """Call before importing anything from the app."""
    os.environ.update(SETTINGS)
    for key in UNSET:
        os.environ.pop(key, None)

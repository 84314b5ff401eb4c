"""The one Logger, Tracer and Metrics of the service (Powertools). Everything logs through these."""
from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "marketplace")

logger = Logger(service=SERVICE)
# Outside Lambda the Tracer disables itself; in Lambda it patches boto3/botocore for X-Ray.
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Marketplace"), service=SERVICE)

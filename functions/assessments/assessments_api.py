"""The assessments resolver and telemetry, shared by the route modules of this function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from lms.http import create_resolver
from lms.settings import METRICS_NAMESPACE
from lms.users.access import gate

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

"""Analytics sweep: once a day, judges again the learners whose inactivity no event announces.

The invocation's scheduled time (the event's `time`) is the moment it judges at, so a late or
repeated run judges exactly as the scheduled one would (lms.analytics.sweep).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms import clock
from lms.analytics.repository import DynamoAnalyticsRepository
from lms.analytics.sweep import InactivitySweep
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def sweep() -> InactivitySweep:
    return InactivitySweep(DynamoAnalyticsRepository())


def scheduled_time(event: dict[str, Any]) -> datetime:
    """When this run was scheduled for (EventBridge's `time`), else now."""
    raw = event.get("time")
    if not isinstance(raw, str):
        return clock.now()
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    changed = sweep().run(scheduled_time(event))
    metrics.add_metric(name="LearnersJudged", unit=MetricUnit.Count, value=changed)
    return {"changed": changed}

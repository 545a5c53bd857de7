"""Announcement scheduler: every minute, records and announces the scheduled announcements now due.

The invocation's scheduled time (the event's `time`) is the moment it publishes for, so a late or
repeated run publishes exactly what was due then; readers see a scheduled announcement from its
time whatever this function has done, and it emits each `AnnouncementPublished` once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.clock import scheduled_time
from lms.communication.announcements.repository import DynamoAnnouncementRepository
from lms.communication.announcements.service import AnnouncementService
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def announcements() -> AnnouncementService:
    return AnnouncementService(DynamoAnnouncementRepository())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    published = announcements().publish_due(scheduled_time(event))
    metrics.add_metric(name="AnnouncementsPublished", unit=MetricUnit.Count, value=published)
    if published:
        logger.info("published scheduled announcements", extra={"published": published})
    return {"published": published}

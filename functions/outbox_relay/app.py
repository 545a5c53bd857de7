"""Outbox relay: publishes outbox items from the table stream to the event bus."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.relay import EventsClient, pending_events, publish
from lms.settings import METRICS_NAMESPACE, get_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def events_client() -> EventsClient:
    return boto3.client("events")  # type: ignore[return-value]


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pending = pending_events(event.get("Records", []), get_settings().event_bus_name)
    resume_from = publish(pending, events_client())
    published = (
        len(pending) if resume_from is None else [p.sequence_number for p in pending].index(resume_from)
    )
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=published)
    if resume_from is None:
        return {"batchItemFailures": []}
    logger.warning("publishing failed; the batch resumes from this record", extra={"sequence": resume_from})
    return {"batchItemFailures": [{"itemIdentifier": resume_from}]}

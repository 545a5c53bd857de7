"""Outbox relay: publishes outbox items from the table stream to the event bus, and marks them."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms import aws
from lms.persistence.outbox import DynamoOutbox
from lms.relay import EventsClient, deliver, pending_events
from lms.settings import METRICS_NAMESPACE, get_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def events_client() -> EventsClient:
    return cast(EventsClient, aws.client("events"))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    pending = pending_events(event.get("Records", []))
    delivery = deliver(pending, get_settings().event_bus_name, events_client(), DynamoOutbox())
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(delivery.published))
    if not delivery.refused:
        return {"batchItemFailures": []}
    # The stream retries from the first refused record; after its last attempt the items stay in
    # the index of unpublished events, for the sweeper.
    resume_from = delivery.refused[0].sequence_number
    logger.warning("the bus refused events; the batch resumes from here", extra={"sequence": resume_from})
    return {"batchItemFailures": [{"itemIdentifier": resume_from}]}

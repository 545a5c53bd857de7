"""Outbox sweeper: on a schedule, publishes the outbox items the stream path gave up on."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms import aws, clock
from lms.persistence.outbox import DynamoOutbox
from lms.relay import EventsClient, sweep
from lms.settings import METRICS_NAMESPACE, get_settings

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)

# Longer than the stream path takes when the bus answers (seconds), so the two rarely race;
# a race only publishes an event twice, which consumers absorb.
GRACE = timedelta(minutes=5)
# Leave time to mark what the last call published before Lambda's timeout.
_RESERVE_MS = 10_000


@cache
def events_client() -> EventsClient:
    return cast(EventsClient, aws.client("events"))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    now = clock.now()
    result = sweep(
        DynamoOutbox(),
        get_settings().event_bus_name,
        events_client(),
        now=now,
        grace=GRACE,
        has_time=lambda: context.get_remaining_time_in_millis() > _RESERVE_MS,
    )
    metrics.add_metric(name="EventsRepublished", unit=MetricUnit.Count, value=result.republished)
    # The alarm's input: grows while the bus (or this function) keeps failing.
    metrics.add_metric(
        name="OldestUnpublishedEventAge",
        unit=MetricUnit.Seconds,
        value=result.oldest_age(now).total_seconds(),
    )
    if result.republished or result.refused:
        logger.warning(
            "republished outbox items the stream path gave up on",
            extra={"republished": result.republished, "refused": result.refused},
        )

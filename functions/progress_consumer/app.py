"""Progress consumer: SQS batches of catalog, enrollment, completion and required quiz events;
partial batch failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.progress.consumer import envelope_from_eventbridge, handle
from lms.progress.errors import EventArrivedEarly
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    envelope = envelope_from_eventbridge(record.body)
    try:
        first_time = handle(envelope)
    except EventArrivedEarly:
        # Back to the queue: retried once the event it depends on has been handled.
        metrics.add_metric(name="EventsArrivedEarly", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(
        name="EventsHandled" if first_time else "DuplicatesIgnored", unit=MetricUnit.Count, value=1
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )

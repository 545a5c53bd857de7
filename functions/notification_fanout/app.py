"""Notification fan-out: SQS batches of chunks of a large audience (lms.notifications.fanout), each
chunk's people told; a failed chunk alone returns to the queue and, repeated, skips whoever was told."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.notifications.consumer import deliver_chunk
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    told = deliver_chunk(record.body)
    metrics.add_metric(name="NotificationsDelivered", unit=MetricUnit.Count, value=len(told))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=processor, context=context)

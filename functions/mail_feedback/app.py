"""Mail feedback: SQS batches of SES bounce and complaint events (EventBridge); each suppresses the
addresses it names; partial batch failures."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.consumer import process_batch
from lms.notifications.mail.feedback import record_feedback
from lms.notifications.mail.repository import DynamoMailRepository
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def repository() -> DynamoMailRepository:
    return DynamoMailRepository()


def _record(record: SQSRecord) -> None:
    event: dict[str, Any] = json.loads(record.body)
    suppressed = record_feedback(event["detail"], repository())
    metrics.add_metric(name="EmailAddressesSuppressed", unit=MetricUnit.Count, value=suppressed)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_batch(event, context, _record)

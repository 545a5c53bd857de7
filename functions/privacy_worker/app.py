"""Privacy worker: SQS batches of UserExportRequested and UserErased events (lms.privacy).

An export gathers every context's sections into one JSON document in the files bucket; an
erasure deletes the account from the user pool and runs every context's erasure, each finished
step recorded on the erasure record, so a retry after a failure resumes after the last step done.
A message that keeps failing goes to the DLQ (alarmed); an export is then marked failed.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.events import EventEnvelope
from lms.events.users import UserErased, UserExportRequested
from lms.persistence.inbox import record_handled, was_handled
from lms.privacy.files import S3Documents
from lms.privacy.registry import contributors
from lms.privacy.repository import DynamoPrivacyRepository
from lms.privacy.service import PrivacyService
from lms.settings import METRICS_NAMESPACE
from lms.users.cognito import CognitoDirectory
from lms.users.repository import DynamoIdentityRepository

CONSUMER = "privacy-worker"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
processor = BatchProcessor(event_type=EventType.SQS)


@cache
def privacy() -> PrivacyService:
    return PrivacyService(
        DynamoPrivacyRepository(), DynamoIdentityRepository(), CognitoDirectory(), S3Documents(), contributors
    )


def _max_attempts() -> int:
    """The queue's maxReceiveCount (template.yaml passes it): the attempt after which the DLQ follows."""
    return int(os.environ.get("PRIVACY_MAX_ATTEMPTS", "5"))


def _export(envelope: EventEnvelope, requested: UserExportRequested, receive_count: int) -> None:
    inst = envelope.institution_id
    try:
        privacy().build_export(inst, requested.user_id, requested.export_id)
    except Exception as error:
        if receive_count >= _max_attempts():
            failure = f"The export stopped: {type(error).__name__}."
            privacy().export_failed(inst, requested.user_id, requested.export_id, failure)
            metrics.add_metric(name="UserExportsFailed", unit=MetricUnit.Count, value=1)
        raise
    metrics.add_metric(name="UserExportsReady", unit=MetricUnit.Count, value=1)


def record_handler(record: SQSRecord) -> None:
    envelope = EventEnvelope.model_validate(json.loads(record.body)["detail"])
    event = envelope.parse_data()
    if was_handled(CONSUMER, envelope):
        metrics.add_metric(name="DuplicatesIgnored", unit=MetricUnit.Count, value=1)
        return
    if isinstance(event, UserExportRequested):
        _export(envelope, event, int(record.attributes.approximate_receive_count))
    elif isinstance(event, UserErased):
        privacy().complete_erasure(envelope.institution_id, event.user_id)
        metrics.add_metric(name="UserErasuresCompleted", unit=MetricUnit.Count, value=1)
    else:
        raise ValueError(f"unexpected event {envelope.type}")
    record_handled(CONSUMER, envelope)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )

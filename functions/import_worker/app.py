"""Import worker: SQS batches of RosterImportRequested events; each job's rows invited one by one.

A failed job goes back to the queue and resumes after its last row done; on its last attempt it is
marked failed (the rows without outcome stay unimported) and its message goes to the DLQ.
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

from lms.auth import Principal, Role
from lms.events import EventEnvelope
from lms.events.users import RosterImportRequested
from lms.persistence.inbox import record_handled, was_handled
from lms.settings import METRICS_NAMESPACE
from lms.users.cognito import CognitoDirectory
from lms.users.imports.repository import DynamoImportRepository
from lms.users.imports.service import RosterImports
from lms.users.repository import DynamoIdentityRepository
from lms.users.service import IdentityService

CONSUMER = "import-worker"

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
processor = BatchProcessor(event_type=EventType.SQS)


@cache
def roster_imports() -> RosterImports:
    directory = CognitoDirectory()
    return RosterImports(
        DynamoImportRepository(), IdentityService(DynamoIdentityRepository(), directory), directory
    )


def _max_attempts() -> int:
    """The queue's maxReceiveCount (template.yaml passes it): the attempt after which the DLQ follows."""
    return int(os.environ.get("IMPORT_MAX_ATTEMPTS", "5"))


def _actor(envelope: EventEnvelope) -> Principal:
    """The worker invites on behalf of the admin who submitted the roster."""
    roles = frozenset(Role(r) for r in envelope.actor.roles if r in Role._value2member_map_)
    return Principal(user_id=envelope.actor.user_id, institution_id=envelope.institution_id, roles=roles)


def record_handler(record: SQSRecord) -> None:
    envelope = EventEnvelope.model_validate(json.loads(record.body)["detail"])
    requested = envelope.parse_data()
    assert isinstance(requested, RosterImportRequested), envelope.type
    if was_handled(CONSUMER, envelope):
        metrics.add_metric(name="DuplicatesIgnored", unit=MetricUnit.Count, value=1)
        return
    actor = _actor(envelope)
    try:
        roster_imports().run(actor, requested.job_id)
    except Exception as error:
        if int(record.attributes.approximate_receive_count) >= _max_attempts():
            roster_imports().give_up(actor, requested.job_id, f"The import stopped: {type(error).__name__}.")
            metrics.add_metric(name="RosterImportsFailed", unit=MetricUnit.Count, value=1)
        raise
    record_handled(CONSUMER, envelope)
    metrics.add_metric(name="RosterImportsCompleted", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )

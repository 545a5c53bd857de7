"""Import worker: SQS batches of RosterImportRequested events; each job's rows invited one by one.

A failed job goes back to the queue and resumes after its last row done; on its last attempt it is
marked failed (the rows without outcome stay unimported) and its message goes to the DLQ.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.consumer import EventConsumer, SideEffect, actor
from lms.events import EventEnvelope
from lms.events.users import RosterImportRequested
from lms.settings import METRICS_NAMESPACE
from lms.users.cognito import CognitoDirectory
from lms.users.imports.repository import DynamoImportRepository
from lms.users.imports.service import RosterImports
from lms.users.repository import DynamoIdentityRepository
from lms.users.service import IdentityService

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def roster_imports() -> RosterImports:
    directory = CognitoDirectory()
    return RosterImports(
        DynamoImportRepository(), IdentityService(DynamoIdentityRepository(), directory), directory
    )


def _run(envelope: EventEnvelope, requested: RosterImportRequested) -> None:
    """The worker invites on behalf of the admin who submitted the roster."""
    roster_imports().run(actor(envelope), requested.job_id)
    metrics.add_metric(name="RosterImportsCompleted", unit=MetricUnit.Count, value=1)


def _give_up(envelope: EventEnvelope, requested: RosterImportRequested, error: Exception) -> None:
    roster_imports().give_up(
        actor(envelope), requested.job_id, f"The import stopped: {type(error).__name__}."
    )
    metrics.add_metric(name="RosterImportsFailed", unit=MetricUnit.Count, value=1)


consumer = EventConsumer("import-worker", {RosterImportRequested: SideEffect(_run, give_up=_give_up)})


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer.process(event, context, metrics)

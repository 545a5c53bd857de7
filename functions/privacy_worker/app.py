"""Privacy worker: SQS batches of UserExportRequested and UserErased events (lms.privacy).

An export gathers every context's sections into one JSON document in the files bucket; an
erasure deletes the account from the user pool and runs every context's erasure, each finished
step recorded on the erasure record, so a retry after a failure resumes after the last step done.
A message that keeps failing goes to the DLQ (alarmed); an export is then marked failed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.consumer import EventConsumer, SideEffect
from lms.events import EventEnvelope
from lms.events.users import UserErased, UserExportRequested
from lms.privacy.files import S3Documents
from lms.privacy.registry import contributors
from lms.privacy.repository import DynamoPrivacyRepository
from lms.privacy.service import PrivacyService
from lms.settings import METRICS_NAMESPACE
from lms.users.cognito import CognitoDirectory
from lms.users.repository import DynamoIdentityRepository

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def privacy() -> PrivacyService:
    return PrivacyService(
        DynamoPrivacyRepository(), DynamoIdentityRepository(), CognitoDirectory(), S3Documents(), contributors
    )


def _export(envelope: EventEnvelope, requested: UserExportRequested) -> None:
    privacy().build_export(envelope.institution_id, requested.user_id, requested.export_id)
    metrics.add_metric(name="UserExportsReady", unit=MetricUnit.Count, value=1)


def _export_failed(envelope: EventEnvelope, requested: UserExportRequested, error: Exception) -> None:
    failure = f"The export stopped: {type(error).__name__}."
    privacy().export_failed(envelope.institution_id, requested.user_id, requested.export_id, failure)
    metrics.add_metric(name="UserExportsFailed", unit=MetricUnit.Count, value=1)


def _erase(envelope: EventEnvelope, erased: UserErased) -> None:
    privacy().complete_erasure(envelope.institution_id, erased.user_id)
    metrics.add_metric(name="UserErasuresCompleted", unit=MetricUnit.Count, value=1)


consumer = EventConsumer(
    "privacy-worker",
    {UserExportRequested: SideEffect(_export, give_up=_export_failed), UserErased: SideEffect(_erase)},
)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer.process(event, context, metrics)

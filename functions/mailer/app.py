"""Mailer: SQS batches of NotificationMailQueue messages (lms.notifications.mail_contract); each
recipient's e-mail sent now or kept for their digest, once; partial batch failures."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.consumer import process_batch
from lms.notifications.mail.repository import DynamoMailRepository
from lms.notifications.mail.sender import SesSender
from lms.notifications.mail.service import Links, Mailer
from lms.notifications.mail.signing import sign_unsubscribe
from lms.notifications.mail_contract import MailMessage
from lms.settings import METRICS_NAMESPACE, get_settings
from lms.users.queries import email_addressees

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def mailer() -> Mailer:
    settings = get_settings()
    return Mailer(
        DynamoMailRepository(),
        email_addressees,
        SesSender(),
        sign_unsubscribe,
        Links(web_origin=settings.web_origin, public_api_url=settings.public_api_url),
    )


def _deliver(record: SQSRecord) -> None:
    delivery = mailer().deliver(MailMessage.model_validate_json(record.body))
    metrics.add_metric(name="EmailsSent", unit=MetricUnit.Count, value=delivery.sent)
    metrics.add_metric(name="EmailsKeptForDigest", unit=MetricUnit.Count, value=delivery.kept_for_digest)
    metrics.add_metric(name="EmailDuplicatesIgnored", unit=MetricUnit.Count, value=delivery.duplicates)
    metrics.add_metric(name="EmailRecipientsSkipped", unit=MetricUnit.Count, value=delivery.skipped)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_batch(event, context, _deliver)

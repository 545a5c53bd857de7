"""Mail digests: on a schedule, sends each daily and weekly digest that is due, once per period.

The invocation's scheduled time (the event's `time`) is the moment it sends for, so a late or
repeated run sends exactly what was due then, and nothing twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.clock import scheduled_time
from lms.notifications.mail.digests import Digests
from lms.notifications.mail.repository import DynamoMailRepository
from lms.notifications.mail.sender import SesSender
from lms.notifications.mail.service import Links
from lms.notifications.mail.signing import sign_unsubscribe
from lms.settings import METRICS_NAMESPACE, get_settings
from lms.users.queries import email_addressees

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def digests() -> Digests:
    settings = get_settings()
    return Digests(
        DynamoMailRepository(),
        email_addressees,
        SesSender(),
        sign_unsubscribe,
        Links(web_origin=settings.web_origin, public_api_url=settings.public_api_url),
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    run = digests().send_due(scheduled_time(event))
    metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=run.sent)
    metrics.add_metric(name="DigestsFailed", unit=MetricUnit.Count, value=run.failed)
    if run.sent or run.failed or run.postponed or run.dropped:
        logger.info("digests", extra=vars(run))
    return vars(run)

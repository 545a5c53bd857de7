"""Due-soon reminders: on a schedule, reminds students of the assignments and quizzes due within a
day that they have not submitted, once per student and item.

The invocation's scheduled time (the event's `time`) is the moment it reminds for, so a late or
repeated run reminds of exactly what was due a day ahead then, and nobody twice.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.clock import scheduled_time
from lms.notifications.assessments_access import TableDueIndex
from lms.notifications.consumer import fanout
from lms.notifications.reminder_passes import DynamoReminderPasses
from lms.notifications.reminders import DueReminders
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@cache
def reminders() -> DueReminders:
    return DueReminders(TableDueIndex(), DynamoReminderPasses(), fanout())


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    addressed = reminders().send_due(scheduled_time(event))
    metrics.add_metric(name="DueRemindersAddressed", unit=MetricUnit.Count, value=addressed)
    if addressed:
        logger.info("due-soon reminders", extra={"addressed": addressed})
    return {"addressed": addressed}

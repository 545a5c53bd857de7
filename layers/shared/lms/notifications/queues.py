"""The notifications context's queues: fan-out chunks for later invocations, and the mailer's queue.

SendMessageBatch, ten messages a request; a message the queue refused is sent again (three times,
then the error goes up and the caller's message returns to its own queue to be retried whole).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from pydantic import ConfigDict, Field

from lms import aws
from lms.lazy_model import LazyModel
from lms.notifications.catalog import CATALOG
from lms.notifications.domain import Notification
from lms.notifications.mail_contract import MailMessage, MailNotification
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

_BATCH = 10
_ATTEMPTS = 3


class FanoutChunk(LazyModel):
    """The body of one fan-out queue message: a notification and up to a chunk of its people."""

    model_config = ConfigDict(frozen=True)

    notification: MailNotification
    recipients: list[str] = Field(min_length=1)


@cache
def _sqs() -> SQSClient:
    return cast("SQSClient", aws.client("sqs"))


def _send(queue_url: str, bodies: Sequence[str]) -> None:
    for start in range(0, len(bodies), _BATCH):
        pending = {str(n): body for n, body in enumerate(bodies[start : start + _BATCH])}
        for _ in range(_ATTEMPTS):
            entries: Any = [{"Id": n, "MessageBody": body} for n, body in pending.items()]
            answer = _sqs().send_message_batch(QueueUrl=queue_url, Entries=entries)
            pending = {f["Id"]: pending[f["Id"]] for f in answer.get("Failed", [])}
            if not pending:
                break
        else:
            raise RuntimeError(f"{len(pending)} messages were refused by {queue_url}")


class SqsOutbound:
    def enqueue_chunks(self, notification: Notification, chunks: Sequence[Sequence[str]]) -> None:
        mail = notification.for_mail()
        bodies = [FanoutChunk(notification=mail, recipients=list(c)).model_dump_json() for c in chunks]
        _send(get_settings().notification_fanout_queue_url, bodies)

    def send_mail(self, messages: Sequence[MailMessage]) -> None:
        _send(get_settings().notification_mail_queue_url, [m.model_dump_json() for m in messages])


def notification_of(chunk: FanoutChunk) -> Notification:
    """The notification a chunk carries, with its type from the catalog."""
    mail = chunk.notification
    return Notification(
        notification_id=mail.notification_id,
        type=CATALOG[mail.type],
        institution_id=mail.institution_id,
        occurred_at=mail.occurred_at,
        actor_id=mail.actor_id,
        title=mail.title,
        body_text=mail.body_text,
        link=mail.link,
        data=dict(mail.data),
    )

"""The message the notifications context puts on NotificationMailQueue for the mailer to send.

One message per notification and up to `MAX_RECIPIENTS` recipients, only those whose e-mail
frequency for the notification's category is not `off`. The mailer renders the template named
after the type (lms.notifications.catalog) for each recipient, or keeps it for their digest, and
is idempotent by (notification_id, user_id): a repeated message sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field

from lms.lazy_model import LazyModel

MAX_RECIPIENTS = 50

EmailFrequency = Literal["immediately", "daily", "weekly"]


class MailNotification(LazyModel):
    """What happened, as the inbox shows it, with the type's fields for its e-mail template."""

    model_config = ConfigDict(frozen=True)

    notification_id: str
    type: str = Field(
        description="The notification type's name in the catalog; its template is its snake_case."
    )
    category: str
    institution_id: str
    occurred_at: datetime
    actor_id: str | None = Field(description="Who caused it; None for what the platform did (a reminder).")
    title: str
    body_text: str
    link: str = Field(description="The API path of what the notification is about.")
    data: dict[str, Any] = Field(default_factory=dict)


class MailRecipient(LazyModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    frequency: EmailFrequency


class MailMessage(LazyModel):
    """The body of one NotificationMailQueue message."""

    model_config = ConfigDict(frozen=True)

    notification: MailNotification
    recipients: list[MailRecipient] = Field(min_length=1, max_length=MAX_RECIPIENTS)
